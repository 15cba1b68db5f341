"""Opening hours (hall.hours): per weekday on the working-day calendar, with exceptions; the
last-ticket minutes; when the day's business ends; windows; and how administrators set them
(``/admin/halls/<hall>/hours`` and ``flask hours``), audited.

The demo hall HQ opens Monday to Friday 08:30–12:00 and 13:30–17:00 and takes the last ticket
30 minutes before each closing. The official calendar of 2026: the National Day week off
(1–7 October), Saturday 10 October and Sunday 20 September worked in its place.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from conftest import actor
from hall import calendar_admin, clock, hours, hours_admin, issuing, queue
from hall.errors import HallClosed, NotAnAdministrator, WindowsClosed
from hall.models import Event, OpeningException, Ticket
from hall.web.extensions import db
from test_auth import csrf_token, sign_in

HALL = ZoneInfo("Asia/Shanghai")
PAGE = "/admin/halls/HQ/hours"


def at(day: str, hhmm: str) -> datetime:
    """A moment in the hall's zone."""
    return datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=HALL)


@pytest.fixture
def hq(app):
    """HQ's hours as the engine reads them, at the moment asked for."""
    def read(moment: datetime) -> hours.HallHours:
        with clock.frozen(moment):
            return hours.for_hall(db.session, 1, "Asia/Shanghai")
    with app.app_context():
        yield read


def take(moment: datetime, hall: str = "HQ"):
    with clock.frozen(moment):
        return issuing.issue_ticket(db.session, hall, "EXAM")


# -- the rules ---------------------------------------------------------------------------------

def test_a_working_day_opens_in_its_spans_and_takes_tickets_until_half_an_hour_before(hq):
    monday = hq(at("2026-11-23", "10:00"))
    expected = {"08:29": (False, False), "08:30": (True, True), "11:29": (True, True),
                "11:30": (True, False), "12:00": (False, False), "13:30": (True, True),
                "16:29": (True, True), "16:30": (True, False), "17:00": (False, False)}
    assert {t: (monday.is_open(at("2026-11-23", t)), monday.takes_tickets(at("2026-11-23", t)))
            for t in expected} == expected
    assert monday.next_opening(at("2026-11-23", "12:10")) == at("2026-11-23", "13:30")
    assert monday.next_opening(at("2026-11-23", "16:40")) == at("2026-11-24", "08:30")
    # Friday evening: the weekend is closed, Monday opens.
    assert monday.next_opening(at("2026-11-27", "17:00")) == at("2026-11-30", "08:30")
    assert monday.day(date(2026, 11, 28)).kind == hours.WEEKEND


def test_a_holiday_closes_and_a_make_up_weekend_day_opens_with_weekday_hours(hq):
    national_day = hq(at("2026-10-01", "10:00"))
    assert national_day.day(date(2026, 10, 1)).kind == hours.HOLIDAY
    assert not national_day.takes_tickets(at("2026-10-01", "10:00"))
    # The whole week off, then Thursday 8 October.
    assert national_day.next_opening(at("2026-10-01", "10:00")) == at("2026-10-08", "08:30")
    saturday = national_day.day(date(2026, 10, 10))
    assert (saturday.kind, [str(s) for s in saturday.spans]) == (
        hours.MAKEUP, ["08:30-12:00", "13:30-17:00"])
    assert national_day.takes_tickets(at("2026-10-10", "09:00"))
    assert national_day.takes_tickets(at("2026-09-20", "14:00"))  # a make-up Sunday
    assert not national_day.takes_tickets(at("2026-10-11", "09:00"))  # a plain Sunday
    # Friday 9 October closes for the weekend, but Saturday is worked.
    assert national_day.next_opening(at("2026-10-09", "17:00")) == at("2026-10-10", "08:30")


