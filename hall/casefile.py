"""A case as staff read it (案卷): its history with who acted, where it may be routed, the
divisions a member of staff may list, the cases accepted at a window today, and the
extensions waiting for a manager.

Only reading; every change is a move in ``hall.cases``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from .floor import start_of_day
from .models import Case, Division, Event, Hall, Role, Staff, Ticket, Window
from .queue import today


@dataclass(frozen=True)
class Entry:
    """One line of a case's history as staff see it: staff may see who did it."""

    id: int
    at: datetime
    kind: str
    actor: str              # the username, "kiosk" or "system"
    actor_name: str | None  # the member of staff's name, when a member of staff acted
    data: dict


def history(session: Session, case: Case) -> list[Entry]:
    """Every event of the case, oldest first."""
    rows = session.execute(
        select(Event.id, Event.at, Event.kind, Event.actor, Staff.name, Event.data)
        .outerjoin(Staff, Staff.id == Event.actor_id)
        .where(Event.case_id == case.id).order_by(Event.id))
    return [Entry(id=id_, at=at, kind=kind, actor=actor, actor_name=name, data=data or {})
            for id_, at, kind, actor, name, data in rows]


def other_divisions(session: Session, case: Case) -> list[Division]:
    """Where a case may be routed: the hall's other divisions."""
    return list(session.scalars(
        select(Division).where(Division.hall_id == case.hall_id,
                               Division.id != case.division_id).order_by(Division.code)))


def listable_divisions(session: Session, hall: Hall, staff: Staff) -> list[Division]:
    """The divisions whose inbox this member of staff may read: every one of the hall for a
    manager, their own for division staff of the hall, none for anyone else."""
    if staff.has_role(Role.MANAGER):
        return list(session.scalars(select(Division).where(Division.hall_id == hall.id)
                                    .order_by(Division.code)))
    if staff.has_role(Role.DIVISION) and staff.division is not None and staff.hall_id == hall.id:
        return [staff.division]
    return []


def accepted_at_window(session: Session, window: Window, limit: int = 20) -> list[Case]:
    """Today's cases accepted at this window, newest first: the visitor has left the window
    by then (accepting finishes the visit), and the clerk prints the receipt from this list."""
    since = start_of_day(window.hall, today(window.hall))
    return list(session.scalars(
        select(Case).join(Ticket, Ticket.id == Case.ticket_id)
        .options(joinedload(Case.ticket))
        .where(Ticket.window_id == window.id, Case.accepted_at >= since)
        .order_by(Case.id.desc()).limit(limit)))


# -- what waits for a manager ------------------------------------------------------------------

@dataclass(frozen=True)
class ExtensionRequest:
    case: Case
    asked_at: datetime | None
    asked_by: str | None     # the name of the member of staff who asked


def pending_extensions(session: Session, hall_id: int, limit: int = 200) -> list[ExtensionRequest]:
    """The hall's cases waiting for a manager's decision on an extension, the nearest
    deadline first (a case about to turn red is decided first), with who asked and when."""
    found = list(session.scalars(
        select(Case).where(Case.hall_id == hall_id, Case.extension_pending_days.is_not(None))
        .options(joinedload(Case.division), joinedload(Case.service), joinedload(Case.handler))
        .order_by(Case.due_at.is_(None), Case.due_at, Case.id).limit(limit)))
    asked: dict[int | None, tuple] = {}
    if found:
        for case_id, at, name in session.execute(
                select(Event.case_id, Event.at, Staff.name)
                .outerjoin(Staff, Staff.id == Event.actor_id)
                .where(Event.case_id.in_([c.id for c in found]),
                       Event.kind == "case.extension_requested").order_by(Event.id)):
            asked[case_id] = (at, name)  # the last request of each case
    return [ExtensionRequest(c, *asked.get(c.id, (None, None))) for c in found]


def pending_extension_count(session: Session, hall_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Case).where(
        Case.hall_id == hall_id, Case.extension_pending_days.is_not(None))) or 0
