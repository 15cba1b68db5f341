"""Closing a hall's day (日终): visitors still in line are recorded as not served, windows left
open are closed, and the daily report (PDF and CSV) is made and kept.

At closing time nobody is left in a queue:

- waiting, called (never came to the window) and held tickets become "unserved", kept and
  never deleted, each with a ``ticket.unserved`` event: they count in the day's figures;
- a visitor still being served is finished by the system (the clerk forgot to press finish);
  their visit did happen;
- a window still open or paused is closed and its clerk released.

Numbering needs nothing: the daily counters are per day, so tomorrow starts at 1.

Closing a day is one transaction per hall and day, done once: the kept report is the mark that
the day is closed, so closing it again (a second process, a rerun of the command) finds it
and does nothing. The scheduled job (``run``) holds a lease like the deadline job's, so that
one process at a time looks for halls to close.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import clock, deadlines, reports, stats
from .db import write_transaction
from .errors import UnknownHall
from .events import SYSTEM, Actor, record
from .models import DailyReport, Hall, Ticket, TicketStatus, Window, WindowState

JOB = "end-of-day"
UNSERVED_FROM = (TicketStatus.WAITING.value, TicketStatus.CALLED.value,
                 TicketStatus.HELD.value)
CATCH_UP_DAYS = 7  # after downtime, days of the last week with tickets are closed too


@dataclass
class Settings:
    """What the web app configures (the domain reads no Flask config)."""

    end_of_day: time = time(18)


settings = Settings()


@dataclass
class DayClosed:
    """What closing one hall's day did; ``already`` when it had been closed before."""

    hall: str
    day: date
    already: bool = False
    unserved: int = 0
    finished: int = 0
    windows_closed: int = 0
    report_id: int | None = None
    totals: dict = field(default_factory=dict)


def local_now(hall: Hall, now: datetime | None = None) -> datetime:
    return (now or clock.now()).astimezone(ZoneInfo(hall.timezone))


def close_day(session: Session, hall_code: str, day: date | None = None, *,
              actor: Actor = SYSTEM) -> DayClosed:
    """Close ``day`` (default: today, in the hall's time zone) of a hall, once."""
    with write_transaction(session):
        # The hall's row, locked: two processes closing the same hall take turns, and the
        # second finds the report of the first.
        hall = session.scalar(select(Hall).where(Hall.code == hall_code).with_for_update()
                              .execution_options(populate_existing=True))
        if hall is None:
            raise UnknownHall(hall=hall_code)
        day = day or clock.local_date(clock.now(), hall.timezone)
        result = DayClosed(hall.code, day)
        kept = session.scalar(select(DailyReport.id).where(DailyReport.hall_id == hall.id,
                                                           DailyReport.day == day))
        if kept is not None:
            result.already, result.report_id = True, kept
            return result
        _close_tickets(session, hall, day, actor, result)
        if day >= clock.local_date(clock.now(), hall.timezone):
            _close_windows(session, hall, actor, result)
        session.flush()
        summary = stats.report(session, hall, stats.Period.day(hall, day))
        made = reports.daily(summary)
        kept = DailyReport(hall_id=hall.id, day=day, pdf=made.pdf, csv=made.csv,
                           totals=made.totals, created_at=clock.now())
        session.add(kept)
        session.flush()
        result.report_id, result.totals = kept.id, made.totals
        record(session, hall, "day.closed", actor=actor, day=day.isoformat(),
               unserved=result.unserved, finished=result.finished,
               windows_closed=result.windows_closed, report=kept.id, totals=made.totals)
        return result


