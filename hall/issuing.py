"""Issuing tickets: what every kiosk does, many times a second at opening time.

This is the hall's one hot path, so it is written in SQLAlchemy Core with statements built
once at import (their compiled forms and cache keys are reused), one joined lookup for the
hall and the service, and ``INSERT … RETURNING`` for the rows. The rules are those of the
rest of the engine: one transaction, numbers from locked daily counters, an event appended.
"""
from __future__ import annotations

import hashlib
import weakref
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, bindparam, exists, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import board, clock, driver, hours, numbers
from .db import in_write_transaction, operation
from .devices import DevicePass
from .errors import (
    DeviceNotAllowed,
    IdempotencyKeyReused,
    NumbersExhausted,
    ServiceNotOffered,
    UnknownHall,
    UnknownService,
)
from .events import KIOSK, Actor, record
from .models import (
    DailyCounter,
    Hall,
    PriorityReason,
    ServiceItem,
    Ticket,
    TicketStatus,
    Window,
    WindowState,
    window_services,
)

MAX_SEQ_PER_PREFIX = 9_999

H, S, T, C, W = (Hall.__table__, ServiceItem.__table__, Ticket.__table__,
                 DailyCounter.__table__, Window.__table__)


@dataclass(frozen=True)
class HallRef:
    id: int
    code: str
    node_no: int
    timezone: str
    name_zh: str
    name_en: str
    phone: str | None

    @classmethod
    def of(cls, hall: Hall) -> HallRef:
        return cls(hall.id, hall.code, hall.node_no, hall.timezone, hall.name_zh, hall.name_en,
                   hall.phone)


@dataclass(frozen=True)
class ServiceRef:
    id: int
    code: str
    prefix: str
    name_zh: str
    name_en: str
    standard_minutes: int

    @classmethod
    def of(cls, service: ServiceItem) -> ServiceRef:
        return cls(service.id, service.code, service.prefix, service.name_zh, service.name_en,
                   service.standard_minutes)


@dataclass(frozen=True)
class IssuedTicket:
    """The ticket as the kiosk prints it, and where it stands in line."""

    id: int
    number: str
    service_no: str
    access_code: str
    day: date
    issued_at: datetime
    priority_reason: str | None
    hall: HallRef
    service: ServiceRef
    ahead: int
    wait_minutes: int | None
    replayed: bool = False  # the same request key was seen before: this is that ticket
    status: str = TicketStatus.WAITING.value
    appointment_at: datetime | None = None  # an appointment checked in: its slot's start

    @property
    def is_priority(self) -> bool:
        return self.priority_reason is not None

    @property
    def no_window_open(self) -> bool:
        """Waiting while no open window serves the service: no wait can be promised."""
        return self.status == TicketStatus.WAITING.value and self.wait_minutes is None


_HALL_COLUMNS = (H.c.id.label("hall_id"), H.c.code.label("hall_code"), H.c.node_no,
                 H.c.timezone, H.c.name_zh.label("hall_name_zh"),
                 H.c.name_en.label("hall_name_en"), H.c.phone)
_SERVICE_COLUMNS = (S.c.id.label("service_id"), S.c.code.label("service_code"), S.c.prefix,
                    S.c.name_zh.label("service_name_zh"), S.c.name_en.label("service_name_en"),
                    S.c.standard_minutes)

# A hall's id, node number and time zone never change (the node number is printed in every
# service number, the zone decides which day a ticket belongs to), so each process reads
# them once per hall.
_HALL_IDENTITY = select(H.c.id, H.c.node_no, H.c.timezone).where(H.c.code == bindparam("hall"))
_hall_identities: weakref.WeakKeyDictionary[Engine, dict[str, Row]] = weakref.WeakKeyDictionary()

_waiting_here = and_(T.c.hall_id == bindparam("hall_id"), T.c.day == bindparam("day"),
                     T.c.service_id == S.c.id, T.c.status == TicketStatus.WAITING.value)


