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

import csv
import io
import re
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from pypdf import PdfReader

from browser import shot
from conftest import actor
from hall import (
    booking_figures,
    bookings,
    checkin,
    clock,
    dashboard,
    endofday,
    issuing,
    live,
    queue,
    reports,
    slots,
    stats,
)
from hall.events import SYSTEM, record
from hall.lookup import get_hall, get_service
from hall.models import ServiceBooking, Ticket
from hall.web.extensions import db
from test_auth import sign_in
from test_browser_console import sign_in as browser_sign_in
from test_pdf_glyphs import missing_glyphs

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


# -- what one snapshot costs ---------------------------------------------------------------------

def test_the_figures_are_two_statements_whatever_the_day(app):
    """The dashboard recomputes them after every burst of events: one grouped count of the
    bookings and one statement over the tickets, not one per figure."""
    scripted_monday(app)
    seen: list[str] = []
    me = threading.get_ident()

    def count(conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() == me:  # the live publisher reads on its own thread
            seen.append(statement)

    with app.app_context(), clock.frozen(MONDAY_1030):
        hall = get_hall(db.session, "HQ")
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            booking_figures.figures(db.session, stats.Period.day(hall, MONDAY), by_day=False)
            day_only = len(seen)
            booking_figures.figures(db.session, stats.Period.month(hall, 2026, 11))
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
    assert (day_only, len(seen) - day_only) == (2, 2)


def test_booking_events_refresh_the_dashboard():
    for kind in ("booking.made", "booking.moved", "booking.cancelled", "booking.missed"):
        assert live.touches_dashboard({"kind": kind, "seq": None, "data": {}})
    assert not live.moves_tickets({"kind": "booking.made", "seq": None, "data": {}})


# -- the dashboard -------------------------------------------------------------------------------

def test_the_dashboard_panel_at_half_past_ten(any_app):
    scripted_monday(any_app)
    with any_app.app_context(), clock.frozen(MONDAY_1030):
        snap = dashboard.snapshot(db.session, get_hall(db.session, "HQ"))
    a = snap.appointments
    assert (a.booked, a.checked_in, a.missed, a.cancelled, a.expected) == (6, 3, 1, 1, 1)
    assert a.honour_rate == 0.75
    assert (a.remote_taken, a.remote_not_arrived) == (3, 1)
    assert (a.appointment_wait_min, a.appointment_p90_min) == (18.3, 30.0)
    assert (a.remote_wait_min, a.remote_p90_min) == (12.0, 12.0)
    assert (a.walk_in_wait_min, a.walk_in_p90_min) == (28.3, 40.0)
    assert (a.called_late, a.avg_delay_min) == (1, 6.7)
    assert snap.as_dict()["appointments"]["expected"] == 1  # as the live message carries it
    # The hall's figures as before: every ticket of the day, whatever its channel.
    assert snap.issued == 3 + 4 + 3


def figure(page: str, name: str) -> str:
    return re.search(rf'data-appointment="{name}"[^>]*>([^<]*)<', page).group(1)


def test_the_dashboard_page_shows_the_panel_in_chinese_and_english(app, client):
    scripted_monday(app)
    with clock.frozen(MONDAY_1030):
        sign_in(client, "manager")
        zh_page = client.get("/hall/HQ/dashboard").get_data(as_text=True)
        en_page = client.get("/hall/HQ/dashboard?lang=en").get_data(as_text=True)
    assert "今日预约" in zh_page and "远程取号未到达" in zh_page and "现场取号" in zh_page
    assert "Appointments today" in en_page and "Walk-ins" in en_page
    for page in (zh_page, en_page):
        assert [figure(page, n) for n in ("booked", "checked_in", "missed", "expected")] == [
            "6", "3", "1", "1"]
        assert figure(page, "honour_rate") == "75%"
        assert (figure(page, "remote_not_arrived"), figure(page, "remote_taken")) == ("1", "3")
        assert [figure(page, f"{c}_wait_min") for c in booking_figures.CHANNELS] == [
            "18.3", "12.0", "28.3"]
        assert [figure(page, f"{c}_p90_min") for c in booking_figures.CHANNELS] == [
            "30.0", "12.0", "40.0"]
        assert (figure(page, "called_late"), figure(page, "avg_delay_min")) == ("1", "6.7")


def test_a_day_without_appointments_shows_dashes_not_zero_rates(app, client):
    with clock.frozen(MONDAY_1030):
        sign_in(client, "manager")
        page = client.get("/hall/HQ/dashboard").get_data(as_text=True)
    assert figure(page, "booked") == "0" and figure(page, "honour_rate") == "—"
    assert figure(page, "walk_in_wait_min") == "—"


# -- the daily report ----------------------------------------------------------------------------

def monday_report(app) -> stats.Report:
    with app.app_context(), clock.frozen(MONDAY_1030):
        hall = get_hall(db.session, "HQ")
        summary = stats.report(db.session, hall, stats.Period.day(hall, MONDAY))
        return summary


def test_the_daily_report_pdf_shows_the_figures(app):
    scripted_monday(app)
    pdf = reports.daily_pdf(monday_report(app))
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "预约与远程取号 Appointments and remote tickets" in text
    # booked, checked in, missed, cancelled, expected, honour rate, remote, never arrived
    assert "6 3 1 1 1 75.0% 3 1" in text
    assert "预约 Appointments 3 3 18.3 30.0" in text
    assert "远程取号 Remote tickets 3 1 12.0 12.0" in text
    assert "现场取号 Walk-ins 4 3 28.3 40.0" in text
    assert "3 1 1 1 6.7 20.0" in text  # called: early, on time, late, average and 90% delay
    assert missing_glyphs(pdf) == []


def test_the_daily_report_csv_and_totals_show_the_figures(app):
    scripted_monday(app)
    made = reports.daily(monday_report(app))
    rows = list(csv.reader(io.StringIO(reports.csv_bytes(made.csv).decode("utf-8-sig"))))
    services_end = rows.index([])
    assert rows[services_end - 1][:4] == ["TOTAL", "合计", "Total", "10"]
    channels = {row[0]: row for row in rows[services_end + 2:services_end + 5]}
    assert rows[services_end + 1][:3] == ["渠道 channel", "渠道", "Channel"]
    assert channels["appointment"][1:] == ["预约", "Appointments", "3", "3", "18.3", "30.0"]
    assert channels["remote"][3:] == ["3", "1", "12.0", "12.0"]
    assert channels["walk_in"][3:] == ["4", "3", "28.3", "40.0"]
    # the appointment figures, up to the channels side by side (hall.channel_figures)
    figures = {row[0]: row[3] for row in rows[services_end + 6:] if len(row) > 3}
    assert {k: figures[k] for k in ("bookings", "bookings_honoured", "bookings_missed",
                                    "bookings_cancelled", "honour_rate", "remote_taken",
                                    "remote_not_arrived", "appointments_called_late",
                                    "appointment_delay_min")} == {
        "bookings": "6", "bookings_honoured": "3", "bookings_missed": "1",
        "bookings_cancelled": "1", "honour_rate": "0.75", "remote_taken": "3",
        "remote_not_arrived": "1", "appointments_called_late": "1",
        "appointment_delay_min": "6.7"}
    assert made.totals["bookings_honoured"] == 3 and made.totals["wait_walk_in_p90_min"] == 40.0


def test_the_report_kept_at_end_of_day_carries_the_figures(app):
    scripted_monday(app)
    with app.app_context(), clock.frozen(at(18, 0)):
        done = endofday.close_day(db.session, "HQ")
    # Closing made the remote tickets still waiting unserved: they never arrived, or were
    # never called, and the day's figures stay as they were.
    assert done.totals["remote_not_arrived"] == 1 and done.totals["bookings_expected"] == 1
    assert done.totals["wait_remote_min"] == 12.0


# -- the month's statistics ----------------------------------------------------------------------

def test_the_statistics_page_shows_each_day_and_the_month(app, client):
    scripted_monday(app)
    with clock.frozen(MONDAY_1030):
        sign_in(client, "manager")
        page = client.get("/hall/HQ/statistics?month=2026-11").get_data(as_text=True)
        english = client.get("/hall/HQ/statistics?month=2026-11&lang=en").get_data(as_text=True)
    assert "每日预约" in page and "各渠道每日等候" in page
    assert "Appointments by day" in english and "Waits by channel and day" in english

    def cells(table: str, label: str) -> list[str]:
        body = re.search(rf'data-stats="{table}".*?</table>', page, re.S).group(0)
        row = re.search(rf"<th scope=\"row\">{label}</th>(.*?)</tr>", body, re.S).group(1)
        return re.findall(r"<td>([^<]*)</td>", row)

    # booked, checked in, missed, cancelled, honoured, remote, never arrived, called late
    assert cells("appointments", "2026-11-23") == ["6", "3", "1", "1", "75.0%", "3", "1", "1"]
    assert cells("appointments", "2026-11-24") == ["1", "0", "0", "0", "—", "0", "0", "0"]
    assert cells("appointments", "全月") == ["7", "3", "1", "1", "75.0%", "3", "1", "1"]
    # per channel: called, average wait, nine in ten waited at most
    assert cells("channels", "2026-11-23") == ["3", "18.3", "30.0", "1", "12.0", "12.0",
                                               "3", "28.3", "40.0"]


# -- live, in Chromium ---------------------------------------------------------------------------

@pytest.mark.hall_open
def test_the_panel_follows_bookings_live(app, live_server, browser_page):
    """A booking made for later today and then recorded missed reach the manager's panel
    without a reload (booking events are not floor events: they refresh the dashboard)."""
    page = browser_page
    browser_sign_in(page, live_server, "manager")
    page.goto(f"{live_server}/hall/HQ/dashboard")
    expect(page.locator("[data-live]")).to_have_attribute("data-live", "on")
    panel = page.locator('[data-panel="appointments"]')

    def shown(name: str):
        return panel.locator(f'[data-appointment="{name}"]')

    expect(shown("booked")).to_have_text("0")
    expect(shown("honour_rate")).to_have_text("—")
    page.evaluate("window.__noReload = 1")
    with app.app_context():
        s = db.session
        hall = get_hall(s, "HQ")
        today = clock.local_date(clock.now(), hall.timezone)
        slot = next(x for x in slots.slots(s, hall, get_service(s, hall, "EXAM"))
                    if x.start.date() == today and x.free)
        booking_id = bookings.book(s, "HQ", "EXAM", slot.start, name="欧阳芒",
                                   phone="13800138000").id
    expect(shown("booked")).to_have_text("1")
    expect(shown("expected")).to_have_text("1")
    with app.app_context(), clock.frozen(slot.start + timedelta(minutes=20)):
        assert bookings.mark_missed(db.session, booking_id, timedelta(minutes=15),
                                    actor=SYSTEM)
    expect(shown("missed")).to_have_text("1")
    expect(shown("expected")).to_have_text("0")
    expect(shown("honour_rate")).to_have_text("0%")
    assert page.evaluate("window.__noReload") == 1
    panel.scroll_into_view_if_needed()
    shot(page, "dashboard-appointments-live-zh-1920x1080")
