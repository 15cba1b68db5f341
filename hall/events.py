"""Appending events and publishing them once their transaction has committed.

Every change of a ticket, case or window appends an ``Event`` row in the same transaction as
the change. Subscribers (the display publisher, the dashboard) receive a plain dict after the
commit, never for a change that was rolled back.

Writers (``on_append``) are called at once, inside the transaction, for the kinds they asked
for: what they write (the outbox's notifications, ``hall.notices``) is committed or rolled
back with the move, and the move's own code does not have to know about them.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from . import clock, driver
from .models import Event, Hall

log = logging.getLogger(__name__)

_PENDING = "hall.pending_events"
Subscriber = Callable[[dict], None]
# (subscriber, engine): a subscriber hears only what is committed through its own database,
# so that several apps in one process (tests, a tool beside the server) stay apart.
_subscribers: list[tuple[Subscriber, object]] = []


@dataclass(frozen=True)
class Actor:
    """Who makes a move: a member of staff, or a device or job of the hall."""

    label: str
    staff_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    # The member of staff's own hall, and whether it is the provincial hall (whose managers
    # and administrators may act in every hall): every domain move checks them
    # (``hall.access``), so a page, the API and the command line are held to the same rule.
    hall_id: int | None = None
    provincial: bool = False

    @classmethod
    def of(cls, staff) -> Actor:
        return cls(label=staff.username, staff_id=staff.id, roles=staff.roles,
                   hall_id=staff.hall_id, provincial=staff.hall.level == "province")


KIOSK = Actor("kiosk")
SYSTEM = Actor("system")  # scheduled jobs: the deadline marks


@dataclass(frozen=True)
class Appended:
    """An event just appended, as a writer receives it: its row's facts, and the objects the
    move passed (``None`` when it gave only an id), so that a writer needs no query for them."""

    id: int
    kind: str
    at: datetime
    hall: Any
    actor: Actor
    data: dict
    ticket_id: int | None
    ticket: Any = None
    case: Any = None
    enquiry: Any = None  # an enquiry's move (hall.enquiries) passes it


Writer = Callable[[Session, Appended], None]
# kind -> writers, in the order they were added. A dict lookup per event: the hot paths
# (a call, a ticket) pay nothing more when nobody writes for their kind.
_writers: dict[str, list[Writer]] = {}


def on_append(kinds: Iterable[str], writer: Writer) -> None:
    """Call ``writer(session, appended)`` inside the transaction whenever an event of one of
    ``kinds`` is appended (once per writer, however often it is added). A writer's error
    rolls the move back, as the event's own would: what it writes is part of the move."""
    for kind in kinds:
        listed = _writers.setdefault(kind, [])
        if writer not in listed:
            listed.append(writer)


_INSERT = insert(Event.__table__).returning(Event.__table__.c.id)
_COLUMNS = ("hall_id", "at", "kind", "actor", "actor_id", "ticket_id", "case_id", "window_id",
            "enquiry_id", "data", "seq")
_HALLS = Hall.__table__
# Each floor event takes the hall's next sequence number in its own transaction. The hall row
# stays locked until commit, so on PostgreSQL the numbers are also the order of commits.
_NEXT_FLOOR_SEQ = (
    update(_HALLS).where(_HALLS.c.id == bindparam("hall"))
    .values(floor_seq=_HALLS.c.floor_seq + 1).returning(_HALLS.c.floor_seq)
)
FLOOR_KINDS = ("ticket.", "window.")


def is_floor_event(kind: str) -> bool:
    """Tickets and windows: what displays and consoles follow live, in sequence."""
    return kind.startswith(FLOOR_KINDS)


def record(session: Session, hall, kind: str, *, actor: Actor, ticket=None, window=None,
           case=None, ticket_id: int | None = None, enquiry=None, **data: Any) -> int:
    """Append an event to the current transaction and queue it for publication after the
    commit. ``hall`` is anything with ``id`` and ``code``; the ticket, window, case and
    enquiry are given as objects or, for the ticket, by id. Returns the event's id."""
    at = clock.now()
    connection = driver.connection_of(session)
    seq = None
    if is_floor_event(kind):
        seq = driver.scalar(connection, _NEXT_FLOOR_SEQ, {"hall": hall.id})
    row = {
        "hall_id": hall.id, "at": at, "kind": kind, "actor": actor.label,
        "actor_id": actor.staff_id,
        "ticket_id": ticket.id if ticket is not None else ticket_id,
        "case_id": case.id if case is not None else None,
        "window_id": window.id if window is not None else None,
        "enquiry_id": enquiry.id if enquiry is not None else None,
        "data": data, "seq": seq,
    }
    # Through the driver: every move appends one, and the kiosk's ticket is the hot path.
    event_id = driver.scalar(connection, _INSERT, row, keys=_COLUMNS)
    session.info.setdefault(_PENDING, []).append({
        "id": event_id, "seq": seq, "hall": hall.code, "kind": kind, "at": at.isoformat(),
        "actor": actor.label, "ticket_id": row["ticket_id"], "case_id": row["case_id"],
        "window_id": row["window_id"], "data": data,
    })
    writers = _writers.get(kind)
    if writers:
        appended = Appended(event_id, kind, at, hall, actor, data, row["ticket_id"],
                            ticket=ticket, case=case, enquiry=enquiry)
        for writer in writers:
            writer(session, appended)
    return event_id


def subscribe(subscriber: Subscriber, engine=None) -> Callable[[], None]:
    """Receive every event committed through ``engine`` (any engine if None); returns a
    function that unsubscribes."""
    entry = (subscriber, engine)
    _subscribers.append(entry)
    return lambda: _subscribers.remove(entry) if entry in _subscribers else None


def discard_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def publish_pending(session: Session, engine=None) -> None:
    """Hand the committed transaction's events to the subscribers of its database, oldest
    first."""
    for message in session.info.pop(_PENDING, []):
        for subscriber, wanted in list(_subscribers):
            if wanted is not None and wanted is not engine:
                continue
            try:
                subscriber(message)
            except Exception:  # a broken subscriber must not undo or block a committed move
                log.exception("event subscriber %r failed on %s", subscriber, message["kind"])