def _service_lookup(priority: bool):
    """The service as the kiosk shows it, whether any window may serve it, and the queue a
    new ticket joins: the visitors ahead of it (everyone waiting for an ordinary visitor,
    the priority visitors waiting for a priority one) and the open windows serving it. Read
    before any counter is locked, so the locked part of the transaction stays short. One
    count, not both: each walks every waiting ticket of the service in the queue index."""
    ahead = (_waiting_here, T.c.is_priority.is_(True)) if priority else (_waiting_here,)
    return (
        select(*_HALL_COLUMNS, *_SERVICE_COLUMNS, S.c.active,
               exists().where(window_services.c.service_id == S.c.id).label("offered"),
               select(func.count()).where(*ahead).scalar_subquery().label("ahead"),
               select(func.count()).select_from(W)
               .join(window_services, window_services.c.window_id == W.c.id)
               .where(window_services.c.service_id == S.c.id,
                      W.c.state == WindowState.OPEN.value)
               .scalar_subquery().label("open_windows"))
        .join_from(S, H, H.c.id == S.c.hall_id)
        .where(H.c.id == bindparam("hall_id"), S.c.code == bindparam("service"))
    )


_SERVICE_LOOKUP = {False: _service_lookup(False), True: _service_lookup(True)}
# A ticket issued earlier for the same request key, with what the kiosk shows of it.
_BY_REQUEST_KEY = (
    select(T.c.id, T.c.number, T.c.service_no, T.c.access_code, T.c.day, T.c.issued_at,
           T.c.priority_reason, T.c.status, T.c.is_priority, T.c.queued_at, T.c.appointment_at,
           *_HALL_COLUMNS, *_SERVICE_COLUMNS)
    .join_from(T, H, H.c.id == T.c.hall_id)
    .join(S, S.c.id == T.c.service_id)
    .where(H.c.code == bindparam("hall"), T.c.request_key == bindparam("key"))
)
_INSERT_TICKET = insert(T).returning(T.c.id)
_TICKET_COLUMNS = ("hall_id", "day", "prefix", "seq", "number", "service_no", "access_code",
                   "service_id", "status", "is_priority", "priority_reason", "queued_at",
                   "issued_at", "source", "request_key", "call_count", "appointment_at", "away",
                   "device_id")
# Whether a request key was seen before: the kiosk's every tap brings one, and it is new
# but for a retry, whose ticket is then read in full (_BY_REQUEST_KEY).
_KEY_SEEN = (select(T.c.id).join_from(T, H, H.c.id == T.c.hall_id)
             .where(H.c.code == bindparam("hall"), T.c.request_key == bindparam("key")))


def _counter_upsert(dialect):
    """Take the next number of a daily counter with one atomic statement.

    The counter row is upserted atomically and stays locked until the transaction ends, so
    concurrent issuers queue on it; a rollback gives the number back. Never COUNT(*)+1 or
    MAX()+1. (One statement per counter: a multi-row VALUES insert would be compiled anew on
    every execution.)"""
    statement = dialect.insert(C).values(hall_id=bindparam("hall_id"), day=bindparam("day"),
                                         name=bindparam("name"), value=1)
    return statement.on_conflict_do_update(
        index_elements=[C.c.hall_id, C.c.day, C.c.name], set_={"value": C.c.value + 1},
    ).returning(C.c.value)


VISITS = "service_no"  # the counter of the day's visits, whose value goes into service numbers
CASES = "case_no"      # the counter of the day's cases, whose value goes into case numbers
_NEXT_VALUE = {"sqlite": _counter_upsert(sqlite), "postgresql": _counter_upsert(postgresql)}


def next_value(connection: Connection, hall_id: int, day: date, name: str) -> int:
    """The next number of one daily counter of the hall (locked until the transaction ends)."""
    statement = _NEXT_VALUE[connection.dialect.name]
    return driver.scalar(connection, statement, {"hall_id": hall_id, "day": day, "name": name})