def _close_tickets(session: Session, hall: Hall, day: date, actor: Actor,
                   result: DayClosed) -> None:
    now = clock.now()
    left = session.scalars(
        select(Ticket).where(Ticket.hall_id == hall.id, Ticket.day == day,
                             Ticket.status.in_(UNSERVED_FROM + (TicketStatus.SERVING.value,)))
        .order_by(Ticket.id).with_for_update().execution_options(populate_existing=True)
    ).all()
    for ticket in left:
        before = ticket.status
        if before == TicketStatus.SERVING.value:
            ticket.status = TicketStatus.FINISHED.value
            ticket.finished_at = now
            result.finished += 1
            record(session, hall, "ticket.finished", actor=actor, ticket=ticket,
                   window=ticket.window, number=ticket.number,
                   window_no=ticket.window.no if ticket.window else None,
                   service=ticket.service.code, end_of_day=True)
        else:
            ticket.status = TicketStatus.UNSERVED.value
            result.unserved += 1
            record(session, hall, "ticket.unserved", actor=actor, ticket=ticket,
                   number=ticket.number, service=ticket.service.code, before=before,
                   day=day.isoformat())
    if left:
        ids = [t.id for t in left]
        session.execute(update(Window).where(Window.current_ticket_id.in_(ids))
                        .values(current_ticket_id=None)
                        .execution_options(synchronize_session="fetch"))


def _close_windows(session: Session, hall: Hall, actor: Actor, result: DayClosed) -> None:
    for window in session.scalars(
        select(Window).where(Window.hall_id == hall.id,
                             Window.state != WindowState.CLOSED.value)
        .order_by(Window.no).with_for_update().execution_options(populate_existing=True)
    ):
        window.state = WindowState.CLOSED.value
        window.clerk_id = None
        window.pause_reason = None
        window.priority_streak = 0
        window.current_ticket_id = None
        result.windows_closed += 1
        record(session, hall, "window.closed", actor=actor, window=window,
               window_no=window.no, end_of_day=True)


# -- which days are due, and the scheduled run ---------------------------------------------------

def due_days(session: Session, hall: Hall, now: datetime | None = None) -> list[date]:
    """Days of the hall to close now: today once its closing time has passed, and days of
    the last week that had tickets but were never closed (the server was down)."""
    local = local_now(hall, now)
    today = local.date()
    last = today if local.time() >= settings.end_of_day else today - timedelta(days=1)
    kept = set(session.scalars(select(DailyReport.day).where(
        DailyReport.hall_id == hall.id, DailyReport.day >= today - timedelta(CATCH_UP_DAYS))))
    busy = set(session.scalars(select(Ticket.day).distinct().where(
        Ticket.hall_id == hall.id, Ticket.day >= today - timedelta(CATCH_UP_DAYS),
        Ticket.day < today)))
    if last == today:
        busy.add(today)
    return sorted(d for d in busy if d <= last and d not in kept)


def close_due(session: Session, now: datetime | None = None) -> list[DayClosed]:
    """Close every hall's due days; what was done (days already closed are left out)."""
    done = []
    halls = list(session.scalars(select(Hall).order_by(Hall.id)))
    session.commit()  # end the read: each close is its own write transaction
    for hall in halls:
        for day in due_days(session, hall, now):
            result = close_day(session, hall.code, day)
            if not result.already:
                done.append(result)
    return done


def run(session: Session, *, holder: str, ttl: timedelta) -> list[DayClosed] | None:
    """One scheduled run: close what is due if this process holds the lease."""
    if not deadlines.acquire(session, holder=holder, ttl=ttl, name=JOB):
        return None
    return close_due(session)


def release(session: Session, *, holder: str) -> None:
    deadlines.release(session, holder=holder, name=JOB)


# -- the kept reports ------------------------------------------------------------------------------

def kept(session: Session, hall: Hall, *, limit: int = 62) -> list:
    """The hall's kept daily reports, newest first: (id, day, totals, created_at) rows."""
    return session.execute(
        select(DailyReport.id, DailyReport.day, DailyReport.totals, DailyReport.created_at)
        .where(DailyReport.hall_id == hall.id).order_by(DailyReport.day.desc()).limit(limit)
    ).all()


def kept_report(session: Session, hall: Hall, day: date) -> DailyReport | None:
    return session.scalar(select(DailyReport).where(DailyReport.hall_id == hall.id,
                                                    DailyReport.day == day))
