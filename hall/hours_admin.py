"""Administrators change a hall's opening hours (``hall.hours``): the spans of each weekday
and the last-ticket minutes, and dated exceptions (closed all day, or special hours).

Each change is one operation, checked before anything is written, recorded as an ``hours.*``
event with what it was before, and felt at once by the process that made it (the cache of
``hall.hours`` is dropped when the transaction ends). The past stays as it was: a day gone by,
or today once closed, keeps its hours.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from . import clock
from .admin import administered_hall
from .db import operation
from .errors import N_, HallError
from .events import Actor, record
from .hours import (
    CLOSED,
    DEFAULT_WEEK,
    MAX_LAST_TICKET,
    SPECIAL,
    WEEKDAYS,
    DayHours,
    InvalidHours,
    Span,
    Spans,
    changed_in,
    check_spans,
    spans_text,
)
from .models import DailyReport, Hall, OpeningException, OpeningHours


class NoOpeningDay(InvalidHours):
    message = N_("A hall keeps hours on at least one weekday; close single days with "
                 "exceptions.")


class InvalidLastTicket(HallError):
    status = 422
    code = "invalid-last-ticket"
    message = N_("The last ticket is taken 0 to %(max)s minutes before closing.")


class NoteTooLong(HallError):
    status = 422
    code = "note-too-long"
    message = N_("The note is longer than 200 characters.")


class DayPassed(HallError):
    status = 409
    code = "day-passed"
    message = N_("%(day)s has passed or is closed already: its hours can no longer change.")


class NoOpeningException(HallError):
    status = 404
    code = "no-opening-exception"
    message = N_("%(day)s has no exception to remove.")


def _week_rows(session: Session, hall: Hall) -> dict[int, Spans]:
    week: dict[int, list[Span]] = {}
    for row in session.scalars(select(OpeningHours).where(OpeningHours.hall_id == hall.id)):
        week.setdefault(row.weekday, []).append(Span(row.opens, row.closes))
    return {d: tuple(sorted(s)) for d, s in week.items()}


@operation
def set_week(session: Session, hall_code: str, week: Mapping[int, Spans], *, actor: Actor,
             last_ticket_minutes: int | None = None) -> bool:
    """Set the spans of the weekdays given (an empty tuple: closed that weekday) and, if
    given, the last-ticket minutes. A hall on the default week takes it as its own first.
    Records ``hours.week_set`` with each change before → after; nothing when nothing
    changed. Returns whether anything changed."""
    hall = administered_hall(session, hall_code, actor)
    current = _week_rows(session, hall)
    before = {d: current.get(d, ()) for d in range(7)} if current else dict(DEFAULT_WEEK)
    after = {d: before.get(d, ()) for d in range(7)}
    for weekday, spans in week.items():
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday {weekday} is not 0 (Monday) to 6 (Sunday)")
        after[weekday] = check_spans(spans)
    if not any(after.values()):
        raise NoOpeningDay()
    changed: dict[str, dict] = {
        WEEKDAYS[d]: {"before": spans_text(before.get(d, ())), "after": spans_text(after[d])}
        for d in range(7) if tuple(before.get(d, ())) != after[d]}
    if last_ticket_minutes is not None:
        if not 0 <= last_ticket_minutes <= MAX_LAST_TICKET:
            raise InvalidLastTicket(max=MAX_LAST_TICKET)
        if last_ticket_minutes != hall.last_ticket_minutes:
            changed["last_ticket_minutes"] = {"before": hall.last_ticket_minutes,
                                              "after": last_ticket_minutes}
            hall.last_ticket_minutes = last_ticket_minutes
    if not changed:
        return False
    session.execute(delete(OpeningHours).where(OpeningHours.hall_id == hall.id))
    session.add_all(OpeningHours(hall_id=hall.id, weekday=d, opens=s.opens, closes=s.closes)
                    for d in range(7) for s in after[d])
    session.flush()
    changed_in(session)
    record(session, hall, "hours.week_set", actor=actor, changed=changed)
    return True


def _today(hall: Hall) -> date:
    return clock.local_date(clock.now(), hall.timezone)


def _changeable(session: Session, hall: Hall, day: date) -> None:
    """The past is past: a day gone by, or today once closed, keeps the hours it had."""
    closed = session.scalar(select(DailyReport.id).where(
        DailyReport.hall_id == hall.id, DailyReport.day == day).limit(1))
    if day < _today(hall) or closed is not None:
        raise DayPassed(day=day.isoformat())


def _exception_rows(session: Session, hall: Hall, day: date) -> list[OpeningException]:
    return list(session.scalars(select(OpeningException).where(
        OpeningException.hall_id == hall.id, OpeningException.day == day)))


@operation
def set_exception(session: Session, hall_code: str, day: date, spans: Spans | None,
                  note: str = "", *, actor: Actor) -> None:
    """Close the hall all day (``spans`` empty or None) or open it with special hours on
    ``day``, replacing any exception of that day. Records ``hours.exception_set``."""
    hall = administered_hall(session, hall_code, actor)
    note = " ".join((note or "").split())
    if len(note) > 200:
        raise NoteTooLong()
    spans = check_spans(spans or ())
    _changeable(session, hall, day)
    rows = _exception_rows(session, hall, day)
    before = (spans_text(Span(r.opens, r.closes) for r in rows if r.opens and r.closes)
              or ("closed" if rows else None))
    for row in rows:
        session.delete(row)
    session.flush()
    if spans:
        session.add_all(OpeningException(hall_id=hall.id, day=day, opens=s.opens,
                                         closes=s.closes, note=note) for s in spans)
    else:
        session.add(OpeningException(hall_id=hall.id, day=day, note=note))
    session.flush()
    changed_in(session)
    record(session, hall, "hours.exception_set", actor=actor, day=day.isoformat(),
           closed=not spans, spans=spans_text(spans), note=note, before=before)


@operation
def remove_exception(session: Session, hall_code: str, day: date, *, actor: Actor) -> None:
    """Remove the exception of ``day``: the week and the calendar apply again."""
    hall = administered_hall(session, hall_code, actor)
    rows = _exception_rows(session, hall, day)
    if not rows:
        raise NoOpeningException(day=day.isoformat())
    _changeable(session, hall, day)
    before = spans_text(Span(r.opens, r.closes) for r in rows if r.opens and r.closes) or "closed"
    for row in rows:
        session.delete(row)
    session.flush()
    changed_in(session)
    record(session, hall, "hours.exception_removed", actor=actor, day=day.isoformat(),
           before=before)


def exceptions_ahead(session: Session, hall: Hall) -> list[DayHours]:
    """The hall's exceptions from today on, by day."""
    rows = session.scalars(select(OpeningException).where(
        OpeningException.hall_id == hall.id, OpeningException.day >= _today(hall))
        .order_by(OpeningException.day, OpeningException.opens))
    found: dict[date, DayHours] = {}
    for row in rows:
        day = found.get(row.day) or DayHours(row.day, (), CLOSED, row.note)
        if row.opens is not None and row.closes is not None:
            day = DayHours(row.day, (*day.spans, Span(row.opens, row.closes)), SPECIAL,
                           row.note)
        found[row.day] = day
    return list(found.values())
