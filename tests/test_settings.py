"""Two apps in one process keep their own settings: the domain's configuration travels with
each app's engine (hall.settings), not in module globals that the last app made overwrites."""
from __future__ import annotations

import shutil
from datetime import date, time

import pytest
import sqlalchemy as sa

from conftest import make_config
from hall import hours, settings
from hall.models import Hall
from hall.web import create_app, shutdown
from hall.web.extensions import db


@pytest.fixture
def two_apps(sqlite_template, tmp_path):
    made = []
    for name, close, end in (("early", "16:00", "17:30"), ("late", "17:30", "21:00")):
        path = tmp_path / f"{name}.db"
        shutil.copy(sqlite_template, path)
        made.append(create_app(make_config(f"sqlite:///{path}", CLOSE_OF_BUSINESS=close,
                                           END_OF_DAY=end)))
    yield made
    for app in made:
        shutdown(app)
        with app.app_context():
            db.engine.dispose()


def test_each_app_reads_its_own_close_of_business_and_end_of_day(two_apps):
    early, late = two_apps  # ``late`` was made last: with module globals it would win
    seen = {}
    for app in (early, late, early):
        with app.app_context():
            hq = db.session.scalar(sa.select(Hall).where(Hall.code == "HQ"))
            monday = hours.of(db.session, hq).business_end(date(2026, 11, 23))
            seen[app.name, id(app)] = (settings.of(db.session), monday.time())
    assert seen[early.name, id(early)] == (
        settings.HallSettings(close_of_business=time(16), end_of_day=time(17, 30)), time(17, 30))
    assert seen[late.name, id(late)] == (
        settings.HallSettings(close_of_business=time(17, 30), end_of_day=time(21)), time(21))


def test_a_session_nobody_configured_gets_the_rules_as_written():
    engine = sa.create_engine("sqlite://")
    try:
        with sa.orm.Session(engine) as session:
            assert settings.of(session) == settings.DEFAULT
    finally:
        engine.dispose()
