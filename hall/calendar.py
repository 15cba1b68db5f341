"""Working days (工作日) and the deadlines counted in them.

A day is a working day when its weekday says so (Monday to Friday), unless the calendar says
otherwise: the State Council's notice for the year lists holidays that fall on weekdays and
weekend days that are worked instead (调休); a hall may add local overrides of its own. Each
year is *official* once its notice has been entered; a deadline that reaches into a year that
is not is counted on plain weekdays and marked provisional until the notice arrives.
"""
from __future__ import annotations

import threading
import time as monotonic_time
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, delete, event, func, or_, select
from sqlalchemy.orm import Session, scoped_session

from .db import operation
from .errors import N_, HallError
from .models import CalendarDay, CalendarYear

HOLIDAY, WORKDAY = "holiday", "workday"
KINDS = (HOLIDAY, WORKDAY)
# Years an administrator may enter a notice for.
FIRST_YEAR, LAST_YEAR = 2000, 2099


# -- errors ----------------------------------------------------------------------------------

class CalendarNoticeProblem(HallError):
    """One thing wrong with a notice; an ``InvalidCalendarNotice`` carries all of them."""

    status = 422
    code = "invalid-calendar-notice"


class DayOutsideYear(CalendarNoticeProblem):
    message = N_("%(day)s is not in %(year)s.")


class DayListedTwice(CalendarNoticeProblem):
    message = N_("%(day)s is listed twice.")


class WorkdayOnWeekday(CalendarNoticeProblem):
    message = N_("%(day)s is a weekday: it cannot be a make-up working day.")


class HolidayOnWeekend(CalendarNoticeProblem):
    message = N_("%(day)s is a Saturday or Sunday, a day off anyway: list only the holidays "
                 "that fall on weekdays.")


class UnknownKind(CalendarNoticeProblem):
    message = N_("The kind of day must be holiday or workday.")


class NameTooLong(CalendarNoticeProblem):
    message = N_("The name given for %(day)s is longer than 60 characters.")


class NoDaysListed(CalendarNoticeProblem):
    message = N_("List at least one holiday or make-up working day.")


class NoticeReferenceMissing(CalendarNoticeProblem):
    message = N_("Give the notice's reference (its document number), at most 200 characters.")


class YearOutOfRange(CalendarNoticeProblem):
    message = N_("%(year)s is not a year a notice can be entered for.")


class LineNotUnderstood(CalendarNoticeProblem):
    message = N_("Line %(line)s is not understood: “%(text)s”. Write a date, holiday or "
                 "workday, and a name, e.g. 2027-01-01 holiday 元旦.")


class InvalidCalendarNotice(HallError):
    """A notice refused as a whole: nothing is changed; ``problems`` says what to correct."""

    status = 422
    code = "invalid-calendar-notice"
    message = N_("The calendar notice was not entered; nothing was changed.")

    def __init__(self, problems: Sequence[CalendarNoticeProblem],
                 days: Sequence[tuple[date, str, str]] = ()) -> None:
        super().__init__()
        self.problems = list(problems)
        self.days = list(days)  # what could be read, when lines were not understood


class InvalidLocalDay(HallError):
    status = 422
    code = "invalid-local-day"
    message = N_("The kind of day must be holiday or workday.")


class LocalDayChangesNothing(InvalidLocalDay):
    message = N_("%(day)s is already a working day in the national calendar.")
    DAY_OFF = N_("%(day)s is already a day off in the national calendar.")


class NoLocalDay(HallError):
    status = 404
    code = "no-local-day"
    message = N_("This hall has no local override on %(day)s.")


# -- the calendar of one hall ------------------------------------------------------------------

