"""Working days and deadlines: 2026's holidays and make-up days, pauses, extensions, the
warning margin, provisional deadlines in a year without a notice, and local days."""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from conftest import MONDAY_0930, actor
from hall import calendar, calendar_admin
from hall.db import write_transaction
from hall.models import CalendarDay, CalendarYear, Event, Hall
from hall.web.extensions import db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    """An instant given as the hall's wall-clock time."""
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def close_of(y: int, m: int, d: int) -> datetime:
    """17:00 in Shanghai is 09:00 UTC."""
    return datetime(y, m, d, 9, tzinfo=UTC)


@pytest.fixture
def session(app):
    """The app's session with the official years imported (the template may have them)."""
    with app.app_context():
        calendar.import_official(db.session)
        yield db.session


def hall(session, code: str) -> Hall:
    return session.scalar(sa.select(Hall).where(Hall.code == code))


# Each row: accepted on, working days, due on — across 2026's notice (国办发明电〔2025〕7号).
DUE_DATES = [
    pytest.param(date(2026, 9, 18), 20, date(2026, 10, 22), id="national-day-and-10-10-make-up"),
    pytest.param(date(2026, 2, 13), 5, date(2026, 2, 27), id="spring-festival-02-14-make-up"),
    pytest.param(date(2025, 12, 31), 3, date(2026, 1, 6), id="new-year-01-04-sunday-worked"),
    pytest.param(date(2026, 1, 2), 1, date(2026, 1, 4), id="accepted-on-a-holiday"),
    pytest.param(date(2026, 2, 12), 3, date(2026, 2, 24), id="spring-festival-holidays"),
    pytest.param(date(2026, 2, 24), 4, date(2026, 2, 28), id="spring-festival-02-28-worked"),
    pytest.param(date(2026, 4, 2), 2, date(2026, 4, 7), id="qingming"),
    pytest.param(date(2026, 4, 30), 1, date(2026, 5, 6), id="labour-day"),
    pytest.param(date(2026, 5, 7), 2, date(2026, 5, 9), id="labour-day-05-09-worked"),
    pytest.param(date(2026, 6, 18), 1, date(2026, 6, 22), id="dragon-boat"),
    pytest.param(date(2026, 9, 18), 1, date(2026, 9, 20), id="09-20-sunday-worked"),
    pytest.param(date(2026, 9, 24), 1, date(2026, 9, 28), id="mid-autumn"),
    pytest.param(date(2026, 9, 30), 1, date(2026, 10, 8), id="national-day"),
    pytest.param(date(2026, 10, 8), 2, date(2026, 10, 10), id="10-10-saturday-worked"),
    pytest.param(date(2026, 10, 3), 5, date(2026, 10, 13), id="accepted-on-a-weekend-holiday"),
    pytest.param(date(2026, 11, 20), 1, date(2026, 11, 23), id="plain-weekend"),
    pytest.param(date(2026, 11, 21), 1, date(2026, 11, 23), id="accepted-on-a-saturday"),
    pytest.param(date(2026, 11, 16), 10, date(2026, 11, 30), id="two-plain-weeks"),
    pytest.param(date(2026, 11, 23), 1, date(2026, 11, 24), id="one-day-limit"),
]


@pytest.mark.parametrize(("accepted_on", "days", "due_on"), DUE_DATES)
def test_due_dates_across_2026(session, accepted_on, days, due_on):
    assert calendar.due_date(session, None, accepted_on, days) == (due_on, False)
    # The same through deadline(): close of business, Shanghai time, whatever the hour.
    cal = calendar.load(session, hall(session, "HQ").id)
    for hour in (0, 9, 23):
        found = calendar.deadline(cal, accepted_at=local(*accepted_on.timetuple()[:3], hour),
                                  limit_days=days)
        assert (found.due_at, found.provisional, found.working_days) == \
            (close_of(due_on.year, due_on.month, due_on.day), False, days)


