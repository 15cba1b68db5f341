"""Administrators change the working-day calendar (``hall.calendar``): the State Council's
notice for a year, and a hall's local holidays and working days.

Each change is one operation, checked before anything is written, recorded as a
``calendar.*`` event, and followed in the same transaction by the deadlines of the running
cases it moves. ``hall.calendar`` is the arithmetic and knows nothing of cases; this module
sits above it and ``hall.deadlines``, so the dependency runs one way.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import clock, deadlines
from .calendar import (
    HOLIDAY,
    KINDS,
    WORKDAY,
    InvalidCalendarNotice,
    InvalidLocalDay,
    LocalDayChangesNothing,
    NoDaysListed,
    NoLocalDay,
    changed_in,
    check_notice,
    load,
    parse_notice_lines,
    replace_national_days,
)
from .db import operation
from .events import Actor, record
from .models import CalendarDay, CalendarYear


def enter_notice_text(session: Session, year: int, text: str, *, notice: str, actor: Actor,
                      hall) -> None:
    """``enter_notice`` from the lines an administrator typed or filed, reporting every
    problem at once: the lines not understood, then what is wrong with the others."""
    try:
        days = parse_notice_lines(text)
    except InvalidCalendarNotice as unreadable:
        found = [p for p in check_notice(year, unreadable.days, notice)
                 if not isinstance(p, NoDaysListed)]
        raise InvalidCalendarNotice([*unreadable.problems, *found]) from None
    enter_notice(session, year, days, notice=notice, actor=actor, hall=hall)


@operation
def enter_notice(session: Session, year: int, days: list[tuple[date, str, str]], *,
                 notice: str, actor: Actor, hall) -> None:
    """Enter the State Council's notice for ``year``: its holidays on weekdays and its
    make-up working days replace the year's national days, and the year becomes official.
    Refused as a whole (``InvalidCalendarNotice``) if anything in it is wrong."""
    problems = check_notice(year, days, notice)
    if problems:
        raise InvalidCalendarNotice(problems)
    notice = notice.strip()
    days = sorted(days)
    replace_national_days(session, year, days)
    row = session.get(CalendarYear, year, with_for_update=True)
    previous = row.notice if row is not None and row.official else None
    if row is None:
        row = CalendarYear(year=year)
        session.add(row)
    row.official, row.notice = True, notice
    row.entered_at, row.entered_by_id = clock.now(), actor.staff_id
    session.flush()
    changed_in(session)
    record(session, hall, "calendar.notice_entered", actor=actor, year=year, notice=notice,
           previous_notice=previous,
           holidays=[d.isoformat() for d, k, _n in days if k == HOLIDAY],
           workdays=[d.isoformat() for d, k, _n in days if k == WORKDAY])
    _recompute_deadlines(session, year, None)


def _recompute_deadlines(session: Session, year: int, hall_id: int | None) -> None:
    """The running cases whose deadline reaches into ``year`` (or was provisional) follow
    the calendar just changed, in the same transaction."""
    deadlines.recompute(session, {year}, hall_id=hall_id)


@operation
def set_local_day(session: Session, hall, day: date, kind: str | None, name: str,
                  actor: Actor) -> None:
    """Make ``day`` a local holiday or working day of ``hall``, or (``kind`` None) remove
    its local override. A local day must change something against the national calendar."""
    row = session.scalar(select(CalendarDay).where(CalendarDay.hall_id == hall.id,
                                                   CalendarDay.day == day).with_for_update())
    previous = row.kind if row is not None else None
    if kind is None:
        if row is None:
            raise NoLocalDay(day=day.isoformat())
        session.delete(row)
    else:
        if kind not in KINDS:
            raise InvalidLocalDay()
        if load(session, None).is_working_day(day) == (kind == WORKDAY):
            raise LocalDayChangesNothing(
                None if kind == WORKDAY else LocalDayChangesNothing.DAY_OFF, day=day.isoformat())
        if row is None:
            row = CalendarDay(hall_id=hall.id, day=day)
            session.add(row)
        row.kind, row.name = kind, name.strip()[:60]
    session.flush()
    changed_in(session)
    # ``set_to`` None: the override was removed and the national calendar applies again.
    record(session, hall, "calendar.local_day_set", actor=actor, day=day.isoformat(),
           set_to=kind, name=name.strip()[:60] if kind else None, previous=previous)
    _recompute_deadlines(session, day.year, hall.id)