class WorkingCalendar:
    """The working days of one hall: the national days overridden by the hall's own, and the
    years whose official notice has been entered."""

    def __init__(self, days: Mapping[date, str], official_years: Iterable[int]) -> None:
        self._days = dict(days)
        self._official = frozenset(official_years)

    def is_working_day(self, day: date) -> bool:
        kind = self._days.get(day)
        if kind is not None:
            return kind == WORKDAY
        return day.weekday() < 5

    def is_official(self, year: int) -> bool:
        return year in self._official

    def working_days_after(self, start: date, n: int,
                           skip: frozenset[date] = frozenset()) -> tuple[date, bool]:
        """The ``n``-th working day after ``start`` (which itself does not count), leaving
        out the days in ``skip``; and whether any day walked over lies in a year without an
        official notice (the answer is then provisional). ``n`` 0 gives ``start``."""
        if n < 0:
            raise ValueError("a number of working days cannot be negative")
        day, counted, provisional = start, 0, False
        while counted < n:
            day += timedelta(days=1)
            if day.year not in self._official:
                provisional = True
            if day not in skip and self.is_working_day(day):
                counted += 1
        return day, provisional

    def unofficial_years(self, start: date, end: date) -> list[int]:
        """The years from ``start`` to ``end`` that have no official notice yet."""
        return [y for y in range(start.year, end.year + 1) if y not in self._official]


# -- loading, with a short cache -----------------------------------------------------------------

CACHE_SECONDS = 60.0
_CHANGED = "hall.calendar_changed"
_cache: weakref.WeakKeyDictionary[object, dict] = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()
_generation = 0


def invalidate() -> None:
    """Forget every cached calendar in this process (other processes notice within
    ``CACHE_SECONDS``)."""
    global _generation
    with _cache_lock:
        _generation += 1
        _cache.clear()


def changed_in(session: Session) -> None:
    """This transaction changed the calendar: its own loads read the rows afresh, and the
    cache is dropped once it ends (not before, or another thread could cache the old rows)."""
    session.info[_CHANGED] = True
    invalidate()


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _transaction_ended(session: Session, *_args) -> None:
    if session.info.pop(_CHANGED, None):
        invalidate()


def load(session: Session, hall_id: int | None, *, fresh: bool = False) -> WorkingCalendar:
    """The working calendar of a hall (``None``: the national calendar alone), read once and
    kept for up to ``CACHE_SECONDS``; ``fresh``: read now, whatever is kept."""
    if isinstance(session, scoped_session):
        session = session()
    if fresh or session.info.get(_CHANGED):
        return _read(session, hall_id)
    engine = session.get_bind()
    with _cache_lock:
        generation = _generation
        cached = _cache.get(engine, {}).get(hall_id)
    if cached is not None and monotonic_time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    calendar = _read(session, hall_id)
    with _cache_lock:
        if generation == _generation:  # nothing was written while we read
            _cache.setdefault(engine, {})[hall_id] = (monotonic_time.monotonic(), calendar)
    return calendar


def _read(session: Session, hall_id: int | None) -> WorkingCalendar:
    scope: ColumnElement[bool] = CalendarDay.hall_id.is_(None)
    if hall_id is not None:
        scope = or_(scope, CalendarDay.hall_id == hall_id)
    rows = session.execute(select(CalendarDay.day, CalendarDay.kind, CalendarDay.hall_id)
                           .where(scope)).all()
    # National days first, so that the hall's own override them.
    days = {day: kind for day, kind, hall in sorted(rows, key=lambda r: r[2] is not None)}
    official = session.scalars(select(CalendarYear.year).where(CalendarYear.official)).all()
    return WorkingCalendar(days, official)


# -- deadlines ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Deadline:
    due_at: datetime       # aware, UTC: close of business of the last working day
    yellow_at: datetime    # aware, UTC: from then on the case is inside its warning margin
    provisional: bool      # counted partly on plain weekdays: a year's notice is missing
    working_days: int      # the time limit plus any extension granted
    paused_days: int       # working days the clock stood still, up to the due day


