"""The pre-review limit of an application online, as a table (hall.prereview): five working
days from the receipt of the documents (the day of receipt not counted) over weekends,
national holidays and make-up working days; and the deemed acceptance (行政许可法 art. 32):
answered after the limit, the case's clock starts on the day the documents arrived, and its
deadline is counted from then, across a holiday and a make-up working day."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from hall import calendar
from hall.prereview import accepted_from, prereview_due, warning_at

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


LIMITS = [
    # (why, received, due, yellow, provisional)
    ("a plain week: Monday's documents, due the Monday after", "2026-11-23 10:00",
     "2026-11-30", "2026-11-27", False),
    ("sent on a Sunday night: Monday is the first day", "2026-11-29 22:00",
     "2026-12-04", "2026-12-03", False),
    ("over National Day: its make-up Saturday counts", "2026-09-30 10:00",
     "2026-10-13", "2026-10-12", False),
    ("the make-up Sunday before National Day is the first day", "2026-09-18 16:00",
     "2026-09-24", "2026-09-23", False),
    ("over the Spring Festival, its make-up Saturday first", "2026-02-13 09:00",
     "2026-02-27", "2026-02-26", False),
    ("received after close of business: the day still does not count", "2026-11-23 20:00",
     "2026-11-30", "2026-11-27", False),
    ("into 2027, whose notice is not entered yet", "2026-12-28 10:00",
     "2027-01-04", "2027-01-01", True),
]


@pytest.mark.parametrize("why, received, due, yellow, provisional", LIMITS,
                         ids=[row[0] for row in LIMITS])
def test_the_five_days_of_pre_review(work, why, received, due, yellow, provisional):
    limit = prereview_due(work, received_at=at(received), tz="Asia/Shanghai")
    assert limit.due_at == close(due), why
    assert limit.yellow_at == close(yellow), why
    assert limit.provisional is provisional, why


COLOURS = [
    ("before the warning margin", "2026-11-26 16:59", "none"),
    ("from close of business of the fourth day", "2026-11-27 17:00", "yellow"),
    ("at the end of the fifth", "2026-11-30 17:00", "red"),
]


@pytest.mark.parametrize("why, now, colour", COLOURS, ids=[row[0] for row in COLOURS])
def test_yellow_and_red(work, why, now, colour):
    limit = prereview_due(work, received_at=at("2026-11-23 10:00"))
    assert warning_at(at(now), due_at=limit.due_at, yellow_at=limit.yellow_at) == colour


ACCEPTANCES = [
    # (why, received, decided, deemed, the case's deadline for a 3-working-day item)
    ("answered within the five days: the clock starts at the acceptance",
     "2026-11-23 10:00", "2026-11-27 15:00", False, "2026-12-02"),
    ("answered on the last day before close: still on time",
     "2026-11-23 10:00", "2026-11-30 16:59", False, "2026-12-03"),
    ("answered a minute late: accepted from the day the documents arrived",
     "2026-11-23 10:00", "2026-11-30 17:01", True, "2026-11-26"),
    ("late across National Day: counted from 30 September, its make-up Saturday the third day",
     "2026-09-30 10:00", "2026-10-14 09:00", True, "2026-10-10"),
    ("late across the Spring Festival: its make-up Saturday the first day",
     "2026-02-13 09:00", "2026-03-02 09:00", True, "2026-02-25"),
    ("on time across National Day: counted from the acceptance on the make-up Saturday",
     "2026-09-30 10:00", "2026-10-10 11:00", False, "2026-10-14"),
]


@pytest.mark.parametrize("why, received, decided, deemed, case_due", ACCEPTANCES,
                         ids=[row[0] for row in ACCEPTANCES])
def test_deemed_acceptance_and_the_case_deadline(work, why, received, decided, deemed,
                                                 case_due):
    limit = prereview_due(work, received_at=at(received))
    start = accepted_from(received_at=at(received), decided_at=at(decided),
                          due_at=limit.due_at)
    assert start.deemed is deemed and start.on_time is (not deemed), why
    assert start.starts_at == (at(received) if deemed else at(decided)), why
    case = calendar.deadline(work, accepted_at=start.starts_at, limit_days=3)
    assert case.due_at == close(case_due), why
