"""The rule against no-shows is the hall's to set: MISSED_APPOINTMENTS within
MISSED_APPOINTMENTS_DAYS block booking for BOOKING_BLOCK_DAYS (hall.settings)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import make_config
from hall import bookings, clock
from hall.events import SYSTEM
from hall.web import create_app, shutdown
from hall.web.extensions import db
from test_bookings import MONDAY_MORNING, PERSON, at


@pytest.fixture
def strict_app(sqlite_template, tmp_path):
    """A hall that blocks after 2 missed appointments, for 7 days."""
    import shutil

    path = tmp_path / "hall.db"
    shutil.copy(sqlite_template, path)
    app = create_app(make_config(f"sqlite:///{path}", MISSED_APPOINTMENTS=2,
                                 MISSED_APPOINTMENTS_DAYS=30, BOOKING_BLOCK_DAYS=7))
    yield app
    shutdown(app)


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_a_hall_sets_how_many_missed_appointments_block_and_for_how_long(strict_app):
    client = strict_app.test_client()
    with strict_app.app_context():
        for day in ("2026-11-24", "2026-11-25"):
            with clock.frozen(at(f"{day}T08:00:00+08:00") - timedelta(days=1)):
                bookings.book(db.session, "HQ", "EXAM", at(f"{day}T09:00:00+08:00"), **PERSON)
            with clock.frozen(at(f"{day}T09:16:00+08:00")):
                assert bookings.record_missed(db.session, actor=SYSTEM) == 1
    body = {"hall": "HQ", "service": "EXAM", **PERSON}
    with clock.frozen(at("2026-11-26T10:00:00+08:00")):
        refused = client.post("/api/v1/bookings",
                              json={**body, "start": "2026-11-27T09:00:00+08:00"})
    assert refused.status_code == 409
    assert refused.get_json()["blocked_until"] == "2026-12-02"  # 7 days from the last one
    with clock.frozen(at("2026-12-03T10:00:00+08:00")):
        again = client.post("/api/v1/bookings",
                            json={**body, "start": "2026-12-04T09:00:00+08:00"})
    assert again.status_code == 201, again.get_json()