def test_exceptions_and_local_holidays_win_over_the_week(app, hq):
    admin = actor(app, "admin")
    with app.app_context(), clock.frozen(at("2026-11-23", "09:00")):
        hours_admin.set_exception(db.session, "HQ", date(2026, 11, 24), (), "内部培训", actor=admin)
        hours_admin.set_exception(db.session, "HQ", date(2026, 11, 25),
                            hours.parse_spans("09:00-11:00"), "", actor=admin)
        calendar_admin.set_local_day(db.session, queue.get_hall(db.session, "HQ"),
                               date(2026, 11, 26), "holiday", "地方假日", admin)
    read = hq(at("2026-11-23", "17:00"))
    assert [read.day(date(2026, 11, d)).kind for d in (24, 25, 26, 27)] == [
        hours.CLOSED, hours.SPECIAL, hours.HOLIDAY, hours.WORKING]
    assert read.day(date(2026, 11, 24)).note == "内部培训"
    # Monday evening: Tuesday is closed, Wednesday opens at nine for two hours.
    assert read.next_opening(at("2026-11-23", "17:00")) == at("2026-11-25", "09:00")
    assert read.takes_tickets(at("2026-11-25", "10:29"))
    assert not read.takes_tickets(at("2026-11-25", "10:30"))
    assert read.next_opening(at("2026-11-25", "10:30")) == at("2026-11-27", "08:30")


def test_the_days_business_ends_at_end_of_day_or_at_a_later_closing(app, hq):
    with app.app_context(), clock.frozen(at("2026-11-23", "09:00")):
        hours_admin.set_exception(db.session, "HQ", date(2026, 11, 25),
                            hours.parse_spans("08:30-12:00 13:30-20:00"), "夜间延时服务",
                            actor=actor(app, "admin"))
    read = hq(at("2026-11-23", "09:00"))
    assert read.business_end(date(2026, 11, 23)) == at("2026-11-23", "18:00")  # END_OF_DAY
    assert read.business_end(date(2026, 11, 25)) == at("2026-11-25", "20:00")
    assert read.business_end(date(2026, 11, 28)) == at("2026-11-28", "18:00")  # closed day
    assert read.takes_tickets(at("2026-11-25", "19:29"))


def test_a_change_of_hours_applies_at_once_in_the_process_that_made_it(app):
    with app.app_context():
        assert take(at("2026-11-24", "10:00")).number == "A001"  # the hours are cached now
        with clock.frozen(at("2026-11-24", "10:01")):
            hours_admin.set_exception(db.session, "HQ", date(2026, 11, 24), (), "停电",
                                actor=actor(app, "admin"))
        with pytest.raises(HallClosed) as refused:
            take(at("2026-11-24", "10:02"))
        assert refused.value.next_opening == at("2026-11-25", "08:30")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 1


def test_windows_open_from_an_hour_before_opening_until_the_day_ends(app):
    clerk = actor(app, "clerk03")
    with app.app_context():
        def open_at(moment):
            with clock.frozen(moment):
                return queue.open_window(db.session, "HQ", 3, actor=clerk)

        for moment in (at("2026-11-23", "07:29"), at("2026-10-01", "10:00"),
                       at("2026-11-23", "18:00")):
            with pytest.raises(WindowsClosed) as refused:
                open_at(moment)
        assert refused.value.next_opening == at("2026-11-24", "07:30")
        assert open_at(at("2026-11-23", "07:30")).state == "open"  # clerks get ready


def test_hours_are_checked_before_anything_is_written(app):
    admin, clerk = actor(app, "admin"), actor(app, "clerk03")
    with app.app_context(), clock.frozen(at("2026-11-23", "10:00")):
        for bad in ("9-12", "09:00-08:00", "08:00-12:00 11:00-13:00", "25:00-26:00",
                    "1:00-2:00 3:00-4:00 5:00-6:00 7:00-8:00 9:00-10:00"):
            with pytest.raises(hours.InvalidHours):
                hours_admin.set_week(db.session, "HQ", {0: hours.parse_spans(bad)}, actor=admin)
        with pytest.raises(hours_admin.NoOpeningDay):
            hours_admin.set_week(db.session, "HQ", {d: () for d in range(7)}, actor=admin)
        with pytest.raises(hours_admin.InvalidLastTicket):
            hours_admin.set_week(db.session, "HQ", {}, actor=admin, last_ticket_minutes=600)
        with pytest.raises(hours_admin.DayPassed):
            hours_admin.set_exception(db.session, "HQ", date(2026, 11, 20), (), actor=admin)
        with pytest.raises(NotAnAdministrator):
            hours_admin.set_exception(db.session, "HQ", date(2026, 11, 24), (), actor=clerk)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OpeningException)) == 0