def next_numbers(connection: Connection, hall_id: int, day: date, prefix: str) -> tuple[int, int]:
    """(queue sequence for ``prefix``, visit serial) for a new ticket of the day.

    Always the prefix first, then the visits: the same lock order in every transaction, so
    two issuers can wait for each other but never deadlock."""
    return (next_value(connection, hall_id, day, prefix),
            next_value(connection, hall_id, day, VISITS))


def issue_ticket(session: Session, hall_code: str, service_code: str, *,
                 priority: str | None = None, request_key: str | None = None,
                 source: str = "kiosk", actor: Actor = KIOSK,
                 device: DevicePass | None = None) -> IssuedTicket:
    """Give a visitor a queue number for today and a service number for good.

    With a ``request_key`` (a kiosk's tap, an API client's Idempotency-Key) a repeated
    request of the same ``device`` (or address) on the same day returns the ticket of the
    first one instead of issuing a second; the same key with another service or priority is
    refused. The device is recorded on the ticket (an address on a trusted network: in the
    event)."""
    reason = PriorityReason(priority).value if priority else None
    if device is not None and device.hall not in (None, hall_code):
        raise DeviceNotAllowed(device=device.name, kind=device.kind or "kiosk", hall=device.hall)
    try:
        return _issue(session, hall_code, service_code, reason, request_key, source, actor,
                      device)
    except IntegrityError:
        # Only a concurrent request with the same key can collide here (numbers come from
        # locked counters); the first one won, so answer with its ticket.
        if request_key is None or in_write_transaction(session):
            raise
        connection = session.connection()
        timezone = _hall_identity(connection, hall_code).timezone
        key = scoped_key(request_key, device, clock.local_date(clock.now(), timezone))
        replay = _replay(connection, hall_code, key, service_code, reason)
        if replay is None:
            raise
        return replay


@operation
def _issue(session: Session, hall_code: str, service_code: str, reason: str | None,
           request_key: str | None, source: str, actor: Actor,
           device: DevicePass | None) -> IssuedTicket:
    connection = driver.connection_of(session)
    identity = _hall_identity(connection, hall_code)
    now = clock.now()
    day = clock.local_date(now, identity.timezone)
    if request_key is not None:
        request_key = scoped_key(request_key, device, day)
        replay = _replay(connection, hall_code, request_key, service_code, reason)
        if replay is not None:
            return replay
    found = driver.first(connection, _SERVICE_LOOKUP[reason is not None],
                         {"hall_id": identity.id, "day": day, "service": service_code})
    if found is None:
        raise UnknownService(hall=hall_code, service=service_code)
    # Outside opening hours nothing is written (SPEC §7); the hours are cached per process.
    hours.require_tickets(session, identity.id, identity.timezone, now)
    if not (found.active and found.offered):
        raise ServiceNotOffered(service=found.service_name_zh)
    hall, service = _hall_ref(found), _service_ref(found)
    ahead = found.ahead
    wait = board.estimate_minutes(connection, service.id, service.standard_minutes, ahead,
                                  found.open_windows)

    seq, serial = next_numbers(connection, hall.id, day, service.prefix)
    return write_ticket(session, hall, service, now=now, day=day, prefix=service.prefix,
                        seq=seq, service_no=numbers.service_number(day, hall.node_no, serial),
                        access_code=numbers.new_access_code(), reason=reason, source=source,
                        actor=actor, device=device, request_key=request_key,
                        position=(ahead, wait))


