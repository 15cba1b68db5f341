"""A double check-in at once (two kiosks, a scanner that reads the QR twice, a visitor who taps
again): one ticket, the other answers "already checked in", on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from hall import bookings, checkin, clock
from hall.booking_errors import AlreadyCheckedIn
from hall.models import Booking, Event, Ticket
from hall.web.extensions import db
from test_bookings import MONDAY_MORNING, TUESDAY_0900, at, set_places
from test_concurrency import run_together


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_sixteen_check_ins_of_one_booking_at_once_give_one_ticket(any_app):
    set_places(any_app, "EXAM", 4)
    with any_app.app_context():
        code = bookings.book(db.session, "HQ", "EXAM", at(TUESDAY_0900), name="欧阳芒",
                             phone="13800138000").booking_code

    def kiosk(_i):
        with any_app.app_context():
            try:
                return checkin.check_in(db.session, "HQ", code).number
            except AlreadyCheckedIn:
                return "already"

    with clock.frozen(datetime.fromisoformat("2026-11-24T08:45:00+08:00")):
        results = run_together(16, kiosk)
    assert sorted(results) == ["Y001"] + ["already"] * 15
    with any_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 1
        booking = db.session.scalar(sa.select(Booking))
        assert booking.status == "checked_in" and booking.ticket.number == "Y001"
        kinds = db.session.scalars(sa.select(Event.kind)).all()
        assert kinds.count("booking.checked_in") == 1 and kinds.count("ticket.issued") == 1