def test_the_acceptance_day_is_the_hall_s_local_date():
    # 00:30 on Tuesday in Shanghai is still Monday in UTC: Tuesday is the acceptance day.
    cal = calendar.WorkingCalendar({}, {2026})
    found = calendar.deadline(cal, accepted_at=datetime(2026, 11, 23, 16, 30, tzinfo=UTC),
                              limit_days=1)
    assert found.due_at == close_of(2026, 11, 25)


def test_close_of_business_and_time_zone_are_settings():
    cal = calendar.WorkingCalendar({}, {2026})
    found = calendar.deadline(cal, accepted_at=MONDAY_0930, limit_days=1,
                              close_of_business=time(17, 30))
    assert found.due_at == datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    found = calendar.deadline(cal, accepted_at=MONDAY_0930, limit_days=1, tz="Asia/Urumqi")
    assert found.due_at == datetime(2026, 11, 24, 11, tzinfo=UTC)


def test_on_the_spot_items_and_naive_times_have_no_deadline():
    cal = calendar.WorkingCalendar({}, {2026})
    with pytest.raises(ValueError):
        calendar.deadline(cal, accepted_at=MONDAY_0930, limit_days=0)
    with pytest.raises(ValueError):
        calendar.deadline(cal, accepted_at=datetime(2026, 11, 23, 9), limit_days=5)
    with pytest.raises(ValueError):
        calendar.deadline(cal, accepted_at=MONDAY_0930, limit_days=5, extension_days=-1)
    assert cal.working_days_after(date(2026, 11, 23), 0) == (date(2026, 11, 23), False)


# -- pauses ---------------------------------------------------------------------------------------

# Accepted Monday 2026-11-23 09:30 with 5 working days: due Monday 11-30 without a pause.
PAUSES = [
    pytest.param([], date(2026, 11, 30), 0, id="no-pause"),
    pytest.param([(local(2026, 11, 25), local(2026, 11, 27, 9))], date(2026, 12, 2), 2,
                 id="wednesday-and-thursday-paused"),
    pytest.param([(local(2026, 11, 25, 10), local(2026, 11, 25, 15))], date(2026, 11, 30), 0,
                 id="same-day-pause-skips-nothing"),
    pytest.param([(local(2026, 11, 23, 11), local(2026, 11, 25, 10))], date(2026, 12, 1), 1,
                 id="acceptance-day-not-taken-twice"),
    pytest.param([(local(2026, 11, 27, 16), local(2026, 11, 30, 9))], date(2026, 12, 1), 1,
                 id="friday-to-monday-skips-friday-only"),
    pytest.param([(local(2026, 11, 30, 9), local(2026, 12, 1, 9))], date(2026, 12, 1), 1,
                 id="pause-over-the-due-day-moves-it"),
    pytest.param([(local(2026, 11, 24), local(2026, 11, 25)),
                  (local(2026, 11, 26), local(2026, 11, 27))], date(2026, 12, 2), 2,
                 id="two-pauses"),
    pytest.param([(local(2026, 12, 7), local(2026, 12, 9))], date(2026, 11, 30), 0,
                 id="pause-after-the-due-day-changes-nothing"),
]


@pytest.mark.parametrize(("pauses", "due_on", "paused"), PAUSES)
def test_paused_working_days_do_not_count(session, pauses, due_on, paused):
    cal = calendar.load(session, None)
    found = calendar.deadline(cal, accepted_at=MONDAY_0930, limit_days=5, pauses=pauses)
    assert (found.due_at, found.paused_days) == (close_of(due_on.year, due_on.month, due_on.day),
                                                 paused)
    # The date form the CLI and the admin page use agrees.
    spans = [(s.date(), e.date()) for s, e in pauses]
    assert calendar.due_date(session, None, date(2026, 11, 23), 5, spans)[0] == due_on


def test_a_pause_over_national_day_takes_out_only_its_working_days(session):
    cal = calendar.load(session, None)
    accepted = local(2026, 9, 28)  # due 10-10 (the make-up Saturday) without a pause
    assert calendar.deadline(cal, accepted_at=accepted, limit_days=5).due_at == close_of(2026, 10, 10)
    found = calendar.deadline(cal, accepted_at=accepted, limit_days=5,
                              pauses=[(local(2026, 9, 30, 9), local(2026, 10, 9, 9))])
    # 09-30 and 10-08 were working days; 10-01 to 10-07 were not and are not taken out.
    assert (found.due_at, found.paused_days) == (close_of(2026, 10, 13), 2)


