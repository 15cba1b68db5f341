"""Queueing from home (远程取号): join today's queue of an item without booking, and arrive.

During the hours in which the hall takes tickets, a visitor may take a ticket from their
phone, up to the share of the item's capacity of the day that the hall sets
(``booking_rules.remote_percent``; capacity: the windows serving the item × today's opening
minutes ÷ its standard minutes). The ticket keeps its place in line from the moment it was
taken for ``REMOTE_HOLD_MINUTES`` (60; a visitor arriving later queues from the arrival, so
that nobody who joined in the morning walks in at four to the front of the line), but it is
``away``: call-next passes it by until the visitor is in the hall, which
they show by scanning the QR code hung at the hall's door (its code changes daily and is
derived from the app's secret, so it cannot be used from home the next day, nor made up) or
at the kiosk. One remote ticket per mobile number, item and day (a unique index holds it).
At closing, a remote ticket never checked in is closed unserved like every other waiting
ticket, and the day's event says how many never arrived (``hall.endofday``).

The quota cannot be overrun by visitors joining at once: the remote tickets of the item are
counted *after* its prefix's daily counter is taken, and that counter's row stays locked
until the transaction ends, so the joins of one item take turns there (SQLite: every writer
does); a refusal rolls the numbers back, leaving no gap.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from . import board, bookings, clock, hours, issuing, numbers, settings, slots
from .db import in_write_transaction, operation
from .devices import DevicePass
from .errors import InvalidServiceNumber, ServiceNotOffered
from .events import Actor, record
from .lookup import get_hall, get_service
from .models import Hall, RemoteTicket, ServiceItem, Ticket, TicketStatus, window_services
from .remote_errors import (
    AlreadyQueued,
    DoorCodeWrong,
    NotRemote,
    NotWaitingAnyMore,
    OtherDay,
    OtherHall,
    RemoteFull,
    RemoteTicketNotFound,
)

VISITOR = bookings.VISITOR
SOURCE = "remote"
DOOR_CODE_LENGTH = 10
# Read off a screen or typed from a sign: no 0/O, 1/I/L (the access codes' alphabet).
DOOR_ALPHABET = numbers.ACCESS_CODE_ALPHABET


def door_code(secret: str, hall_code: str, day: date) -> str:
    """The code of the hall's door QR on ``day``: an HMAC-SHA256 of the hall and the day
    under the app's secret, in ``DOOR_CODE_LENGTH`` unambiguous characters (about 50 bits):
    it changes every day and cannot be worked out without the secret."""
    message = f"door\n{hall_code}\n{day.isoformat()}".encode()
    value = int.from_bytes(hmac.new(secret.encode(), message, hashlib.sha256).digest(), "big")
    letters = []
    for _ in range(DOOR_CODE_LENGTH):
        value, index = divmod(value, len(DOOR_ALPHABET))
        letters.append(DOOR_ALPHABET[index])
    return "".join(letters)


def is_door_code(secret: str, hall_code: str, day: date, given: str | None) -> bool:
    typed = numbers.normalize((given or "")[:64])
    return hmac.compare_digest(typed.encode(), door_code(secret, hall_code, day).encode())


# -- the day's places -------------------------------------------------------------------------

def places(session: Session, hall: Hall, service: ServiceItem, day: date,
           rules: slots.Rules | None = None) -> int:
    """How many tickets of ``service`` may be taken from home on ``day``: ``remote_percent``
    of the day's capacity (windows serving it × opening minutes ÷ standard minutes), floored."""
    rules = rules or slots.rules_of(session, hall)
    windows = session.scalar(select(func.count()).select_from(window_services)
                             .where(window_services.c.service_id == service.id)) or 0
    minutes = sum(_minutes(span) for span in hours.of(session, hall).day(day).spans)
    # Integers throughout: floor(percent/100 × windows × minutes/standard), exactly.
    return (rules.remote_percent * windows * minutes) // (100 * max(1, service.standard_minutes))


def _minutes(span: hours.Span) -> int:
    return (span.closes.hour * 60 + span.closes.minute) - (span.opens.hour * 60
                                                           + span.opens.minute)


def taken(session: Session, hall: Hall, service: ServiceItem, day: date) -> int:
    return session.scalar(select(func.count()).select_from(RemoteTicket).where(
        RemoteTicket.hall_id == hall.id, RemoteTicket.day == day,
        RemoteTicket.service_id == service.id)) or 0


# -- joining ------------------------------------------------------------------------------------

def join(session: Session, hall_code: str, service_code: str, *, phone: str | None,
         actor: Actor = VISITOR) -> issuing.IssuedTicket:
    """A ticket of today for ``service_code``, taken from home: waiting, ``away`` until the
    visitor arrives. Refused: hall-closed, service not offered, an invalid mobile number,
    remote-full, already-queued (one per mobile number, item and day)."""
    try:
        return _join(session, hall_code, service_code, phone, actor)
    except IntegrityError as error:
        # The unique index: the same number joined the same queue a moment ago.
        if in_write_transaction(session) or "remote_tickets" not in str(error.orig):
            raise
        raise AlreadyQueued() from None


