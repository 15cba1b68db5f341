"""Closing a hall's day (日终): visitors still in line are recorded as not served, windows left
open are closed, and the daily report (PDF and CSV) is made and kept.

At closing time nobody is left in a queue:

- waiting, called (never came to the window) and held tickets become "unserved", kept and
  never deleted, each with a ``ticket.unserved`` event: they count in the day's figures;
- a visitor still being served is finished by the system (the clerk forgot to press finish);
  their visit did happen;
- a window still open or paused is closed and its clerk released.

Numbering needs nothing: the daily counters are per day, so tomorrow starts at 1.

When: only once the day's business has ended (``hall.hours``: its last closing time, or
END_OF_DAY when that is later), never while the day runs, whoever asks (the job, the
command). Closing a day is one transaction per hall and day, done once: its first report is
the mark that the day is closed, so closing it again (a second process, a rerun of the
command) finds it and does nothing. The scheduled job (``run``) holds a lease like the
deadline job's, so that one process at a time looks for halls to close.

Re-running: a manager may make a closed day's report again (``rerun_day``); it is kept as the
next version beside the earlier ones, each run an audited event. A ticket of a past day is
never left open: should one appear on a day already closed (hours changed afterwards, the
clock set back), the job closes it and re-runs that day's report, so the newest report
always agrees with the tickets table.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import clock, hours, lease, reports, stats
from .db import write_transaction
from .errors import N_, DayNotOver, Moment, NotHallManager, UnknownHall
from .events import SYSTEM, Actor, record
from .lookup import get_hall
from .models import DailyReport, Hall, Role, Staff, Ticket, TicketStatus, Window, WindowState

JOB = "end-of-day"
UNSERVED_FROM = (TicketStatus.WAITING.value, TicketStatus.CALLED.value,
                 TicketStatus.HELD.value)
OPEN = UNSERVED_FROM + (TicketStatus.SERVING.value,)
# After downtime, days of the last month with tickets are closed too; the same month is
# searched for tickets left open on a day already closed.
CATCH_UP_DAYS = 31
STRAY_TICKETS = N_("Tickets were still open after the day was closed.")


@dataclass
class DayClosed:
    """What closing (or re-running) one hall's day did; ``already`` when it had been
    closed before and nothing was done."""

    hall: str
    day: date
    already: bool = False
    unserved: int = 0
    never_arrived: int = 0  # of the unserved: tickets taken from home, never checked in
    finished: int = 0
    windows_closed: int = 0
    report_id: int | None = None
    version: int = 1
    totals: dict = field(default_factory=dict)


def _locked_hall(session: Session, code: str) -> Hall:
    # The hall's row, locked: two processes closing the same hall take turns, and the
    # second finds the report of the first.
    return get_hall(session, code, lock=True)


def _require_over(session: Session, hall: Hall, day: date) -> None:
    ends = hours.of(session, hall).business_end(day)
    if clock.now() < ends:
        raise DayNotOver(day=day.isoformat(), hall=hall.code, when=Moment(ends, hall.timezone))


def _latest(session: Session, hall: Hall, day: date) -> DailyReport | None:
    return session.scalar(select(DailyReport).where(
        DailyReport.hall_id == hall.id, DailyReport.day == day)
        .order_by(DailyReport.version.desc()).limit(1))


def close_day(session: Session, hall_code: str, day: date | None = None, *,
              actor: Actor = SYSTEM) -> DayClosed:
    """Close ``day`` (default: today, in the hall's time zone) of a hall, once, and only
    after its business has ended (``DayNotOver`` before)."""
    with write_transaction(session):
        hall = _locked_hall(session, hall_code)
        day = day or clock.local_date(clock.now(), hall.timezone)
        _require_over(session, hall, day)
        kept = _latest(session, hall, day)
        if kept is not None:
            return DayClosed(hall.code, day, already=True, report_id=kept.id,
                             version=kept.version)
        return _make_report(session, hall, day, actor, version=1)


def rerun_day(session: Session, hall_code: str, day: date, *, actor: Actor,
              reason: str = "") -> DayClosed:
    """Make ``day``'s report again, from the tickets and events as they are now, and keep it
    as the next version (the earlier ones stay). Tickets of the day still open are closed
    first, as at closing. A manager of the hall (or the system) only; a day still running
    is refused."""
    with write_transaction(session):
        hall = _locked_hall(session, hall_code)
        _require_manager(session, actor, hall)
        _require_over(session, hall, day)
        previous = _latest(session, hall, day)
        return _make_report(session, hall, day, actor,
                            version=previous.version + 1 if previous else 1,
                            previous=previous, reason=" ".join(reason.split())[:200])


def _require_manager(session: Session, actor: Actor, hall: Hall) -> None:
    if actor is SYSTEM:
        return
    staff = session.get(Staff, actor.staff_id) if actor.staff_id else None
    # A manager of the hall, or of the provincial hall (who sees every hall).
    if (staff is None or not staff.active or not staff.has_role(Role.MANAGER)
            or not (staff.hall_id == hall.id or staff.hall.level == "province")):
        raise NotHallManager()


def _make_report(session: Session, hall: Hall, day: date, actor: Actor, *, version: int,
                 previous: DailyReport | None = None, reason: str | None = None) -> DayClosed:
    result = DayClosed(hall.code, day, version=version)
    _close_tickets(session, hall, day, actor, result)
    if day >= clock.local_date(clock.now(), hall.timezone):
        _close_windows(session, hall, actor, result)
    session.flush()
    summary = stats.report(session, hall, stats.Period.day(hall, day))
    made = reports.daily(summary)
    kept = DailyReport(hall_id=hall.id, day=day, version=version, pdf=made.pdf, csv=made.csv,
                       totals=made.totals, created_at=clock.now(),
                       made_by_id=actor.staff_id if version > 1 else None,
                       reason=reason or None)
    session.add(kept)
    session.flush()
    hours.changed_in(session)  # the day no longer takes tickets, in this process at once
    result.report_id, result.totals = kept.id, made.totals
    figures: dict[str, Any] = dict(
        day=day.isoformat(), unserved=result.unserved, never_arrived=result.never_arrived,
        finished=result.finished,
        windows_closed=result.windows_closed, report=kept.id, totals=made.totals,
        version=version)
    if previous is None:
        record(session, hall, "day.closed", actor=actor, **figures)
    else:
        record(session, hall, "day.report_rerun", actor=actor, reason=reason,
               previous={"report": previous.id, "version": previous.version,
                         "totals": previous.totals}, **figures)
    return result


def _close_tickets(session: Session, hall: Hall, day: date, actor: Actor,
                   result: DayClosed) -> None:
    now = clock.now()
    left = session.scalars(
        select(Ticket).where(Ticket.hall_id == hall.id, Ticket.day == day,
                             Ticket.status.in_(OPEN))
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
            # A ticket taken from home whose visitor never came (hall.remote): closed like
            # the others, still ``away``, so the day says how many never arrived.
            result.never_arrived += ticket.away
            record(session, hall, "ticket.unserved", actor=actor, ticket=ticket,
                   number=ticket.number, service=ticket.service.code, before=before,
                   day=day.isoformat(), **({"away": True} if ticket.away else {}))
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
        window.priority_streak = window.appointment_streak = 0
        window.current_ticket_id = None
        result.windows_closed += 1
        record(session, hall, "window.closed", actor=actor, window=window,
               window_no=window.no, end_of_day=True)


# -- which days are due, and the scheduled run ---------------------------------------------------

def _recent_days(session: Session, hall: Hall, today: date, *statuses: str) -> set[date]:
    query = select(Ticket.day).distinct().where(
        Ticket.hall_id == hall.id, Ticket.day >= today - timedelta(CATCH_UP_DAYS),
        Ticket.day <= today)
    if statuses:
        query = query.where(Ticket.status.in_(statuses))
    return set(session.scalars(query))


def _kept_days(session: Session, hall: Hall, today: date) -> set[date]:
    return set(session.scalars(select(DailyReport.day).distinct().where(
        DailyReport.hall_id == hall.id, DailyReport.day >= today - timedelta(CATCH_UP_DAYS))))


def due_days(session: Session, hall: Hall, now: datetime | None = None) -> list[date]:
    """Days of the hall to close now: each day whose business has ended and that had
    tickets, or opening hours, and has no report yet (today once it has ended; the days
    of the last month the server was down for)."""
    now = now or clock.now()
    opening = hours.of(session, hall)
    today = opening.local(now).date()
    candidates = _recent_days(session, hall, today)
    if opening.day(today).spans:
        candidates.add(today)
    kept = _kept_days(session, hall, today)
    return sorted(d for d in candidates
                  if d not in kept and opening.business_end(d) <= now)


def stray_days(session: Session, hall: Hall, now: datetime | None = None) -> list[date]:
    """Closed days of the last month that still have open tickets (issued after the day was
    closed): their tickets must be closed and their report made again."""
    now = now or clock.now()
    opening = hours.of(session, hall)
    today = opening.local(now).date()
    open_days = _recent_days(session, hall, today, *OPEN)
    kept = _kept_days(session, hall, today)
    return sorted(d for d in open_days if d in kept and opening.business_end(d) <= now)


def close_due(session: Session, now: datetime | None = None, *,
              hall_code: str | None = None) -> list[DayClosed]:
    """Close every hall's (or one hall's) due days, and re-run the report of a closed day
    that still had open tickets; what was done (days already closed are left out)."""
    done = []
    query = select(Hall).order_by(Hall.id)
    if hall_code is not None:
        query = query.where(Hall.code == hall_code)
    halls = list(session.scalars(query))
    if hall_code is not None and not halls:
        raise UnknownHall(hall=hall_code)
    session.commit()  # end the read: each close is its own write transaction
    for hall in halls:
        for day in due_days(session, hall, now):
            result = close_day(session, hall.code, day)
            if not result.already:
                done.append(result)
        for day in stray_days(session, hall, now):
            done.append(rerun_day(session, hall.code, day, actor=SYSTEM,
                                  reason=STRAY_TICKETS))
    return done


def run(session: Session, *, holder: str, ttl: timedelta) -> list[DayClosed] | None:
    """One scheduled run: close what is due if this process holds the lease."""
    if not lease.acquire(session, holder=holder, ttl=ttl, name=JOB):
        return None
    return close_due(session)


def release(session: Session, *, holder: str) -> None:
    lease.release(session, holder=holder, name=JOB)


# -- the kept reports ------------------------------------------------------------------------------

@dataclass(frozen=True)
class KeptVersion:
    id: int
    version: int
    totals: dict
    created_at: datetime
    made_by: str | None
    reason: str | None


@dataclass(frozen=True)
class KeptDay:
    """A closed day and every version of its report, newest first."""

    day: date
    versions: list[KeptVersion]

    @property
    def latest(self) -> KeptVersion:
        return self.versions[0]

    @property
    def totals(self) -> dict:
        return self.latest.totals


def kept(session: Session, hall: Hall, *, limit: int = 62) -> list[KeptDay]:
    """The hall's closed days, newest first, each with its report's versions."""
    days = (select(DailyReport.day).distinct().where(DailyReport.hall_id == hall.id)
            .order_by(DailyReport.day.desc()).limit(limit).scalar_subquery())
    rows = session.execute(
        select(DailyReport.id, DailyReport.day, DailyReport.version, DailyReport.totals,
               DailyReport.created_at, Staff.name, DailyReport.reason)
        .outerjoin(Staff, Staff.id == DailyReport.made_by_id)
        .where(DailyReport.hall_id == hall.id, DailyReport.day.in_(days))
        .order_by(DailyReport.day.desc(), DailyReport.version.desc())).all()
    found: dict[date, KeptDay] = {}
    for id_, day, version, totals, created_at, made_by, reason in rows:
        found.setdefault(day, KeptDay(day, [])).versions.append(
            KeptVersion(id_, version, totals, created_at, made_by, reason))
    return list(found.values())


def kept_report(session: Session, hall: Hall, day: date,
                version: int | None = None) -> DailyReport | None:
    """The newest report of ``day``, or the given version."""
    if version is None:
        return _latest(session, hall, day)
    return session.scalar(select(DailyReport).where(
        DailyReport.hall_id == hall.id, DailyReport.day == day, DailyReport.version == version))