# -- extension and the warning margin --------------------------------------------------------------

@pytest.mark.parametrize(("days", "margin"), [(1, 1), (4, 1), (5, 1), (6, 2), (10, 2), (15, 3),
                                              (20, 4), (21, 5), (60, 12)])
def test_the_warning_margin_is_a_fifth_rounded_up(days, margin):
    assert calendar.warning_margin(days) == margin


def test_yellow_from_close_of_business_before_the_margin(session):
    cal = calendar.load(session, None)
    # 20 days from 09-18: margin 4, yellow after the 16th working day (10-16).
    found = calendar.deadline(cal, accepted_at=local(2026, 9, 18), limit_days=20)
    assert (found.yellow_at, found.due_at) == (close_of(2026, 10, 16), close_of(2026, 10, 22))
    # 5 days from 02-13: margin 1, yellow after the 4th working day (02-26).
    found = calendar.deadline(cal, accepted_at=local(2026, 2, 13), limit_days=5)
    assert (found.yellow_at, found.due_at) == (close_of(2026, 2, 26), close_of(2026, 2, 27))
    # 1 day: yellow from close of business of the acceptance day itself.
    found = calendar.deadline(cal, accepted_at=MONDAY_0930, limit_days=1)
    assert (found.yellow_at, found.due_at) == (close_of(2026, 11, 23), close_of(2026, 11, 24))


def test_an_extension_adds_working_days_and_widens_the_margin(session):
    cal = calendar.load(session, None)
    plain = calendar.deadline(cal, accepted_at=local(2026, 9, 18), limit_days=15)
    assert (plain.due_at, plain.yellow_at, plain.working_days) == \
        (close_of(2026, 10, 15), close_of(2026, 10, 12), 15)
    extended = calendar.deadline(cal, accepted_at=local(2026, 9, 18), limit_days=15,
                                 extension_days=5)
    assert (extended.due_at, extended.yellow_at, extended.working_days) == \
        (close_of(2026, 10, 22), close_of(2026, 10, 16), 20)


# -- provisional: a year without a notice -----------------------------------------------------

# 2027's notice is not published yet (chinesecalendar 1.11.0 stops at 2026). These days are a
# plausible invention for the test, not the real notice.
NOTICE_2027 = [
    (date(2027, 1, 1), "holiday", "元旦"),
    (date(2027, 2, 5), "holiday", "春节"),
    *[(date(2027, 2, d), "holiday", "春节") for d in range(8, 13)],
    (date(2027, 2, 20), "workday", "春节"),
]


def test_a_deadline_in_2027_is_provisional_until_its_notice_is_entered(app, session):
    assert not calendar.load(session, None).is_official(2027)
    accepted = local(2026, 12, 20)
    before = calendar.deadline(calendar.load(session, None), accepted_at=accepted, limit_days=20)
    # Counted on plain weekdays: 1 January 2027 counts as a working day.
    assert (before.due_at, before.provisional) == (close_of(2027, 1, 15), True)
    assert calendar.due_date(session, None, date(2027, 2, 19), 1) == (date(2027, 2, 22), True)
    # A deadline that ends in 2026 is not provisional.
    assert not calendar.deadline(calendar.load(session, None), accepted_at=accepted,
                                 limit_days=5).provisional

    calendar_admin.enter_notice(session, 2027, NOTICE_2027, notice="国办发明电〔2026〕X号（测试）",
                          actor=actor(app, "admin"), hall=hall(session, "HQ"))

    after = calendar.deadline(calendar.load(session, None), accepted_at=accepted, limit_days=20)
    assert (after.due_at, after.provisional) == (close_of(2027, 1, 18), False)
    assert calendar.due_date(session, None, date(2027, 2, 19), 1) == (date(2027, 2, 20), False)
    assert calendar.due_date(session, None, date(2027, 2, 4), 2) == (date(2027, 2, 16), False)
    year = session.get(CalendarYear, 2027)
    assert (year.official, year.notice, year.entered_by_id) == \
        (True, "国办发明电〔2026〕X号（测试）", actor(app, "admin").staff_id)
    entered = session.scalar(sa.select(Event).where(Event.kind == "calendar.notice_entered"))
    assert entered.actor == "admin"
    assert entered.data["year"] == 2027
    assert entered.data["workdays"] == ["2027-02-20"]
    assert entered.data["holidays"][0] == "2027-01-01" and len(entered.data["holidays"]) == 7


