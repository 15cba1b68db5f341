"""Deadlines of cases and of rating follow-ups: computing them, and marking yellow and red.

A case's deadline comes from its own events (the time limit in force when it was accepted,
its pauses) and the hall's working-day calendar, plus any extension granted. ``tick`` marks
what has turned yellow or red since the last tick. Each transition is one conditional UPDATE
(``… WHERE warning <> 'red' …``), so however many processes tick at once, a transition is
made, and recorded as an event, exactly once; the lease in ``run`` (``hall.lease``) keeps the
others idle.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import and_, bindparam, select, text, update
from sqlalchemy.orm import Session

from . import calendar, clock, enquiry_deadlines, kinds, lease, prereview, settings, turning
from .db import write_transaction
from .events import SYSTEM, Actor, record
from .models import RUNNING_STATES, Case, Event, Hall, Rating, running_clause

PAUSE_STARTS, PAUSE_ENDS = kinds.CLOCK_STOPS, kinds.CLOCK_STARTS
FOLLOWUP_DAYS = 15  # a poor rating's follow-up must be closed within this many working days
BATCH = 1000


# -- a case's deadline -------------------------------------------------------------------------

def compute(session: Session, case: Case) -> calendar.Deadline | None:
    """The deadline in force, or None while the clock is stopped (paused, decided…)."""
    if case.state not in RUNNING_STATES:
        return None
    limit, pauses, started = None, [], None
    for kind, at, data in session.execute(
        select(Event.kind, Event.at, Event.data).where(Event.case_id == case.id)
        .order_by(Event.id)
    ):
        if kind in kinds.CASE_ACCEPTANCES:
            limit = data["limit_days"]
        elif kind in PAUSE_STARTS:
            started = at
        elif kind in PAUSE_ENDS and started is not None:
            pauses.append((started, at))
            started = None
    if limit is None:  # flushed but not yet recorded: the item's limit as accepted now
        limit = case.service.time_limit_days
    return calendar.deadline(
        calendar.load(session, case.hall_id), accepted_at=case.accepted_at, limit_days=limit,
        extension_days=case.extension_days, pauses=pauses,
        close_of_business=settings.of(session).close_of_business, tz=case.hall.timezone)


def refresh(session: Session, case: Case, now: datetime, *, actor: Actor = SYSTEM,
            why: str | None = None) -> None:
    """Recompute and cache the case's deadline, and settle its warning against ``now``."""
    deadline = compute(session, case)
    if deadline is None:
        case.due_at = case.yellow_at = None
        return
    before = case.due_at
    case.due_at, case.yellow_at = deadline.due_at, deadline.yellow_at
    case.due_provisional = deadline.provisional
    if why and before is not None and before != case.due_at:
        record(session, case.hall, "case.deadline_changed", actor=actor, case=case,
               ticket=case.ticket, before=before.isoformat(), after=case.due_at.isoformat(),
               provisional=case.due_provisional, why=why)
    _settle(session, case, now, actor)


def _settle(session: Session, case: Case, now: datetime, actor: Actor) -> None:
    """The warning the case's times call for now, recorded if it changes."""
    assert case.due_at is not None and case.yellow_at is not None  # set by refresh
    wanted = ("red" if case.due_at <= now else "yellow" if case.yellow_at <= now else "none")
    if wanted == case.warning:
        return
    before, case.warning = case.warning, wanted
    if wanted == "red":
        case.ever_red, case.red_at = True, case.red_at or now
    kind = {"red": "case.red", "yellow": "case.yellow"}.get(wanted)
    if kind is None or (before, wanted) == ("red", "yellow"):
        kind = "case.warning_lowered"  # an extension or a resumed clock gave time back
    record(session, case.hall, kind, actor=actor, case=case, ticket=case.ticket,
           before=before, after=wanted, due_at=case.due_at.isoformat(),
           division=case.division_id, handler=case.handler_id)


def recompute(session: Session, years: set[int], *, hall_id: int | None = None) -> int:
    """After a calendar change: recompute running cases (of ``hall_id``, or of every hall)
    whose deadline was provisional or reaches into ``years``. Returns how many moved."""
    first = datetime(min(years), 1, 1, tzinfo=clock.now().tzinfo)
    moved = 0
    with write_transaction(session):
        now = clock.now()
        query = select(Case).where(Case.state.in_(RUNNING_STATES),
                                   Case.due_provisional.is_(True) | (Case.due_at >= first))
        if hall_id is not None:
            query = query.where(Case.hall_id == hall_id)
        for case in session.scalars(query.with_for_update()
                                    .execution_options(populate_existing=True)):
            before = case.due_at
            refresh(session, case, now, why="calendar")
            moved += before != case.due_at
    return moved


