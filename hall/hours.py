"""Opening hours (开放时间): when a hall is open, when it takes tickets, when its day ends.

The rules of the hall:

- A hall keeps spans per weekday, e.g. Monday to Friday 09:00–12:00 and 13:30–17:00. A hall
  with no hours of its own keeps ``DEFAULT_WEEK``: working days 09:00–17:00.
- The hall's working-day calendar (``hall.calendar``, its local days included) decides the
  date: a holiday that falls on a weekday closes the hall; a weekend day worked in place of a
  holiday (调休) opens it as a working day, with the hours of its first working weekday
  (Monday's, as a rule); any other day keeps its weekday's spans (a hall may open on
  Saturdays).
- A dated exception set by an administrator wins over all of that: closed all day, or
  special hours.
- Tickets are taken until ``last_ticket_minutes`` before each span closes, so that whoever
  takes one can be served; never on a day that is already closed (its report is kept).
- A day's business ends at its last closing time, or at ``END_OF_DAY`` when that is later
  (the time in between serves who took a ticket before closing); a day the hall does not
  open ends at ``END_OF_DAY``. Only then is the day closed (``hall.endofday``).
- Windows may be opened from ``WINDOW_LEAD`` before the day's first opening (clerks get
  ready) until the day's business ends, never on a day the hall does not open.

Administrators change them with ``hall.hours_admin``. Reading is the kiosk's hot path: one
hall's hours are read once and kept for ``CACHE_SECONDS``, dropped at once when this process
changes them or closes a day; another process sees a change within ``CACHE_SECONDS``.
"""
from __future__ import annotations

import itertools
import re
import threading
import time as monotonic_time
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event, select
from sqlalchemy.orm import Session, scoped_session

from . import calendar, clock, settings
from .errors import N_, HallClosed, HallError, WindowsClosed
from .models import DailyReport, Hall, OpeningException, OpeningHours

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_SPANS = 4              # spans a day: morning, afternoon, an evening, and one more
MAX_LAST_TICKET = 240      # minutes before closing; more is a typing mistake
WINDOW_LEAD = timedelta(hours=1)
LOOK_AHEAD_DAYS = 400      # "when does it next open" looks this far, past any holiday
KEPT_DAYS = 31             # exceptions and closed days read back this far

WORKING, WEEKEND, HOLIDAY, MAKEUP, SPECIAL, CLOSED = (
    "working", "weekend", "holiday", "makeup", "special", "closed")


# -- errors ----------------------------------------------------------------------------------

class InvalidHours(HallError):
    status = 422
    code = "invalid-hours"
    message = N_("“%(text)s” is not understood: write the hours like 09:00-12:00 13:30-17:00.")


class HoursOverlap(InvalidHours):
    message = N_("%(first)s and %(second)s overlap.")


class TooManySpans(InvalidHours):
    message = N_("At most %(max)s spans a day.")


# -- spans ------------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Span:
    opens: time
    closes: time

    def __str__(self) -> str:
        return f"{self.opens:%H:%M}-{self.closes:%H:%M}"


Spans = tuple[Span, ...]

DEFAULT_WEEK: dict[int, Spans] = {d: (Span(time(9), time(17)),) for d in range(5)}

_DASH = re.compile(r"\s*[-–—~至到]\s*")
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def parse_spans(text: str | None) -> Spans:
    """``09:00-12:00 13:30-17:00`` (commas, 至, an en dash also do); empty: closed."""
    cleaned = _DASH.sub("-", (text or "").strip())
    spans = []
    for token in filter(None, re.split(r"[\s,，;；、]+", cleaned)):
        found = _SPAN.match(token)
        try:
            h1, m1, h2, m2 = (int(g) for g in found.groups()) if found else (-1,) * 4
            span = Span(time(h1, m1), time(h2, m2) if (h2, m2) != (24, 0) else time.max)
        except ValueError:
            raise InvalidHours(text=token[:40]) from None
        if span.opens >= span.closes:
            raise InvalidHours(text=token[:40])
        spans.append(span)
    return check_spans(spans)


def check_spans(spans: Iterable[Span]) -> Spans:
    ordered = tuple(sorted(spans))
    if len(ordered) > MAX_SPANS:
        raise TooManySpans(max=MAX_SPANS)
    for first, second in itertools.pairwise(ordered):
        if second.opens < first.closes:
            raise HoursOverlap(first=str(first), second=str(second))
    return ordered


def spans_text(spans: Iterable[Span]) -> str:
    return " ".join(str(s) for s in spans)


# -- one hall's hours --------------------------------------------------------------------------

