"""Appending events and publishing them once their transaction has committed.

Every change of a ticket, case or window appends an ``Event`` row in the same transaction as
the change. Subscribers (the display publisher, the dashboard) receive a plain dict after the
commit, never for a change that was rolled back.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy import insert
from sqlalchemy.orm import Session

from . import clock
from .models import Event

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


_INSERT = insert(Event.__table__).returning(Event.__table__.c.id)


def record(session: Session, hall, kind: str, *, actor: Actor, ticket=None, window=None,
           case=None, ticket_id: int | None = None, **data: Any) -> int:
    """Append an event to the current transaction and queue it for publication after the
    commit. ``hall`` is anything with ``id`` and ``code``; the ticket, window and case are
    given as objects or, for the ticket, by id. Returns the event's id."""
    at = clock.now()
    row = {
        "hall_id": hall.id, "at": at, "kind": kind, "actor": actor.label,
        "actor_id": actor.staff_id,
        "ticket_id": ticket.id if ticket is not None else ticket_id,
        "case_id": case.id if case is not None else None,
        "window_id": window.id if window is not None else None,
        "data": data,
    }
    event_id = session.connection().execute(_INSERT, row).scalar_one()
    session.info.setdefault(_PENDING, []).append({
        "id": event_id, "hall": hall.code, "kind": kind, "at": at.isoformat(),
        "actor": actor.label, "ticket_id": row["ticket_id"], "case_id": row["case_id"],
        "window_id": row["window_id"], "data": data,
    })
    return event_id


def subscribe(subscriber: Subscriber) -> Callable[[], None]:
    """Receive every committed event; returns a function that unsubscribes."""
    _subscribers.append(subscriber)
    return lambda: _subscribers.remove(subscriber)


def discard_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def publish_pending(session: Session) -> None:
    """Hand the committed transaction's events to every subscriber, oldest first."""
    for message in session.info.pop(_PENDING, []):
        for subscriber in list(_subscribers):
            try:
                subscriber(message)
            except Exception:  # a broken subscriber must not undo or block a committed move
                log.exception("event subscriber %r failed on %s", subscriber, message["kind"])
