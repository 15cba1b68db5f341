"""What the hall's boards show: who waits where, how many are ahead, how long it may take.

Reads only; they run in the caller's (deferred) transaction and never write.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from . import clock, numbers
from .models import Hall, ServiceItem, Staff, Ticket, TicketStatus, Window, WindowState, window_services

# Recent service times are the best estimate of the next ones; a handful is enough and
# older ones say more about another day than about this afternoon.
RECENT_SERVICES = 20
RECENT_DAYS = 7


def ahead_of(session: Session, ticket: Ticket) -> int:
    """People of the same queue who will be called before this ticket, as things stand."""
    if ticket.status != TicketStatus.WAITING.value:
        return 0
    before = or_(Ticket.queued_at < ticket.queued_at,
                 (Ticket.queued_at == ticket.queued_at) & (Ticket.id < ticket.id))
    if not ticket.is_priority:
        before = or_(before, Ticket.is_priority.is_(True))
    else:
        before = before & Ticket.is_priority.is_(True)
    return session.scalar(
        select(func.count()).select_from(Ticket).where(
            Ticket.hall_id == ticket.hall_id, Ticket.day == ticket.day,
            Ticket.service_id == ticket.service_id,
            Ticket.status == TicketStatus.WAITING.value, Ticket.id != ticket.id, before,
        )
    ) or 0


def typical_service_minutes(session: Session, service: ServiceItem) -> float:
    """Mean minutes at the window over the last finished visits, else the published standard."""
    since = clock.now() - timedelta(days=RECENT_DAYS)
    recent = (
        select(Ticket.finished_at, Ticket.called_at)
        .where(Ticket.service_id == service.id, Ticket.finished_at >= since,
               Ticket.called_at.is_not(None))
        .order_by(Ticket.finished_at.desc())
        .limit(RECENT_SERVICES)
    )
    spans = [(f - c).total_seconds() / 60 for f, c in session.execute(recent)]
    if not spans:
        return float(service.standard_minutes)
    return max(1.0, sum(spans) / len(spans))


def estimate_wait(session: Session, ticket: Ticket, ahead: int) -> int | None:
    """Minutes until this ticket is likely called: the people ahead, spread over the open
    windows that serve its service, at the recent pace. None once it is no longer waiting."""
    if ticket.status != TicketStatus.WAITING.value:
        return None
    if ahead == 0:
        return 0
    open_windows = session.scalar(
        select(func.count()).select_from(Window)
        .join(window_services, window_services.c.window_id == Window.id)
        .where(window_services.c.service_id == ticket.service_id,
               Window.state == WindowState.OPEN.value)
    ) or 0
    per_visit = typical_service_minutes(session, ticket.service)
    return math.ceil(math.ceil(ahead / max(open_windows, 1)) * per_visit)


def find_by_service_no(session: Session, raw: str) -> Ticket | None:
    """The ticket with this service number; a mistyped number raises before any lookup."""
    number = numbers.parse_service_number(raw)
    return session.scalar(select(Ticket).where(Ticket.service_no == number))


@dataclass(frozen=True)
class ServiceLine:
    code: str
    name_zh: str
    name_en: str
    prefix: str
    waiting: int
    windows: list[int]


@dataclass(frozen=True)
class WindowLine:
    no: int
    state: str
    serving: str | None
    clerk: str | None
    pause_reason: str | None


@dataclass(frozen=True)
class QueueSnapshot:
    hall: Hall
    day: object
    services: list[ServiceLine]
    windows: list[WindowLine]

    @property
    def waiting(self) -> int:
        return sum(s.waiting for s in self.services)


def queue_snapshot(session: Session, hall: Hall) -> QueueSnapshot:
    """Every offered service with the number waiting, and every window with whom it serves."""
    day = clock.local_date(clock.now(), hall.timezone)
    waiting = dict(session.execute(
        select(Ticket.service_id, func.count())
        .where(Ticket.hall_id == hall.id, Ticket.day == day,
               Ticket.status == TicketStatus.WAITING.value)
        .group_by(Ticket.service_id)
    ).all())
    served_by: dict[int, list[int]] = {}
    for service_id, window_no in session.execute(
        select(window_services.c.service_id, Window.no)
        .join(Window, Window.id == window_services.c.window_id)
        .where(Window.hall_id == hall.id)
        .order_by(Window.no)
    ):
        served_by.setdefault(service_id, []).append(window_no)
    services = [
        ServiceLine(s.code, s.name_zh, s.name_en, s.prefix, waiting.get(s.id, 0),
                    served_by[s.id])
        for s in session.scalars(
            select(ServiceItem)
            .where(ServiceItem.hall_id == hall.id, ServiceItem.active.is_(True))
            .order_by(ServiceItem.sort_order, ServiceItem.code)
        )
        if s.id in served_by
    ]
    windows = [
        WindowLine(no, state, number, clerk, reason)
        for no, state, number, clerk, reason in session.execute(
            select(Window.no, Window.state, Ticket.number, Staff.name, Window.pause_reason)
            .outerjoin(Ticket, Ticket.id == Window.current_ticket_id)
            .outerjoin(Staff, Staff.id == Window.clerk_id)
            .where(Window.hall_id == hall.id)
            .order_by(Window.no)
        )
    ]
    return QueueSnapshot(hall, day, services, windows)
