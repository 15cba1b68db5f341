"""What the hall's boards show: who waits where, how many are ahead, how long it may take.

Reads only; they run in the caller's (deferred) transaction and never write.
"""
from __future__ import annotations

import math
import time
import weakref
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, bindparam, func, select, tuple_
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql.elements import BindParameter

from . import callorder, clock, numbers
from .models import (
    Hall,
    ServiceItem,
    Staff,
    Ticket,
    TicketStatus,
    UTCDateTime,
    Window,
    WindowState,
    window_services,
)

# Recent service times are the best estimate of the next ones; a handful is enough and
# older ones say more about another day than about this afternoon.
RECENT_SERVICES = 20
RECENT_DAYS = 7


# What the public queue of a hall is built from: one indexed row (read before every public
# answer of the queue, by the view and by hall.web.kept).
QUEUE_STAMP = select(Hall.floor_seq, Hall.timezone).where(Hall.code == bindparam("queue_hall"))


def queue_stamp_of(row) -> tuple | None:
    """The stamp of the row ``QUEUE_STAMP`` read: the hall's floor sequence and its day
    (None: no such hall). Every move of the floor moves the sequence."""
    if row is None:
        return None
    floor_seq, timezone = row
    return (floor_seq, clock.local_date(clock.now(), timezone).isoformat())


T, W = Ticket.__table__, Window.__table__
_WAITING = TicketStatus.WAITING.value


def _ahead():
    """Waiting tickets of the same queue that will be called before this one as things
    stand: those whose call-order key (``hall.callorder``, no window's streaks) is lower."""
    me: BindParameter[Any] = bindparam("ticket_id")
    now = bindparam("now", type_=UTCDateTime())
    key = callorder.sql_key(now, bindparam("waited_since", type_=UTCDateTime()),
                            callorder.ranks())
    mine = tuple_(bindparam("k_rank", type_=Integer()), bindparam("k_first", type_=UTCDateTime()),
                  bindparam("queued_at", type_=UTCDateTime()), me)
    return (select(func.count()).select_from(T)
            .where(T.c.hall_id == bindparam("hall_id"), T.c.day == bindparam("day"),
                   T.c.service_id == bindparam("service_id"), T.c.status == _WAITING,
                   T.c.id != me, tuple_(*key) < mine)
            .scalar_subquery())


_OPEN_WINDOWS = (
    select(func.count()).select_from(W.join(window_services, window_services.c.window_id == W.c.id))
    .where(window_services.c.service_id == bindparam("service_id"),
           W.c.state == WindowState.OPEN.value)
    .scalar_subquery()
)
_POSITION = select(_ahead(), _OPEN_WINDOWS)
_RECENT_SPANS = (
    select(T.c.finished_at, T.c.called_at)
    .where(T.c.service_id == bindparam("service_id"), T.c.finished_at >= bindparam("since"),
           T.c.called_at.is_not(None))
    .order_by(T.c.finished_at.desc())
    .limit(RECENT_SERVICES)
)
# Recent pace per service, kept for a minute: it is an estimate, and reading it on every
# ticket would cost more than it could ever change the answer.
_PACE_TTL = 60.0
_pace: weakref.WeakKeyDictionary[Engine, dict[int, tuple[float, float | None]]] = (
    weakref.WeakKeyDictionary())


def recent_minutes_per_visit(connection, service_id: int) -> float | None:
    """Mean minutes at the window over the last finished visits, None if there are none."""
    known = _pace.setdefault(connection.engine, {})
    cached = known.get(service_id)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    since = clock.now() - timedelta(days=RECENT_DAYS)
    spans = [(f - c).total_seconds() / 60 for f, c in
             connection.execute(_RECENT_SPANS, {"service_id": service_id, "since": since})]
    minutes = max(1.0, sum(spans) / len(spans)) if spans else None
    known[service_id] = (time.monotonic() + _PACE_TTL, minutes)
    return minutes


def estimate_minutes(connection, service_id: int, standard_minutes: int, ahead: int,
                     open_windows: int) -> int | None:
    """Minutes until a visitor with ``ahead`` people before them is likely called: those
    people spread over the open windows that serve the service, at the recent pace, or the
    published standard before there is one. None while no open window serves it: then
    nobody can say, and a guess would promise what no window keeps."""
    if open_windows < 1:
        return None
    if ahead == 0:
        return 0
    per_visit = recent_minutes_per_visit(connection, service_id) or float(standard_minutes)
    return math.ceil(math.ceil(ahead / open_windows) * per_visit)