def warning_margin(working_days: int) -> int:
    """A fifth of the time limit, rounded up, and at least one working day."""
    return max(1, -(-working_days // 5))


def paused_days(accepted_on: date, spans: Iterable[tuple[date, date]]) -> frozenset[date]:
    """The days a clock pause takes out: from the day it began up to, but not including, the
    day it ended, and never the acceptance day or earlier (it does not count anyway)."""
    days: set[date] = set()
    for start, end in spans:
        day = max(start, accepted_on + timedelta(days=1))
        while day < end:
            days.add(day)
            day += timedelta(days=1)
    return frozenset(days)


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("deadlines are computed from aware datetimes only")
    return at


def deadline(calendar: WorkingCalendar, *, accepted_at: datetime, limit_days: int,
             extension_days: int = 0, pauses: Sequence[tuple[datetime, datetime]] = (),
             close_of_business: time = time(17), tz: str = "Asia/Shanghai") -> Deadline:
    """The deadline of a case accepted at ``accepted_at`` with a time limit of ``limit_days``
    working days, ``extension_days`` more granted.

    The rules of the hall:

    - Days are local dates in ``tz``. The day of acceptance does not count (Civil Code
      art. 201): the case is due at ``close_of_business`` of the (limit + extension)-th
      working day after it.
    - A clock pause (补正, 公示) given as (start, end) takes out every working day from the
      local date it began up to, not including, the local date it ended, and after the
      acceptance day: a pause that begins and ends on the same day takes out nothing; the day
      the clock restarts counts in full; a pause over a holiday takes out only its working
      days; a pause that covers the would-be due day moves the deadline on.
    - The warning margin is a fifth of the working days, rounded up, at least one; the case is
      yellow from close of business of the (total − margin)-th working day (day 0 being the
      acceptance day itself).
    - The deadline is provisional if any day counted over lies in a year whose official
      notice has not been entered (those days are counted as plain weekdays).

    On-the-spot items (即办件, a limit of 0) have no deadline: asking for one is an error.
    """
    if limit_days < 1:
        raise ValueError("on-the-spot items have no deadline: the time limit must be 1 or more")
    if extension_days < 0:
        raise ValueError("an extension cannot be negative")
    zone = ZoneInfo(tz)
    accepted_on = _aware(accepted_at).astimezone(zone).date()
    skip = paused_days(accepted_on, ((_aware(s).astimezone(zone).date(),
                                      _aware(e).astimezone(zone).date()) for s, e in pauses))
    total = limit_days + extension_days
    due_on, provisional = calendar.working_days_after(accepted_on, total, skip)
    margin = warning_margin(total)
    yellow_on = (calendar.working_days_after(accepted_on, total - margin, skip)[0]
                 if total > margin else accepted_on)

    def close_of(day: date) -> datetime:
        return datetime.combine(day, close_of_business, tzinfo=zone).astimezone(UTC)

    return Deadline(
        due_at=close_of(due_on), yellow_at=close_of(yellow_on), provisional=provisional,
        working_days=total,
        paused_days=sum(1 for d in skip if d <= due_on and calendar.is_working_day(d)),
    )


def due_date(session: Session, hall_id: int | None, accepted_on: date, days: int,
             pauses: Iterable[tuple[date, date]] = ()) -> tuple[date, bool]:
    """The due day of a matter accepted on ``accepted_on`` with ``days`` working days, and
    whether it is provisional; pauses are (first day paused, day the clock restarted)."""
    if days < 1:
        raise ValueError("the number of working days must be 1 or more")
    calendar = load(session, hall_id)
    return calendar.working_days_after(accepted_on, days, paused_days(accepted_on, pauses))


# -- the national calendar: the package's years, and notices entered ---------------------------

# chinesecalendar names its days in English; the hall shows the names of the notices.
CHINESE_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节", "Anti-Fascist 70th Day": "中国人民抗日战争胜利70周年纪念日",
}


def official_source() -> tuple[str, dict[int, list[tuple[date, str, str]]]]:
    """The notice label and, per year, the days of the ``chinesecalendar`` package: holidays
    that fall on weekdays and weekend days worked (a holiday on a weekend changes nothing)."""
    import chinese_calendar
    from chinese_calendar import constants

    by_year: dict[int, list[tuple[date, str, str]]] = {}
    for source, kind in ((constants.holidays, HOLIDAY), (constants.workdays, WORKDAY)):
        for day, name in source.items():
            if (day.weekday() < 5) == (kind == HOLIDAY):
                by_year.setdefault(day.year, []).append(
                    (day, kind, CHINESE_NAMES.get(name, name)))
    return f"chinesecalendar {chinese_calendar.__version__}", by_year


@operation
def import_official(session: Session) -> list[int]:
    """Enter, for every year the ``chinesecalendar`` package covers and that has no calendar
    year yet, its holidays and make-up days as official. Safe to run again; never touches a
    year already there (an administrator's notice stays). Returns the years imported."""
    notice, by_year = official_source()
    present = set(session.scalars(select(CalendarYear.year)))
    imported = sorted(set(by_year) - present)
    for year in imported:
        replace_national_days(session, year, by_year[year])
        session.add(CalendarYear(year=year, official=True, notice=notice))
    if imported:
        session.flush()
        changed_in(session)
    return imported


def replace_national_days(session: Session, year: int,
                           days: Sequence[tuple[date, str, str]]) -> None:
    session.execute(delete(CalendarDay).where(
        CalendarDay.hall_id.is_(None),
        CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))))
    session.add_all(CalendarDay(hall_id=None, day=d, kind=k, name=n) for d, k, n in days)


