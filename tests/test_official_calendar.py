"""#10.2: a database made by ``flask db upgrade`` alone carries the official working-day
calendar of every year ``chinesecalendar`` covers (2004–2026), on SQLite and PostgreSQL, so
that a hall set up as the README says counts deadlines on it; a year an administrator
entered is never overwritten."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from cluster_helpers import create_schema, drop_schema
from conftest import PG_URL, make_config, require_or_skip
from hall import calendar
from hall.web import create_app, shutdown
from hall.web.extensions import db

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).parent / "flask")


def flask(tmp_path: Path, url: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DATABASE_URL=url, INSTANCE_PATH=str(tmp_path / "instance"),
               FLASK_APP="hall.web:create_app", SECRET_KEY="calendar-test")
    done = subprocess.run([FLASK, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def official_years(url: str) -> dict[int, str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return dict(connection.execute(sa.text(
                "SELECT year, notice FROM calendar_years WHERE official")).all())
    finally:
        engine.dispose()


def upgraded_alone(tmp_path: Path, url: str) -> None:
    flask(tmp_path, url, "db", "upgrade")
    years = official_years(url)
    assert sorted(years) == list(range(2004, 2027))
    assert all(notice.startswith("chinesecalendar ") for notice in years.values())
    app = create_app(make_config(url))
    try:
        with app.app_context():
            due = [calendar.due_date(db.session, None, start, days)
                   for start, days in ((date(2026, 9, 18), 20), (date(2026, 2, 13), 5))]
            db.engine.dispose()
    finally:
        shutdown(app)
    # The National Day week of 2026 and its make-up Saturday; the Spring Festival. Official,
    # not provisional: before, a hall set up this way counted 2026-10-16, provisionally.
    assert due == [(date(2026, 10, 22), False), (date(2026, 2, 27), False)]


def test_flask_db_upgrade_alone_brings_the_official_calendar_on_sqlite(tmp_path):
    upgraded_alone(tmp_path, f"sqlite:///{tmp_path / 'new.db'}")


def test_flask_db_upgrade_alone_brings_the_official_calendar_on_postgresql(tmp_path):
    try:
        schema, url = create_schema(PG_URL)
    except Exception as error:  # noqa: BLE001 - any failure means "no server here"
        require_or_skip("PostgreSQL", error)
    try:
        upgraded_alone(tmp_path, url)
    finally:
        drop_schema(PG_URL, schema)


def test_a_year_an_administrator_entered_is_kept(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    flask(tmp_path, url, "db", "upgrade", "0005")  # an installation from before
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO calendar_years (year, official, notice) "
                "VALUES (2026, 1, '国办发明电〔2025〕7号')"))
            connection.execute(sa.text(
                "INSERT INTO calendar_days (hall_id, day, kind, name) "
                "VALUES (NULL, '2026-12-31', 'holiday', '地方试行')"))
        flask(tmp_path, url, "db", "upgrade")
        with engine.connect() as connection:
            days_2026 = connection.execute(sa.text(
                "SELECT day, kind FROM calendar_days WHERE day LIKE '2026-%'")).all()
    finally:
        engine.dispose()
    years = official_years(url)
    assert years[2026] == "国办发明电〔2025〕7号" and 2025 in years
    assert days_2026 == [("2026-12-31", "holiday")]


@pytest.mark.parametrize("target", ["Makefile", "README.md"])
def test_no_separate_calendar_import_step_is_documented(target):
    """The set-up documented is ``flask db upgrade``; the import is no step of its own."""
    text = (ROOT / target).read_text()
    if target == "Makefile":
        assert "import-official" not in text
    else:
        production = text[text.index("## Production"):text.index("## Backups")]
        assert "flask db upgrade" in production and "import-official" not in production
