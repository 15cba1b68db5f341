"""Where a followed ticket stands, for the visitor's phone (SPEC §7, the ``/ticket`` namespace).

A ticket's state is what its holder sees: its status, how many will be called before it,
the likely wait and, once called, the window. The phone pages follow a hall's tickets live,
so the states of every followed ticket of a hall are read together, in a fixed number of
queries however many phones follow: the followed tickets, the hall's waiting queue of their
services (ordered in Python by the one call order, ``hall.callorder``, the same key that
``board.position`` counts with in SQL), and the open windows per service.

Reads only; no Flask.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import board, callorder, clock
from .models import ServiceItem, Ticket, TicketStatus, Window, WindowState, window_services

_WAITING = TicketStatus.WAITING.value


@dataclass(frozen=True)
class TicketState:
    service_no: str
    number: str
    status: str
    ahead: int
    wait_minutes: int | None
    window: int | None = None
    away: bool = False  # taken from home, the visitor not yet in the hall (hall.remote)

    def message(self, notify_ahead: int) -> dict:
        """The payload of ``state`` and ``ticket`` (without ``seq``): ``away`` only when
        true. A waiting visitor with ``notify_ahead`` people or fewer ahead is ``nearly``
        there: the phone alerts them."""
        body = asdict(self)
        if body["window"] is None:
            del body["window"]
        if not body["away"]:
            del body["away"]
        if self.status == _WAITING:
            body["nearly"] = self.ahead <= notify_ahead
        return body


@dataclass(frozen=True)
class Followed:
    """A followed ticket as read for its state (one row of ``_FOLLOWED``)."""
    id: int
    service_no: str
    number: str
    status: str
    hall_id: int
    day: date
    service_id: int
    standard_minutes: int
    window_no: int | None
    away: bool


_FOLLOWED = (
    select(Ticket.id, Ticket.service_no, Ticket.number, Ticket.status, Ticket.hall_id,
           Ticket.day, Ticket.service_id, ServiceItem.standard_minutes,
           Window.no.label("window_no"), Ticket.away)
    .join(ServiceItem, ServiceItem.id == Ticket.service_id)
    .outerjoin(Window, Window.id == Ticket.window_id)
)


def read(session: Session, ticket_ids: Iterable[int]) -> dict[int, TicketState]:
    """The state of each of these tickets (ids not found are left out), all of one hall or
    of several: three queries per hall and day, whatever their number."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return {}
    followed = [Followed(**row._asdict())
                for row in session.execute(_FOLLOWED.where(Ticket.id.in_(ids)))]
    states: dict[int, TicketState] = {}
    groups: dict[tuple[int, date], list[Followed]] = {}
    for ticket in followed:
        if ticket.status == _WAITING:
            groups.setdefault((ticket.hall_id, ticket.day), []).append(ticket)
        else:
            states[ticket.id] = TicketState(ticket.service_no, ticket.number, ticket.status,
                                            0, None, _window(ticket))
    for (hall_id, day), waiting in groups.items():
        states.update(_waiting_states(session, hall_id, day, waiting))
    return states


def _window(ticket: Followed) -> int | None:
    """The window a visitor should go to: shown from the call until they are done there."""
    shown = (TicketStatus.CALLED.value, TicketStatus.SERVING.value, TicketStatus.HELD.value)
    return ticket.window_no if ticket.status in shown else None


def _waiting_states(session: Session, hall_id: int, day: date,
                    followed: list[Followed]) -> dict[int, TicketState]:
    services = {t.service_id for t in followed}
    now = clock.now()
    order = callorder.ranks()
    queues: dict[int, list] = {}
    for row in session.execute(
        select(Ticket.id, Ticket.service_id, Ticket.is_priority, Ticket.queued_at,
               Ticket.appointment_at)
        .where(Ticket.hall_id == hall_id, Ticket.day == day, Ticket.status == _WAITING,
               Ticket.service_id.in_(services))
    ):
        queues.setdefault(row.service_id, []).append(row)
    place: dict[int, int] = {}
    for rows in queues.values():
        rows.sort(key=lambda row: callorder.sort_key(row, now, order))
        place.update((row.id, index) for index, row in enumerate(rows))
    open_windows: dict[int, int] = dict(session.execute(
        select(window_services.c.service_id, func.count())
        .join(Window, Window.id == window_services.c.window_id)
        .where(window_services.c.service_id.in_(services),
               Window.state == WindowState.OPEN.value)
        .group_by(window_services.c.service_id)
    ).all())
    connection = session.connection()
    states = {}
    for ticket in followed:
        ahead = place.get(ticket.id, 0)
        wait = board.estimate_minutes(connection, ticket.service_id, ticket.standard_minutes,
                                      ahead, open_windows.get(ticket.service_id, 0))
        # A ticket from home not checked in yet counts everyone ahead (they may arrive) and
        # says so: the phone asks its holder to scan the door's QR code on arrival.
        states[ticket.id] = TicketState(ticket.service_no, ticket.number, _WAITING, ahead, wait,
                                        away=bool(ticket.away))
    return states