def check_notice(year: int, days: Sequence[tuple[date, str, str]],
                 notice: str) -> list[CalendarNoticeProblem]:
    """Everything wrong with a notice, in the order of its lines."""
    problems: list[CalendarNoticeProblem] = []
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return [YearOutOfRange(year=year)]
    if not notice.strip() or len(notice.strip()) > 200:
        problems.append(NoticeReferenceMissing())
    if not days:
        problems.append(NoDaysListed())
    seen: set[date] = set()
    for day, kind, name in days:
        shown = day.isoformat()
        if day.year != year:
            problems.append(DayOutsideYear(day=shown, year=year))
        if day in seen:
            problems.append(DayListedTwice(day=shown))
        seen.add(day)
        if kind not in KINDS:
            problems.append(UnknownKind())
        elif kind == WORKDAY and day.weekday() < 5:
            problems.append(WorkdayOnWeekday(day=shown))
        elif kind == HOLIDAY and day.weekday() >= 5:
            problems.append(HolidayOnWeekend(day=shown))
        if len(name) > 60:
            problems.append(NameTooLong(day=shown))
    return problems


def parse_notice_lines(text: str) -> list[tuple[date, str, str]]:
    """The days of a notice written one a line, ``2027-01-01 holiday 元旦`` (休 and 班 may
    stand for holiday and workday; ``#`` starts a comment). A line not understood raises
    ``InvalidCalendarNotice``, whose ``days`` are the lines that were."""
    aliases = {"holiday": HOLIDAY, "休": HOLIDAY, "workday": WORKDAY, "班": WORKDAY}
    days, problems = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(None, 2)
        try:
            day = date.fromisoformat(parts[0])
            kind = aliases[parts[1].lower()] if len(parts) > 1 else None
        except (ValueError, KeyError):
            kind = None
        if kind is None:
            problems.append(LineNotUnderstood(line=number, text=line[:80]))
            continue
        days.append((day, kind, parts[2].strip() if len(parts) > 2 else ""))
    if problems:
        raise InvalidCalendarNotice(problems, days=days)
    return days


# -- what there is -------------------------------------------------------------------------------

class YearStatus(NamedTuple):
    year: int
    official: bool
    notice: str
    holidays: int
    workdays: int


def years(session: Session, *, also: Iterable[int] = ()) -> list[YearStatus]:
    """Every year the calendar knows, plus the years in ``also`` (e.g. this year and the
    next), with whether its notice is official and how many days it lists."""
    year_of = func.extract("year", CalendarDay.day)
    counts: dict[tuple[int, str], int] = {
        (int(y), k): n for y, k, n in session.execute(
            select(year_of, CalendarDay.kind, func.count()).where(CalendarDay.hall_id.is_(None))
            .group_by(year_of, CalendarDay.kind))}
    rows = {r.year: r for r in session.scalars(select(CalendarYear))}
    known = set(rows) | {y for y, _k in counts} | set(also)
    return [YearStatus(y, bool(rows[y].official) if y in rows else False,
                       rows[y].notice if y in rows else "",
                       counts.get((y, HOLIDAY), 0), counts.get((y, WORKDAY), 0))
            for y in sorted(known)]


def national_days(session: Session, year: int) -> list[CalendarDay]:
    return list(session.scalars(select(CalendarDay).where(
        CalendarDay.hall_id.is_(None),
        CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))).order_by(CalendarDay.day)))


def local_days(session: Session, hall_id: int) -> list[CalendarDay]:
    return list(session.scalars(select(CalendarDay).where(CalendarDay.hall_id == hall_id)
                                .order_by(CalendarDay.day)))