@dataclass(frozen=True)
class DayHours:
    """What the hall keeps on one date, and why (``kind``: working, weekend, holiday,
    makeup, special, closed)."""

    day: date
    spans: Spans
    kind: str
    note: str = ""


@dataclass(frozen=True)
class Rules:
    """One hall's rows as read: the week, the exceptions, the cut-off, the closed days."""

    week: Mapping[int, Spans]
    own_week: bool                              # False: DEFAULT_WEEK
    exceptions: Mapping[date, tuple[Spans, str]]
    last_ticket_minutes: int
    closed_days: frozenset[date]                # days whose report is kept


class HallHours:
    """A hall's opening hours on its working-day calendar, in its zone."""

    def __init__(self, tz: str, rules: Rules, working: calendar.WorkingCalendar,
                 end_of_day: time) -> None:
        self.tz, self.zone = tz, ZoneInfo(tz)
        self.rules, self.working, self.end_of_day = rules, working, end_of_day
        # A make-up working day keeps the hours of the hall's first working weekday.
        self.makeup = next((rules.week[d] for d in range(5) if rules.week.get(d)), ())

    def day(self, day: date) -> DayHours:
        if day in self.rules.exceptions:
            spans, note = self.rules.exceptions[day]
            return DayHours(day, spans, SPECIAL if spans else CLOSED, note)
        working, weekend = self.working.is_working_day(day), day.weekday() >= 5
        if weekend and working:
            return DayHours(day, self.makeup, MAKEUP)
        if not weekend and not working:
            return DayHours(day, (), HOLIDAY)
        return DayHours(day, self.rules.week.get(day.weekday(), ()),
                        WEEKEND if weekend else WORKING)

    def days(self, first: date, count: int) -> list[DayHours]:
        return [self.day(first + timedelta(days=n)) for n in range(count)]

    def ticket_spans(self, day: date) -> Spans:
        """The spans in which tickets are taken: each span less the last-ticket minutes;
        none on a day already closed."""
        if day in self.rules.closed_days:
            return ()
        cut = timedelta(minutes=self.rules.last_ticket_minutes)
        spans = []
        for span in self.day(day).spans:
            last = (datetime.combine(day, span.closes) - cut).time()
            if cut < datetime.combine(day, span.closes) - datetime.combine(day, span.opens):
                spans.append(Span(span.opens, last))
        return tuple(spans)

    def _at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self.zone)

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone)

    def is_open(self, at: datetime) -> bool:
        """Inside one of the day's spans (the doors are open)."""
        local = self.local(at)
        return any(s.opens <= local.time() < s.closes for s in self.day(local.date()).spans)

    def takes_tickets(self, at: datetime) -> bool:
        local = self.local(at)
        return any(s.opens <= local.time() < s.closes
                   for s in self.ticket_spans(local.date()))

    def tickets_until(self, at: datetime) -> datetime | None:
        """When the span in which tickets are taken at ``at`` ends (None if they are not)."""
        local = self.local(at)
        return next((self._at(local.date(), s.closes) for s in self.ticket_spans(local.date())
                     if s.opens <= local.time() < s.closes), None)

    def next_opening(self, at: datetime) -> datetime | None:
        """The next moment after ``at`` from which tickets are taken (a span's opening);
        None when none is set within ``LOOK_AHEAD_DAYS``."""
        local = self.local(at)
        for n in range(LOOK_AHEAD_DAYS):
            day = local.date() + timedelta(days=n)
            for span in self.ticket_spans(day):
                start = self._at(day, span.opens)
                if start > local:
                    return start
        return None

    def business_end(self, day: date) -> datetime:
        """When the day's business ends: its last closing time, or END_OF_DAY if later."""
        spans = self.day(day).spans
        last = max([s.closes for s in spans] + [self.end_of_day])
        return self._at(day, last)

    def windows_open_from(self, day: date) -> datetime | None:
        spans = self.day(day).spans
        return self._at(day, spans[0].opens) - WINDOW_LEAD if spans else None

    def windows_may_open(self, at: datetime) -> bool:
        local = self.local(at)
        start = self.windows_open_from(local.date())
        return (start is not None and local.date() not in self.rules.closed_days
                and start <= local < self.business_end(local.date()))

    def next_windows_opening(self, at: datetime) -> datetime | None:
        local = self.local(at)
        for n in range(LOOK_AHEAD_DAYS):
            day = local.date() + timedelta(days=n)
            start = self.windows_open_from(day)
            if start is not None and start > local and day not in self.rules.closed_days:
                return start
        return None


