"""The time limits of questions, complaints and reports, as a table (hall.enquiry_deadlines):
working days over weekends, national holidays and make-up days; calendar days to the close of
the hall's day, a last day off moved to the next working day (Civil Code art. 203); the
extension; and the limits an administrator sets, which apply to new enquiries only."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from hall import calendar
from hall.enquiry_deadlines import CALENDAR, DEFAULT_RULES, WORKING, Limit, due

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def work() -> calendar.WorkingCalendar:
    """The national calendar of the chinesecalendar package (2026 official, 2027 not)."""
    _notice, by_year = calendar.official_source()
    days = {d: kind for year in by_year.values() for d, kind, _name in year}
    return calendar.WorkingCalendar(days, by_year)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


def close(day: str) -> datetime:
    """17:00 in Harbin, the close of business the limits end at."""
    return datetime.combine(date.fromisoformat(day), time(17), ZONE)


TABLE = [
    # (why, start, limit, extension, due, yellow, provisional)
    ("question: 3 working days over a weekend", "2026-11-26 10:00", Limit(3, WORKING), 0,
     "2026-12-01", "2026-11-30", False),
    ("question: over National Day, ending on its make-up Saturday", "2026-09-30 10:00",
     Limit(3, WORKING), 0, "2026-10-10", "2026-10-09", False),
    ("question: a make-up Sunday counts", "2026-09-18 16:00", Limit(3, WORKING), 0,
     "2026-09-22", "2026-09-21", False),
    ("question: over the Spring Festival, its make-up Saturday first", "2026-02-13 09:00",
     Limit(3, WORKING), 0, "2026-02-25", "2026-02-24", False),
    ("question sent on a Sunday: Monday is the first day", "2026-11-29 22:00",
     Limit(3, WORKING), 0, "2026-12-02", "2026-12-01", False),
    ("complaint: accepted or declined in 15 calendar days", "2026-11-23 10:00",
     Limit(15, CALENDAR), 0, "2026-12-08", "2026-12-05", False),
    ("complaint: the 15th day a Saturday, so the Monday after", "2026-11-20 10:00",
     Limit(15, CALENDAR), 0, "2026-12-07", "2026-12-02", False),
    ("complaint: the 15th day National Day, so the first working day after", "2026-09-16 10:00",
     Limit(15, CALENDAR), 0, "2026-10-08", "2026-09-28", False),
    ("complaint: concluded in 60 calendar days", "2026-06-01 09:00", Limit(60, CALENDAR), 0,
     "2026-07-31", "2026-07-19", False),
    ("complaint: 60 days ending in National Day", "2026-08-03 09:00", Limit(60, CALENDAR), 0,
     "2026-10-08", "2026-09-20", False),
    ("complaint: extended once by 30, the 90th day a Sunday", "2026-06-01 09:00",
     Limit(60, CALENDAR), 30, "2026-08-31", "2026-08-12", False),
    ("complaint: into 2027, whose notice is not entered yet", "2026-11-23 10:00",
     Limit(60, CALENDAR), 0, "2027-01-22", "2027-01-10", True),
    ("question: into 2027, New Year's Day counted as a plain Friday until the notice",
     "2026-12-30 10:00", Limit(3, WORKING), 0, "2027-01-04", "2027-01-01", True),
]


@pytest.mark.parametrize("why,start,limit,extension,due_on,yellow_on,provisional", TABLE,
                         ids=[row[0] for row in TABLE])
def test_the_time_limit_table(work, why, start, limit, extension, due_on, yellow_on,
                              provisional):
    found = due(work, start=at(start), limit=limit, extension_days=extension,
                close_of_business=time(17), tz="Asia/Shanghai")
    assert found.due_at == close(due_on), why
    assert found.yellow_at == close(yellow_on), why
    assert found.provisional is provisional, why


def test_the_defaults_are_the_hall_s_rules():
    question, complaint, report = (DEFAULT_RULES[k] for k in ("consultation", "complaint",
                                                              "report"))
    assert (question.respond, question.conclude, question.extension_days) == (
        Limit(3, WORKING), None, 0)
    assert (complaint.respond, complaint.conclude, complaint.extension_days) == (
        Limit(15, CALENDAR), Limit(60, CALENDAR), 30)
    assert report == DEFAULT_RULES["report"] and (report.respond, report.conclude) == (
        complaint.respond, complaint.conclude)


def test_a_limit_is_a_day_or_more(work):
    with pytest.raises(ValueError):
        due(work, start=at("2026-11-23 10:00"), limit=Limit(0, CALENDAR))