def followup_deadline(session: Session, hall: Hall, opened_at: datetime) -> calendar.Deadline:
    return calendar.deadline(calendar.load(session, hall.id), accepted_at=opened_at,
                             limit_days=FOLLOWUP_DAYS,
                             close_of_business=settings.of(session).close_of_business,
                             tz=hall.timezone)


# -- the tick ------------------------------------------------------------------------------------

C, R = Case.__table__, Rating.__table__
# (warning to set, which rows qualify): red first, so that a case past both goes straight red.
# The state and warning terms are literals, as in the partial indexes ix_cases_to_red and
# ix_cases_to_yellow, so that SQLite too reads only the cases about to turn.
# Each batch is read in the order of its index (not by id), so that the planner walks the
# index from the oldest time instead of scanning the table in id order.
_CASE_MARKS = (
    ("red", C.c.due_at, and_(text("cases.warning <> 'red'"), running_clause(),
                             C.c.due_at <= bindparam("now"))),
    ("yellow", C.c.yellow_at, and_(text("cases.warning = 'none'"), running_clause(),
                                   C.c.yellow_at <= bindparam("now"),
                                   C.c.due_at > bindparam("now"))),
)


def _case_turned(session: Session, hall, row, warning: str) -> None:
    kind = {"yellow": "case.yellow", "red": "case.red"}[warning]
    record(session, hall, kind, actor=SYSTEM, case=SimpleNamespace(id=row.id),
           ticket_id=row.ticket_id, after=warning, due_at=turning.iso(row.due_at),
           division=row.division_id, handler=row.handler_id)


_CASES = turning.Turning(
    C, _CASE_MARKS,
    (C.c.id, C.c.hall_id, C.c.ticket_id, C.c.division_id, C.c.handler_id, C.c.due_at),
    _case_turned)
_FOLLOWUP_MARKS = (
    ("red", and_(R.c.followup == "open", R.c.followup_warning != "red",
                 R.c.followup_due_at <= bindparam("now"))),
    ("yellow", and_(R.c.followup == "open", R.c.followup_warning == "none",
                    R.c.followup_yellow_at <= bindparam("now"),
                    R.c.followup_due_at > bindparam("now"))),
)


@dataclass
class TickResult:
    yellow: int = 0
    red: int = 0
    followups_yellow: int = 0
    followups_red: int = 0
    enquiries_yellow: int = 0  # questions, complaints and reports (hall.enquiry_deadlines)
    enquiries_red: int = 0
    applications_yellow: int = 0  # pre-review of applications online (hall.prereview)
    applications_red: int = 0
    halls: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return (self.yellow + self.red + self.followups_yellow + self.followups_red
                + self.enquiries_yellow + self.enquiries_red
                + self.applications_yellow + self.applications_red)


def tick(session: Session, now: datetime | None = None) -> TickResult:
    """Mark every case, follow-up and enquiry that has turned yellow or red, in batches of
    one transaction each, and record each transition as an event."""
    now = now or clock.now()
    result = TickResult()
    marked = turning.mark(session, now, _CASES)
    result.yellow, result.red = marked["yellow"], marked["red"]
    for warning, condition in _FOLLOWUP_MARKS:
        while True:
            done = _mark_followups(session, now, warning, condition)
            name = f"followups_{warning}"
            setattr(result, name, getattr(result, name) + done)
            if done < BATCH:
                break
    marked = enquiry_deadlines.mark(session, now)
    result.enquiries_yellow, result.enquiries_red = marked["yellow"], marked["red"]
    marked = prereview.mark(session, now)
    result.applications_yellow, result.applications_red = marked["yellow"], marked["red"]
    return result


def _mark_followups(session: Session, now: datetime, warning: str, condition) -> int:
    with write_transaction(session):
        marked = session.execute(
            update(R).where(condition).values(followup_warning=warning)
            .returning(R.c.id, R.c.hall_id, R.c.ticket_id, R.c.case_id),
            {"now": now},
        ).all()
        halls = turning.halls_by_id(session)
        for rating_id, hall_id, ticket_id, case_id in marked:
            kind = {"yellow": "rating.followup_yellow", "red": "rating.followup_red"}[warning]
            record(session, halls[hall_id], kind, actor=SYSTEM,
                   ticket_id=ticket_id,
                   case=SimpleNamespace(id=case_id) if case_id else None, rating=rating_id)
        return len(marked)


# -- one process at a time ----------------------------------------------------------------------

JOB = "deadlines"


def run(session: Session, *, holder: str, ttl: timedelta) -> TickResult | None:
    """One scheduled run: tick if this process holds the lease, else do nothing."""
    if not lease.acquire(session, holder=holder, ttl=ttl, name=JOB):
        return None
    return tick(session)


def release(session: Session, *, holder: str) -> None:
    """Give the deadline job's lease up (on shutdown), so another process takes over at once."""
    lease.release(session, holder=holder, name=JOB)
