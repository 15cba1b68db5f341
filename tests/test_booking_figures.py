"""Appointments, remote tickets and walk-ins in figures (#14): what the dashboard, the daily
report and the month's statistics show, for a scripted Monday whose every figure is worked out
by hand below.

HQ, Monday 23 November 2026 (hall time), window 3 serving EXAM. Booked on Sunday for Monday:
b1 09:00, b2 09:00, b3 09:30, b4 09:30 (missed), b5 10:00 (cancelled), b6 11:00 (still
expected at 10:30), and b7 10:30 moved to Tuesday (not Monday's). Remote tickets (inserted as
the remote-queueing engine will write them, ``source`` 'remote'): R001 arrives at 09:00,
R002 never arrives, R003 arrives at 10:05 and still waits.

    08:30 A001 issued            08:55 Y001 called (wait 15, 5 min before its slot)
    08:35 A002 issued            09:05 A002 called (wait 30)
    08:40 b1 checks in: Y001     09:12 R001 called (wait 12 from its arrival at 09:00)
    08:45 A001 called (wait 15)  09:20 Y002 called (wait 30, 20 min after its slot: late)
    08:50 b2 checks in: Y002     09:25 b3 checks in: Y003
    09:00 A003 issued            09:35 Y003 called (wait 10, 5 min after its slot: on time)
    10:00 A004 issued, waits;    09:40 A003 called (wait 40)
          b4 recorded missed
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import actor
from hall import booking_figures, bookings, checkin, clock, issuing, queue, stats
from hall.events import SYSTEM, record
from hall.lookup import get_hall, get_service
from hall.models import ServiceBooking, Ticket
from hall.web.extensions import db

ZONE = ZoneInfo("Asia/Shanghai")
MONDAY, TUESDAY = date(2026, 11, 23), date(2026, 11, 24)


def at(hour: int, minute: int, day: date = MONDAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


SUNDAY_1000 = at(10, 0, date(2026, 11, 22))
MONDAY_1030 = at(10, 30)


def remote_ticket(session, hall, service, seq: int, issued: datetime) -> Ticket:
    """A remote ticket as the remote-queueing engine writes it (issued from home, waiting)."""
    ticket = Ticket(hall_id=hall.id, day=MONDAY, prefix="R", seq=seq, number=f"R{seq:03d}",
                    service_no=f"REMOTE{seq:010d}", access_code="ABCDEFGH",
                    service_id=service.id, status="waiting", queued_at=issued,
                    issued_at=issued, source="remote")
    session.add(ticket)
    session.flush()
    return ticket


def arrive(session, hall, ticket: Ticket) -> None:
    record(session, hall, "ticket.arrived", actor=SYSTEM, ticket=ticket, number=ticket.number)


def scripted_monday(app) -> None:
    clerk = actor(app, "clerk03")
    with app.app_context(), clock.frozen(SUNDAY_1000) as frozen:
        s = db.session
        hall = get_hall(s, "HQ")
        exam = get_service(s, hall, "EXAM")
        s.merge(ServiceBooking(service_id=exam.id, bookable=True, places_per_slot=5))
        s.commit()
        made = {}
        for name, (hour, minute) in {"b1": (9, 0), "b2": (9, 0), "b3": (9, 30), "b4": (9, 30),
                                     "b5": (10, 0), "b6": (11, 0), "b7": (10, 30)}.items():
            phone = f"1380013{len(made):04d}"
            booking = bookings.book(s, "HQ", "EXAM", at(hour, minute), name="欧阳芒",
                                    phone=phone)
            made[name] = (booking.booking_code, booking.access_code, booking.id)
        bookings.cancel(s, made["b5"][0], made["b5"][1])
        bookings.move(s, made["b7"][0], made["b7"][1], at(9, 0, TUESDAY))

        def remote(seq: int, hour: int, minute: int) -> Ticket:
            frozen.at = at(hour, minute)
            ticket = remote_ticket(s, hall, exam, seq, at(hour, minute))
            s.commit()
            return ticket

        r1, _r2, r3 = remote(1, 8, 0), remote(2, 8, 10), remote(3, 8, 20)

        def step(hour: int, minute: int, move, *args, **kwargs):
            frozen.at = at(hour, minute)
            return move(s, *args, **kwargs)

        step(8, 30, issuing.issue_ticket, "HQ", "EXAM")                        # A001
        step(8, 30, queue.open_window, "HQ", 3, actor=clerk)
        step(8, 35, issuing.issue_ticket, "HQ", "EXAM")                        # A002
        step(8, 40, checkin.check_in, "HQ", made["b1"][0])                     # Y001
        step(8, 45, queue.call_ticket, "HQ", 3, "A001", actor=clerk)
        step(8, 50, queue.finish, "HQ", 3, actor=clerk)
        step(8, 50, checkin.check_in, "HQ", made["b2"][0])                     # Y002
        step(8, 55, queue.call_ticket, "HQ", 3, "Y001", actor=clerk)
        step(9, 0, queue.finish, "HQ", 3, actor=clerk)
        step(9, 0, issuing.issue_ticket, "HQ", "EXAM")                         # A003
        step(9, 0, lambda session: (arrive(session, hall, r1), session.commit()))
        step(9, 5, queue.call_ticket, "HQ", 3, "A002", actor=clerk)
        step(9, 10, queue.finish, "HQ", 3, actor=clerk)
        step(9, 12, queue.call_ticket, "HQ", 3, "R001", actor=clerk)
        step(9, 18, queue.finish, "HQ", 3, actor=clerk)
        step(9, 20, queue.call_ticket, "HQ", 3, "Y002", actor=clerk)
        step(9, 24, queue.finish, "HQ", 3, actor=clerk)
        step(9, 25, checkin.check_in, "HQ", made["b3"][0])                     # Y003
        step(9, 35, queue.call_ticket, "HQ", 3, "Y003", actor=clerk)
        step(9, 38, queue.finish, "HQ", 3, actor=clerk)
        step(9, 40, queue.call_ticket, "HQ", 3, "A003", actor=clerk)
        step(9, 45, queue.finish, "HQ", 3, actor=clerk)
        step(10, 0, issuing.issue_ticket, "HQ", "EXAM")                        # A004
        assert step(10, 0, bookings.mark_missed, made["b4"][2], timedelta(minutes=15),
                    actor=SYSTEM)
        step(10, 5, lambda session: (arrive(session, hall, r3), session.commit()))
        s.remove()


def monday_figures(app, period: str = "day") -> booking_figures.BookingFigures:
    with app.app_context(), clock.frozen(MONDAY_1030):
        hall = get_hall(db.session, "HQ")
        if period == "day":
            return booking_figures.figures(db.session, stats.Period.day(hall, MONDAY))
        return booking_figures.figures(db.session, stats.Period.month(hall, 2026, 11))


def test_the_figures_of_a_scripted_monday(any_app):
    scripted_monday(any_app)
    f = monday_figures(any_app)
    assert [d.day for d in f.by_day] == [MONDAY]
    day = f.by_day[0]
    for figures in (f.total, day):
        b = figures.bookings
        assert (b.booked, b.honoured, b.missed, b.cancelled, b.expected) == (6, 3, 1, 1, 1)
        assert b.honour_rate == 0.75  # 3 of the 4 whose time has come and gone
        assert (figures.remote.taken, figures.remote.arrived, figures.remote.not_arrived) == (
            3, 2, 1)
        appointment, remote, walk_in = (figures.wait(c) for c in booking_figures.CHANNELS)
        assert (appointment.tickets, appointment.called) == (3, 3)
        assert appointment.avg_wait_minutes == pytest.approx((15 + 30 + 10) / 3)
        assert appointment.p90_wait_minutes == 30
        assert (remote.tickets, remote.called) == (3, 1)
        assert remote.avg_wait_minutes == 12 and remote.p90_wait_minutes == 12
        assert (walk_in.tickets, walk_in.called) == (4, 3)
        assert walk_in.avg_wait_minutes == pytest.approx((15 + 30 + 40) / 3)
        assert walk_in.p90_wait_minutes == 40
        p = figures.punctuality
        assert (p.called, p.early, p.on_time, p.late) == (3, 1, 1, 1)
        assert p.avg_delay_minutes == pytest.approx((-5 + 20 + 5) / 3)
        assert p.p90_delay_minutes == 20


def test_the_moved_booking_counts_on_the_day_it_was_moved_to(app):
    scripted_monday(app)
    month = monday_figures(app, "month")
    assert [d.day for d in month.by_day] == [MONDAY, TUESDAY]
    tuesday = month.by_day[1]
    assert (tuesday.bookings.booked, tuesday.bookings.expected) == (1, 1)
    assert tuesday.bookings.honour_rate is None and tuesday.wait("walk_in").tickets == 0
    assert month.total.bookings.booked == 7


def test_the_90th_percentile_is_the_nearest_rank(any_app):
    """Walk-ins who waited 1, 2, … 10 minutes: 90% waited 9 minutes or less. One more, who
    waited 11: the 10th wait (ceil(0.9 × 11) = 10)."""
    clerk = actor(any_app, "clerk03")
    with any_app.app_context(), clock.frozen(at(8, 30)) as frozen:
        s = db.session
        hall = get_hall(s, "HQ")
        queue.open_window(s, "HQ", 3, actor=clerk)
        numbers = [issuing.issue_ticket(s, "HQ", "EXAM").number for _ in range(11)]
        for wait, number in enumerate(numbers, start=1):
            frozen.at = at(8, 30 + wait)
            queue.call_ticket(s, "HQ", 3, number, actor=clerk)
            queue.finish(s, "HQ", 3, actor=clerk)
            if wait == 10:
                ten = booking_figures.figures(s, stats.Period.day(hall, MONDAY))
        eleven = booking_figures.figures(s, stats.Period.day(hall, MONDAY), by_day=False)
    assert ten.total.wait("walk_in").p90_wait_minutes == 9
    assert ten.by_day[0].wait("walk_in").p90_wait_minutes == 9
    assert eleven.total.wait("walk_in").p90_wait_minutes == 10
    assert eleven.total.wait("walk_in").avg_wait_minutes == 6
    assert eleven.by_day == []