def write_ticket(session: Session, hall: HallRef, service: ServiceRef, *, now: datetime,
                 day: date, prefix: str, seq: int, service_no: str, access_code: str,
                 source: str, actor: Actor, device: DevicePass | None,
                 reason: str | None = None, request_key: str | None = None,
                 appointment_at: datetime | None = None, away: bool = False,
                 position: tuple[int, int | None] | None = None) -> IssuedTicket:
    """The one way a ticket is written, its numbers already taken in this transaction: the
    row, its ``ticket.issued`` event, and what the kiosk prints. A kiosk ticket brings new
    codes; an appointment checked in (``hall.checkin``) brings its booking's service number
    and access code, the appointment series and its slot's start; a ticket taken from home
    (``hall.remote``) is ``away`` until its visitor arrives. ``position`` (people ahead,
    minutes) when the caller knows it already; else it is read after the insert."""
    if seq > MAX_SEQ_PER_PREFIX:
        raise NumbersExhausted()
    number = numbers.queue_number(prefix, seq)
    connection = driver.connection_of(session)
    ticket_id = driver.scalar(connection, _INSERT_TICKET, {
        "hall_id": hall.id, "day": day, "prefix": prefix, "seq": seq, "number": number,
        "service_no": service_no, "access_code": access_code, "service_id": service.id,
        "status": TicketStatus.WAITING.value, "is_priority": reason is not None,
        "priority_reason": reason, "queued_at": now, "issued_at": now, "source": source,
        "request_key": request_key, "call_count": 0, "appointment_at": appointment_at, "away": away,
        "device_id": device.device_id if device is not None else None,
    }, keys=_TICKET_COLUMNS)
    record(session, hall, "ticket.issued", actor=actor, ticket_id=ticket_id, number=number,
           service=service.code, priority=reason, source=source,
           **(device.event_data() if device is not None else {}))
    if position is None:
        position = board.position(connection, hall_id=hall.id, day=day, service_id=service.id,
                                  standard_minutes=service.standard_minutes,
                                  ticket_id=ticket_id, queued_at=now,
                                  is_priority=reason is not None, appointment_at=appointment_at)
    ahead, wait = position
    return IssuedTicket(ticket_id, number, service_no, access_code, day, now, reason, hall,
                        service, ahead, wait, appointment_at=appointment_at)


def scoped_key(key: str, device: DevicePass | None, day: date) -> str:
    """The key as stored: a client's key names one request of that device (or address) on
    that day, so another client's key, or yesterday's, never finds this ticket (#11.8)."""
    scope = device.scope if device is not None else "-"
    return hashlib.sha256(f"{scope}\n{day.isoformat()}\n{key}".encode()).hexdigest()


def _replay(connection: Connection, hall_code: str, key: str, service_code: str,
            reason: str | None) -> IssuedTicket | None:
    if driver.first(connection, _KEY_SEEN, {"hall": hall_code, "key": key}) is None:
        return None
    row = connection.execute(_BY_REQUEST_KEY, {"hall": hall_code, "key": key}).first()
    if row is None:
        return None
    if row.service_code != service_code or row.priority_reason != reason:
        raise IdempotencyKeyReused()
    if row.status == TicketStatus.WAITING.value:
        ahead, wait = board.position(connection, hall_id=row.hall_id, day=row.day,
                                     service_id=row.service_id,
                                     standard_minutes=row.standard_minutes, ticket_id=row.id,
                                     queued_at=row.queued_at, is_priority=row.is_priority,
                                     appointment_at=row.appointment_at)
    else:
        ahead, wait = 0, None
    return IssuedTicket(row.id, row.number, row.service_no, row.access_code, row.day,
                        row.issued_at, row.priority_reason, _hall_ref(row), _service_ref(row),
                        ahead, wait, replayed=True, status=row.status)


def _hall_identity(connection: Connection, code: str) -> Row:
    """The hall's id, node number and time zone, read once per database and process."""
    known = _hall_identities.setdefault(connection.engine, {})
    identity = known.get(code)
    if identity is None:
        identity = connection.execute(_HALL_IDENTITY, {"hall": code}).first()
        if identity is None:
            raise UnknownHall(hall=code)
        known[code] = identity
    return identity


def _hall_ref(row: Row) -> HallRef:
    return HallRef(row.hall_id, row.hall_code, row.node_no, row.timezone, row.hall_name_zh,
                   row.hall_name_en, row.phone)


def _service_ref(row: Row) -> ServiceRef:
    return ServiceRef(row.service_id, row.service_code, row.prefix, row.service_name_zh,
                      row.service_name_en, row.standard_minutes)