def test_a_notice_entered_again_replaces_the_year_s_days(app, session):
    admin, hq = actor(app, "admin"), hall(session, "HQ")
    calendar_admin.enter_notice(session, 2027, NOTICE_2027, notice="first", actor=admin, hall=hq)
    calendar_admin.enter_notice(session, 2027, [(date(2027, 1, 1), "holiday", "元旦")],
                          notice="corrected", actor=admin, hall=hq)
    assert [(d.day, d.kind) for d in calendar.national_days(session, 2027)] == \
        [(date(2027, 1, 1), "holiday")]
    status = next(y for y in calendar.years(session) if y.year == 2027)
    assert status == calendar.YearStatus(2027, True, "corrected", 1, 0)


BAD_NOTICES = [
    pytest.param([(date(2028, 1, 3), "holiday", "")], calendar.DayOutsideYear, id="other-year"),
    pytest.param([(date(2027, 1, 1), "holiday", ""), (date(2027, 1, 1), "holiday", "")],
                 calendar.DayListedTwice, id="twice"),
    pytest.param([(date(2027, 1, 4), "workday", "")], calendar.WorkdayOnWeekday,
                 id="make-up-on-a-monday"),
    pytest.param([(date(2027, 1, 2), "holiday", "")], calendar.HolidayOnWeekend,
                 id="holiday-on-a-saturday"),
    pytest.param([(date(2027, 1, 1), "vacation", "")], calendar.UnknownKind, id="unknown-kind"),
    pytest.param([(date(2027, 1, 1), "holiday", "元" * 61)], calendar.NameTooLong,
                 id="long-name"),
    pytest.param([], calendar.NoDaysListed, id="empty"),
]


@pytest.mark.parametrize(("days", "problem"), BAD_NOTICES)
def test_a_wrong_notice_is_refused_whole(app, session, days, problem):
    before = session.scalar(sa.select(sa.func.count()).select_from(CalendarDay))
    with pytest.raises(calendar.InvalidCalendarNotice) as refused:
        calendar_admin.enter_notice(session, 2027, days, notice="ref", actor=actor(app, "admin"),
                              hall=hall(session, "HQ"))
    assert [type(p) for p in refused.value.problems] == [problem]
    assert refused.value.status == 422 and refused.value.code == "invalid-calendar-notice"
    assert session.get(CalendarYear, 2027) is None
    assert session.scalar(sa.select(sa.func.count()).select_from(CalendarDay)) == before


def test_every_problem_is_reported_at_once(app, session):
    with pytest.raises(calendar.InvalidCalendarNotice) as refused:
        calendar_admin.enter_notice(session, 2027, [(date(2027, 1, 1), "holiday", "元旦"),
                                              (date(2027, 1, 2), "holiday", ""),
                                              (date(2026, 1, 4), "workday", "")],
                              notice=" ", actor=actor(app, "admin"), hall=hall(session, "HQ"))
    assert [type(p) for p in refused.value.problems] == [
        calendar.NoticeReferenceMissing, calendar.HolidayOnWeekend, calendar.DayOutsideYear]
    assert str(refused.value.problems[1]).startswith("2027-01-02 is a Saturday or Sunday")


def test_notice_lines_are_read_with_comments_and_short_kinds():
    text = """# 2027 (test)
    2027-01-01 holiday 元旦
    2027-02-20   班  春节  # make-up

    2027-02-05 休
    """
    assert calendar.parse_notice_lines(text) == [
        (date(2027, 1, 1), "holiday", "元旦"), (date(2027, 2, 20), "workday", "春节"),
        (date(2027, 2, 5), "holiday", "")]
    with pytest.raises(calendar.InvalidCalendarNotice) as refused:
        calendar.parse_notice_lines("2027-01-01 holiday\n2027-13-01 holiday\n2027-01-04\nhello")
    assert [p.params["line"] for p in refused.value.problems] == [2, 3, 4]