def position(connection, *, hall_id: int, day, service_id: int, standard_minutes: int,
             ticket_id: int, queued_at, is_priority: bool,
             appointment_at: datetime | None = None) -> tuple[int, int | None]:
    """People ahead of a waiting ticket, and the minutes until it is likely called (None
    while no open window serves it)."""
    now = clock.now()
    policy = callorder.DEFAULT_POLICY
    rank, first, _, _ = callorder.key_of(ticket_id, bool(is_priority), queued_at,
                                         appointment_at, now, callorder.ranks(), policy)
    ahead, open_windows = connection.execute(_POSITION, {
        "hall_id": hall_id, "day": day, "service_id": service_id, "ticket_id": ticket_id,
        "queued_at": queued_at, "now": now, "waited_since": now - policy.walk_in_max_wait,
        "k_rank": rank, "k_first": first,
    }).one()
    return ahead, estimate_minutes(connection, service_id, standard_minutes, ahead, open_windows)


def ticket_position(session: Session, ticket: Ticket) -> tuple[int, int | None]:
    """``position`` of a ticket loaded by the ORM; (0, None) once it is no longer waiting."""
    if ticket.status != _WAITING:
        return 0, None
    return position(session.connection(), hall_id=ticket.hall_id, day=ticket.day,
                    service_id=ticket.service_id,
                    standard_minutes=ticket.service.standard_minutes, ticket_id=ticket.id,
                    queued_at=ticket.queued_at, is_priority=ticket.is_priority,
                    appointment_at=ticket.appointment_at)


def find_by_service_no(session: Session, raw: str) -> Ticket | None:
    """The ticket with this service number, with its hall and service (every answer shows
    them: one query instead of three); a mistyped number raises before any lookup."""
    number = numbers.parse_service_number(raw)
    return session.scalar(select(Ticket).where(Ticket.service_no == number)
                          .options(joinedload(Ticket.hall), joinedload(Ticket.service)))


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
    day: date
    services: list[ServiceLine]
    windows: list[WindowLine]

    @property
    def waiting(self) -> int:
        return sum(s.waiting for s in self.services)


def waiting_by_service(session: Session, hall_id: int, day: date) -> dict[str, int]:
    """People waiting today per service code (services nobody waits for are left out)."""
    return dict(session.execute(
        select(ServiceItem.code, func.count())
        .select_from(Ticket)
        .join(ServiceItem, ServiceItem.id == Ticket.service_id)
        .where(Ticket.hall_id == hall_id, Ticket.day == day,
               Ticket.status == TicketStatus.WAITING.value)
        .group_by(ServiceItem.code)
    ).all())


def service_lines(session: Session, hall: Hall, day: date) -> list[ServiceLine]:
    """Every service of the hall that a window may serve, with the number waiting today."""
    waiting = waiting_by_service(session, hall.id, day)
    served_by: dict[int, list[int]] = {}
    for service_id, window_no in session.execute(
        select(window_services.c.service_id, Window.no)
        .join(Window, Window.id == window_services.c.window_id)
        .where(Window.hall_id == hall.id)
        .order_by(Window.no)
    ):
        served_by.setdefault(service_id, []).append(window_no)
    return [
        ServiceLine(s.code, s.name_zh, s.name_en, s.prefix, waiting.get(s.code, 0),
                    served_by[s.id])
        for s in session.scalars(
            select(ServiceItem)
            .where(ServiceItem.hall_id == hall.id, ServiceItem.active.is_(True))
            .order_by(ServiceItem.sort_order, ServiceItem.code)
        )
        if s.id in served_by
    ]


def window_lines(session: Session, hall: Hall) -> list[WindowLine]:
    """Every window of the hall with its state, whom it serves and its clerk."""
    return [
        WindowLine(no, state, number, clerk, reason)
        for no, state, number, clerk, reason in session.execute(
            select(Window.no, Window.state, Ticket.number, Staff.name, Window.pause_reason)
            .outerjoin(Ticket, Ticket.id == Window.current_ticket_id)
            .outerjoin(Staff, Staff.id == Window.clerk_id)
            .where(Window.hall_id == hall.id)
            .order_by(Window.no)
        )
    ]


def queue_snapshot(session: Session, hall: Hall) -> QueueSnapshot:
    """Every offered service with the number waiting, and every window with whom it serves."""
    day = clock.local_date(clock.now(), hall.timezone)
    return QueueSnapshot(hall, day, service_lines(session, hall, day), window_lines(session, hall))
