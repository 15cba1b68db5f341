"""Appending events and publishing them once their transaction has committed.

Every change of a ticket, case or window appends an ``Event`` row in the same transaction as
the change. Subscribers (the display publisher, the dashboard) receive a plain dict after the
commit, never for a change that was rolled back.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy.orm import Session

from . import clock
from .models import Event, Hall

log = logging.getLogger(__name__)

_PENDING = "hall.pending_events"
Subscriber = Callable[[dict], None]
_subscribers: list[Subscriber] = []


@dataclass(frozen=True)
class Actor:
    """Who makes a move: a member of staff, or a device or job of the hall."""

    label: str
    staff_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, staff) -> "Actor":
        return cls(label=staff.username, staff_id=staff.id, roles=staff.roles)


KIOSK = Actor("kiosk")
API = Actor("api")
SYSTEM = Actor("system")


def record(session: Session, hall: Hall, kind: str, *, actor: Actor, ticket=None,
           window=None, case=None, **data: Any) -> Event:
    """Append an event to the current transaction and queue it for publication."""
    event = Event(
        hall_id=hall.id, at=clock.now(), kind=kind, actor=actor.label, actor_id=actor.staff_id,
        ticket_id=ticket.id if ticket is not None else None,
        case_id=case.id if case is not None else None,
        window_id=window.id if window is not None else None,
        data=data,
    )
    session.add(event)
    session.info.setdefault(_PENDING, []).append((event, hall.code))
    return event


def payload(event: Event, hall_code: str) -> dict:
    """The published form of an event: what subscribers and clients receive."""
    return {
        "id": event.id, "hall": hall_code, "kind": event.kind, "at": event.at.isoformat(),
        "actor": event.actor, "ticket_id": event.ticket_id, "case_id": event.case_id,
        "window_id": event.window_id, "data": event.data,
    }


def subscribe(subscriber: Subscriber) -> Callable[[], None]:
    """Receive every committed event; returns a function that unsubscribes."""
    _subscribers.append(subscriber)
    return lambda: _subscribers.remove(subscriber)


def discard_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def publish_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    for event, hall_code in pending:
        message = payload(event, hall_code)
        for subscriber in list(_subscribers):
            try:
                subscriber(message)
            except Exception:  # a broken subscriber must not undo or block a committed move
                log.exception("event subscriber %r failed on %s", subscriber, event.kind)