def test_typed_notices_report_unreadable_lines_and_wrong_days_together(app, session):
    with pytest.raises(calendar.InvalidCalendarNotice) as refused:
        calendar_admin.enter_notice_text(session, 2027, "2027-01-02 holiday\nfoo\n", notice="ref",
                                   actor=actor(app, "admin"), hall=hall(session, "HQ"))
    assert [type(p) for p in refused.value.problems] == [calendar.LineNotUnderstood,
                                                         calendar.HolidayOnWeekend]
    calendar_admin.enter_notice_text(session, 2027, "2027-01-01 休 元旦", notice="ref",
                               actor=actor(app, "admin"), hall=hall(session, "HQ"))
    assert calendar.load(session, None).is_official(2027)


# -- the package's years ---------------------------------------------------------------------------

def test_import_official_is_idempotent_and_never_overwrites_a_notice(app, session):
    assert calendar.import_official(session) == []  # the fixture imported already
    years = {y.year: y for y in calendar.years(session)}
    assert set(years) >= set(range(2004, 2027))
    assert years[2026] == calendar.YearStatus(2026, True, "chinesecalendar 1.11.0", 19, 6)
    # Only days that change something are kept: no holiday on a weekend, no weekday worked.
    for row in calendar.national_days(session, 2026):
        assert (row.day.weekday() < 5) == (row.kind == "holiday")
    assert {r.name for r in calendar.national_days(session, 2026)} == {
        "元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"}

    calendar_admin.enter_notice(session, 2025, [(date(2025, 1, 1), "holiday", "元旦")],
                          notice="entered by hand", actor=actor(app, "admin"),
                          hall=hall(session, "HQ"))
    with write_transaction(session):  # a year the package has and the database lost
        session.execute(sa.delete(CalendarDay).where(CalendarDay.day < date(2005, 1, 1)))
        session.execute(sa.delete(CalendarYear).where(CalendarYear.year == 2004))
    assert calendar.import_official(session) == [2004]
    assert calendar.import_official(session) == []
    assert session.get(CalendarYear, 2025).notice == "entered by hand"
    assert len(calendar.national_days(session, 2025)) == 1
    assert len(calendar.national_days(session, 2004)) > 10


# -- local days -----------------------------------------------------------------------------------

def test_a_local_holiday_moves_deadlines_of_that_hall_only(app, session):
    hq, hrb, admin = hall(session, "HQ"), hall(session, "HRB"), actor(app, "admin")
    monday = date(2026, 11, 23)
    assert calendar.due_date(session, hq.id, monday, 1) == (date(2026, 11, 24), False)
    calendar_admin.set_local_day(session, hq, date(2026, 11, 24), "holiday", "地方节日", admin)
    assert calendar.due_date(session, hq.id, monday, 1) == (date(2026, 11, 25), False)
    assert calendar.due_date(session, hrb.id, monday, 1) == (date(2026, 11, 24), False)
    assert calendar.due_date(session, None, monday, 1) == (date(2026, 11, 24), False)
    # A local working Saturday.
    calendar_admin.set_local_day(session, hq, date(2026, 11, 28), "workday", "", admin)
    assert calendar.due_date(session, hq.id, date(2026, 11, 27), 1)[0] == date(2026, 11, 28)
    assert [(d.day, d.kind, d.name) for d in calendar.local_days(session, hq.id)] == [
        (date(2026, 11, 24), "holiday", "地方节日"), (date(2026, 11, 28), "workday", "")]
    # Removed: the national calendar applies again.
    calendar_admin.set_local_day(session, hq, date(2026, 11, 24), None, "", admin)
    assert calendar.due_date(session, hq.id, monday, 1) == (date(2026, 11, 24), False)
    logged = session.scalars(sa.select(Event).where(Event.kind == "calendar.local_day_set")
                             .order_by(Event.id)).all()
    assert [(e.hall_id, e.data["day"], e.data["set_to"], e.data["previous"]) for e in logged] == [
        (hq.id, "2026-11-24", "holiday", None), (hq.id, "2026-11-28", "workday", None),
        (hq.id, "2026-11-24", None, "holiday")]