@operation
def _join(session: Session, hall_code: str, service_code: str, phone: str | None,
          actor: Actor) -> issuing.IssuedTicket:
    hall = get_hall(session, hall_code, typed=True)
    service = get_service(session, hall, service_code, typed=True)
    now = clock.now()
    digits = bookings.check_phone(phone)
    hours.require_tickets(session, hall.id, hall.timezone, now)
    offered = session.scalar(select(exists().where(window_services.c.service_id == service.id)))
    if not (service.active and offered):
        raise ServiceNotOffered(service=service.name_zh)
    day = clock.local_date(now, hall.timezone)
    quota = places(session, hall, service, day)
    seq, serial = issuing.next_numbers(session.connection(), hall.id, day, service.prefix)
    # Counted with the prefix's counter locked: joins of this item take turns from here on.
    if session.scalar(select(exists().where(
            RemoteTicket.hall_id == hall.id, RemoteTicket.day == day,
            RemoteTicket.service_id == service.id, RemoteTicket.phone == digits))):
        raise AlreadyQueued()
    if taken(session, hall, service, day) >= quota:
        raise RemoteFull(service=service.name_zh)
    issued = issuing.write_ticket(
        session, issuing.HallRef.of(hall), issuing.ServiceRef.of(service), now=now, day=day,
        prefix=service.prefix, seq=seq,
        service_no=numbers.service_number(day, hall.node_no, serial),
        access_code=numbers.new_access_code(), source=SOURCE, actor=actor, device=None,
        away=True)
    session.add(RemoteTicket(ticket_id=issued.id, hall_id=hall.id, day=day,
                             service_id=service.id, phone=digits, created_at=now))
    session.flush()
    return issued


# -- arriving -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Arrival:
    ticket: Ticket
    already: bool  # it had arrived before: nothing was written


@operation
def arrive(session: Session, hall_code: str, service_no: str | None, access_code: str | None,
           *, door_code: str | None, secret: str, actor: Actor = VISITOR,
           device: DevicePass | None = None) -> Arrival:
    """The visitor of a remote ticket is in the hall: it is no longer ``away``, and call-next
    calls it in its place. ``door_code`` is the code of the hall's door QR, which must be
    today's (None: the caller, a kiosk in the hall, vouches for the visitor). Arriving twice
    answers the same; a wrong door code, or a ticket that is not today's remote ticket still
    waiting in this hall, is refused with nothing written."""
    hall = get_hall(session, hall_code, typed=True)
    today = clock.local_date(clock.now(), hall.timezone)
    if door_code is not None and not is_door_code(secret, hall.code, today, door_code):
        raise DoorCodeWrong()
    ticket = _ticket(session, service_no, access_code)
    if ticket.hall_id != hall.id:
        raise OtherHall(number=ticket.number)
    if session.get(RemoteTicket, ticket.id) is None:
        raise NotRemote(number=ticket.number)
    if ticket.day != today:
        raise OtherDay(number=ticket.number)
    if not ticket.away:
        return Arrival(ticket, already=True)
    if ticket.status != TicketStatus.WAITING.value:
        raise NotWaitingAnyMore(number=ticket.number)
    ticket.away = False
    # The place is kept while the visitor travels, not all day: one who comes after the
    # hold queues from the arrival, behind those who waited in the hall meanwhile.
    now = clock.now()
    late = now > held_until(session, ticket)
    if late:
        ticket.queued_at = now
    record(session, hall, "ticket.arrived", actor=actor, ticket=ticket, number=ticket.number,
           service=ticket.service.code, door=door_code is not None, late=late,
           **(device.event_data() if device is not None else {}))
    return Arrival(ticket, already=False)


def held_until(session: Session, ticket: Ticket) -> datetime:
    """Until when a remote ticket keeps its place (REMOTE_HOLD_MINUTES from its taking)."""
    return ticket.issued_at + timedelta(minutes=settings.of(session).remote_hold_minutes)


def _ticket(session: Session, service_no: str | None, access_code: str | None) -> Ticket:
    """The ticket with this service number, if the access code is its own (locked); else
    the same not-found for an unknown number and a wrong code."""
    try:
        number = numbers.parse_service_number((service_no or "")[:64])
    except InvalidServiceNumber:
        raise RemoteTicketNotFound() from None
    ticket = session.scalar(
        select(Ticket).where(Ticket.service_no == number)
        .options(joinedload(Ticket.service))
        .with_for_update(of=Ticket).execution_options(populate_existing=True))
    given = numbers.normalize((access_code or "")[:64])
    if ticket is None or not hmac.compare_digest(ticket.access_code.encode(), given.encode()):
        raise RemoteTicketNotFound()
    return ticket


def held_today(session: Session, hall: Hall, ticket_ids: list[int]) -> list[Ticket]:
    """Of these tickets (a browser's remote tickets), those of ``hall`` and today still
    away and waiting: what the door page offers to check in with one tap."""
    if not ticket_ids:
        return []
    today = clock.local_date(clock.now(), hall.timezone)
    return list(session.scalars(
        select(Ticket).join(RemoteTicket, RemoteTicket.ticket_id == Ticket.id)
        .where(Ticket.id.in_(ticket_ids[:20]), Ticket.hall_id == hall.id, Ticket.day == today,
               Ticket.away.is_(True), Ticket.status == TicketStatus.WAITING.value)
        .options(joinedload(Ticket.service)).order_by(Ticket.id)))


# -- what the page offers -------------------------------------------------------------------------

@dataclass(frozen=True)
class Offer:
    code: str
    name_zh: str
    name_en: str
    waiting: int
    left: int  # places from home still free today


def offers(session: Session, hall: Hall) -> list[Offer]:
    """The items one may queue for from home today: those a window serves, with how many wait
    and how many places from home are left (reads only)."""
    day = clock.local_date(clock.now(), hall.timezone)
    rules = slots.rules_of(session, hall)
    lines = board.service_lines(session, hall, day)
    items = {s.code: s for s in session.scalars(
        select(ServiceItem).where(ServiceItem.hall_id == hall.id,
                                  ServiceItem.code.in_([line.code for line in lines])))}
    found = []
    for line in lines:
        item = items[line.code]
        left = max(0, places(session, hall, item, day, rules) - taken(session, hall, item, day))
        found.append(Offer(line.code, line.name_zh, line.name_en, line.waiting, left))
    return found