# -- reading, with a short cache ----------------------------------------------------------------

CACHE_SECONDS = 60.0
_CHANGED = "hall.hours_changed"
_cache: weakref.WeakKeyDictionary[object, dict[int, tuple[float, Rules]]] = (
    weakref.WeakKeyDictionary())
_cache_lock = threading.Lock()
_generation = 0


def invalidate(engine=None) -> None:
    """Forget the cached hours of every hall of ``engine`` (every engine if None) in this
    process."""
    global _generation
    with _cache_lock:
        _generation += 1
        if engine is None:
            _cache.clear()
        else:
            _cache.pop(engine, None)


def changed_in(session: Session) -> None:
    """This transaction changes what ``for_hall`` reads (hours, exceptions, a kept report):
    its own reads see it at once, and the cache is dropped when it ends."""
    engine = session.get_bind()
    session.info[_CHANGED] = engine
    invalidate(engine)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _transaction_ended(session: Session, *_args) -> None:
    engine = session.info.pop(_CHANGED, None)
    if engine is not None:
        invalidate(engine)


def for_hall(session: Session, hall_id: int, tz: str, *, fresh: bool = False) -> HallHours:
    """The opening hours of a hall on its working-day calendar (both cached; ``fresh``: both
    read now, as committed, whatever this process keeps)."""
    if isinstance(session, scoped_session):
        session = session()
    working = calendar.load(session, hall_id, fresh=fresh)
    rules = _read(session, hall_id, tz) if fresh else _rules(session, hall_id, tz)
    return HallHours(tz, rules, working, settings.of(session).end_of_day)


def of(session: Session, hall: Hall, *, fresh: bool = False) -> HallHours:
    return for_hall(session, hall.id, hall.timezone, fresh=fresh)


def _rules(session: Session, hall_id: int, tz: str) -> Rules:
    if session.info.get(_CHANGED):
        return _read(session, hall_id, tz)
    engine = session.get_bind()
    with _cache_lock:
        generation = _generation
        cached = _cache.get(engine, {}).get(hall_id)
    if cached is not None and monotonic_time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    rules = _read(session, hall_id, tz)
    with _cache_lock:
        if generation == _generation:  # nothing was written while we read
            _cache.setdefault(engine, {})[hall_id] = (monotonic_time.monotonic(), rules)
    return rules


def _read(session: Session, hall_id: int, tz: str) -> Rules:
    since = clock.local_date(clock.now(), tz) - timedelta(days=KEPT_DAYS)
    last_ticket = session.scalar(select(Hall.last_ticket_minutes).where(Hall.id == hall_id))
    week: dict[int, list[Span]] = {}
    for weekday, opens, closes in session.execute(
            select(OpeningHours.weekday, OpeningHours.opens, OpeningHours.closes)
            .where(OpeningHours.hall_id == hall_id)):
        week.setdefault(weekday, []).append(Span(opens, closes))
    exceptions: dict[date, tuple[list[Span], str]] = {}
    for day, starts, ends, note in session.execute(
            select(OpeningException.day, OpeningException.opens, OpeningException.closes,
                   OpeningException.note)
            .where(OpeningException.hall_id == hall_id, OpeningException.day >= since)):
        spans, _note = exceptions.setdefault(day, ([], note or ""))
        if starts is not None and ends is not None:  # both or neither (a closed day)
            spans.append(Span(starts, ends))
    closed = frozenset(session.scalars(
        select(DailyReport.day).distinct()
        .where(DailyReport.hall_id == hall_id, DailyReport.day >= since)))
    return Rules(
        week={d: tuple(sorted(s)) for d, s in week.items()} if week else DEFAULT_WEEK,
        own_week=bool(week),
        exceptions={d: (tuple(sorted(s)), n) for d, (s, n) in exceptions.items()},
        last_ticket_minutes=last_ticket if last_ticket is not None else 30,
        closed_days=closed)


# -- the checks of issuing and of opening a window ------------------------------------------------

def require_tickets(session: Session, hall_id: int, tz: str, at: datetime) -> None:
    """Refuse a ticket outside the hours in which tickets are taken (HallClosed)."""
    hours = for_hall(session, hall_id, tz)
    if not hours.takes_tickets(at):
        raise HallClosed(hours.next_opening(at), tz)


def require_windows(session: Session, hall: Hall, at: datetime) -> None:
    """Refuse to open a window on a day the hall does not open or after its day ended."""
    hours = of(session, hall)
    if not hours.windows_may_open(at):
        raise WindowsClosed(hours.next_windows_opening(at), hall.timezone)