def test_a_local_day_must_change_something(app, session):
    hq, admin = hall(session, "HQ"), actor(app, "admin")
    with pytest.raises(calendar.LocalDayChangesNothing, match="day off"):
        calendar_admin.set_local_day(session, hq, date(2026, 10, 1), "holiday", "", admin)
    with pytest.raises(calendar.LocalDayChangesNothing, match="working day"):
        calendar_admin.set_local_day(session, hq, date(2026, 10, 10), "workday", "", admin)
    with pytest.raises(calendar.InvalidLocalDay):
        calendar_admin.set_local_day(session, hq, date(2026, 11, 24), "vacation", "", admin)
    with pytest.raises(calendar.NoLocalDay):
        calendar_admin.set_local_day(session, hq, date(2026, 11, 24), None, "", admin)
    # The hall may open on a national holiday.
    calendar_admin.set_local_day(session, hq, date(2026, 10, 5), "workday", "", admin)
    assert calendar.load(session, hq.id).is_working_day(date(2026, 10, 5))


# -- the cache ---------------------------------------------------------------------------------

def test_the_calendar_is_cached_and_a_change_is_seen_at_once(app, session):
    hq = hall(session, "HQ")
    first = calendar.load(session, hq.id)
    assert calendar.load(session, hq.id) is first
    calendar_admin.set_local_day(session, hq, date(2026, 11, 24), "holiday", "", actor(app, "admin"))
    assert calendar.load(session, hq.id) is not first
    assert not calendar.load(session, hq.id).is_working_day(date(2026, 11, 24))


def test_a_change_rolled_back_is_not_cached(app, session):
    hq = hall(session, "HQ")
    with pytest.raises(RuntimeError), write_transaction(session):
        calendar_admin.set_local_day(session, hq, date(2026, 11, 24), "holiday", "",
                               actor(app, "admin"))
        # Inside the transaction its own reads see the change (a recomputation needs it)…
        assert not calendar.load(session, hq.id).is_working_day(date(2026, 11, 24))
        raise RuntimeError("undo")
    # …and after the rollback nobody does.
    assert calendar.load(session, hq.id).is_working_day(date(2026, 11, 24))


def test_other_processes_see_a_change_within_a_minute(app, session, monkeypatch):
    hq = hall(session, "HQ")
    first = calendar.load(session, hq.id)
    with write_transaction(session):  # as another process would: no invalidation here
        session.add(CalendarDay(hall_id=hq.id, day=date(2026, 11, 24), kind="holiday"))
    assert calendar.load(session, hq.id) is first
    now = calendar.monotonic_time.monotonic()
    monkeypatch.setattr(calendar.monotonic_time, "monotonic",
                        lambda: now + calendar.CACHE_SECONDS + 1)
    assert not calendar.load(session, hq.id).is_working_day(date(2026, 11, 24))


def test_years_list_the_status_on_postgresql_too(any_app):
    with any_app.app_context():
        calendar.import_official(db.session)
        years = calendar.years(db.session, also=[2099])
        assert years[-1] == calendar.YearStatus(2099, False, "", 0, 0)
        assert next(y for y in years if y.year == 2026).holidays == 19
        assert calendar.due_date(db.session, None, date(2026, 9, 18), 20) == \
            (date(2026, 10, 22), False)


def test_dates_are_plain_python_dates():
    cal = calendar.WorkingCalendar({date(2026, 11, 24): "holiday"}, {2026})
    assert not cal.is_working_day(date(2026, 11, 24))
    assert cal.working_days_after(date(2026, 11, 23), 1, frozenset({date(2026, 11, 25)})) == \
        (date(2026, 11, 26), False)
    assert cal.unofficial_years(date(2026, 12, 1), date(2028, 1, 1)) == [2027, 2028]