# -- the administrator's page --------------------------------------------------------------------

def post(client, path, data):
    return client.post(path, data={"csrf_token": csrf_token(client, PAGE), **data})


@pytest.mark.hall_clock("2026-11-23T10:00:00+08:00")
def test_an_administrator_sets_the_week_and_an_exception_and_both_are_audited(app, client):
    sign_in(client, "admin")
    page = client.get(PAGE).get_data(as_text=True)
    assert 'value="08:30-12:00 13:30-17:00"' in page and 'data-weekday="sat"' in page
    week = {"mon": "08:30-12:00 13:30-17:00", "tue": "08:30-12:00 13:30-17:00",
            "wed": "08:30-12:00 13:30-17:00", "thu": "08:30-12:00 13:30-17:00",
            "fri": "08:30-12:00 13:30-17:00", "sat": "09:00-12:00", "sun": "",
            "last_ticket_minutes": "15"}
    saved = post(client, PAGE, week)
    assert saved.status_code == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert 'data-day="2026-11-28" data-kind="weekend"' in page
    assert '<td class="mono">09:00-12:00 </td>' in page  # Saturday morning
    assert '<td class="mono">09:00-11:45 </td>' in page  # its tickets

    refused = post(client, PAGE, {**week, "sat": "nine to twelve"})
    assert refused.status_code == 422 and "nine" in refused.get_data(as_text=True)
    exception = post(client, PAGE + "/exceptions", {"day": "2026-12-31", "kind": "closed",
                                                      "note": "年终盘点"})
    assert exception.status_code == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert 'data-day="2026-12-31" data-kind="closed"' in page and "年终盘点" in page
    past = post(client, PAGE + "/exceptions", {"day": "2026-11-20", "kind": "closed"})
    assert past.status_code == 422
    removed = post(client, PAGE + "/exceptions/remove", {"day": "2026-12-31"})
    assert removed.status_code == 302

    with app.app_context():
        kinds = [(e.kind, e.actor) for e in db.session.scalars(
            sa.select(Event).where(Event.kind.like("hours.%")).order_by(Event.id))]
        week_set = db.session.scalar(sa.select(Event).where(Event.kind == "hours.week_set"))
    assert kinds == [("hours.week_set", "admin"), ("hours.exception_set", "admin"),
                     ("hours.exception_removed", "admin")]
    assert week_set.data["changed"]["sat"] == {"before": "", "after": "09:00-12:00"}
    assert week_set.data["changed"]["last_ticket_minutes"] == {"before": 30, "after": 15}
    audit = client.get("/admin/audit?kind=hours.").get_data(as_text=True)
    assert "09:00-12:00" in audit

    sign_in(other := app.test_client(), "clerk03")
    assert other.get(PAGE).status_code == 403


@pytest.mark.hall_clock("2026-11-23T10:00:00+08:00")
def test_the_command_line_sets_and_shows_the_hours(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["hours", "set", "HQ", "sat", "09:00-12:00",
                               "--by", "admin"]).output == "Saved.\n"
    closed = runner.invoke(args=["hours", "close", "HQ", "2026-11-24", "--note", "培训",
                                 "--by", "admin"])
    assert closed.exit_code == 0, closed.output
    shown = runner.invoke(args=["hours", "show", "HQ", "--days", "7"]).output
    assert "sat  09:00-12:00" in shown
    assert "2026-11-24 Tue closed" in shown and "培训" in shown
    assert "2026-11-28 Sat weekend  09:00-12:00" in shown
    by_clerk = runner.invoke(args=["hours", "clear", "HQ", "2026-11-24", "--by", "clerk03"])
    assert by_clerk.exit_code != 0 and "Refused" in by_clerk.output
    assert runner.invoke(args=["hours", "set", "HQ", "sat", "9 to 12",
                               "--by", "admin"]).exit_code != 0
    with app.app_context():
        assert [e.kind for e in db.session.scalars(
            sa.select(Event).where(Event.kind.like("hours.%")).order_by(Event.id))] == [
            "hours.week_set", "hours.exception_set"]
