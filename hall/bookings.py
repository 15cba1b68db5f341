"""Booking an appointment, changing and cancelling it (预约、改约、取消), each one transaction
with its event.

A booking takes one place of a slot with one conditional upsert on ``slot_places`` (``taken``
is raised only while it is below the slot's places), so that any number of people booking the
last places at once get exactly as many bookings as there were places, on SQLite and on
PostgreSQL. Its service number is taken from the slot day's visit counter, so the booking, the
ticket it becomes at check-in and a case that may follow are one visit with one number.

Rules a hall expects: one active booking per person (mobile number, and ID number when given)
per item and day, held by unique indexes; at most ``PER_PHONE_PER_DAY`` bookings made with one
mobile number in a day; ``MISSED_APPOINTMENTS`` (3) missed appointments within
``MISSED_APPOINTMENTS_DAYS`` (90) block booking for ``BOOKING_BLOCK_DAYS`` (30) from the last
one (the person is told until when; ``hall.settings``).
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import clock, numbers, settings, slots, text
from .booking_errors import (
    BookingBlocked,
    BookingCancelled,
    BookingMissed,
    BookingNotFound,
    InvalidBookingField,
    NoSuchSlot,
    NotBookable,
    OneBookingPerPerson,
    PastCutOff,
    SlotFull,
    SlotPast,
    TooManyBookings,
)
from .db import in_write_transaction, operation
from .errors import IllegalMove
from .events import Actor, record
from .issuing import VISITS, next_value
from .lookup import get_hall, get_service
from .models import Booking, BookingStatus, Hall, ServiceItem, SlotPlaces

VISITOR = Actor("visitor")
PER_PHONE_PER_DAY = 5
NAME_MAX = 40
CODE_LENGTH = 8
_PHONE = re.compile(r"^1[3-9]\d{9}$")

_SP = SlotPlaces.__table__


def _take_place_statement(dialect):
    """Take one place of a slot, if one is left: the row is created with 1, or raised by one
    while below ``places``; no row comes back when the slot is full."""
    statement = dialect.insert(_SP).values(service_id=bindparam("service_id"),
                                           start=bindparam("start"), taken=1)
    return statement.on_conflict_do_update(
        index_elements=[_SP.c.service_id, _SP.c.start], set_={"taken": _SP.c.taken + 1},
        where=_SP.c.taken < bindparam("places"),
    ).returning(_SP.c.taken)


_TAKE = {"sqlite": _take_place_statement(sqlite),
         "postgresql": _take_place_statement(postgresql)}
_GIVE_BACK = (update(_SP).where(_SP.c.service_id == bindparam("b_service_id"),
                                _SP.c.start == bindparam("b_start"), _SP.c.taken > 0)
              .values(taken=_SP.c.taken - 1))


@dataclass(frozen=True)
class Person:
    name: str
    phone: str
    id_number: str | None


def check_person(name: str | None, phone: str | None, id_number: str | None,
                 today: date) -> Person:
    """The booking form's person, cleaned and checked; refusals name the field."""
    kept = text.clean(name)
    if not kept or len(kept) > NAME_MAX:
        raise InvalidBookingField("name")
    digits = check_phone(phone)
    given = (id_number or "").strip()
    return Person(kept, digits, numbers.parse_resident_id(given, today) if given else None)


def check_phone(phone: str | None) -> str:
    """A mainland mobile number as typed (spaces, dashes, +86 dropped), else
    InvalidBookingField("phone"); also for queueing from home (``hall.remote``)."""
    digits = numbers.normalize(phone or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    if not _PHONE.match(digits):
        raise InvalidBookingField("phone")
    return digits


def _new_code() -> str:
    return "".join(secrets.choice(numbers.ACCESS_CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str | None) -> str:
    """A booking code as typed or scanned: separators dropped, upper case; a scanned URL
    (the booking page's QR, ``…/book/HQ/b/ABCD2345``) gives its last part."""
    value = (raw or "").strip()
    if "/" in value:
        value = value.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return numbers.normalize(value).upper()[:32]


def _could_be_code(code: str) -> bool:
    """Only the codes' own letters and digits: anything else (a NUL byte, a stray symbol
    a scanner typed) cannot be a code, and is not worth a query."""
    return 0 < len(code) <= CODE_LENGTH and all(c in numbers.ACCESS_CODE_ALPHABET
                                                for c in code)


def book(session: Session, hall_code: str, service_code: str, start: datetime | None, *,
         name: str | None, phone: str | None, id_number: str | None = None,
         actor: Actor = VISITOR) -> Booking:
    try:
        return _book(session, hall_code, service_code, start, name, phone, id_number, actor)
    except IntegrityError as error:
        # The partial unique indexes: the same person booked the same day a moment ago.
        if in_write_transaction(session) or "bookings" not in str(error.orig):
            raise
        raise OneBookingPerPerson() from None


@operation
def _book(session: Session, hall_code: str, service_code: str, start: datetime | None,
          name: str | None, phone: str | None, id_number: str | None,
          actor: Actor) -> Booking:
    hall = get_hall(session, hall_code)
    service = get_service(session, hall, service_code)
    now = clock.now()
    person = check_person(name, phone, id_number, clock.local_date(now, hall.timezone))
    if start is None:
        raise InvalidBookingField("start")
    rules = slots.rules_of(session, hall)
    places = slots.places_per_slot(session, service, rules) if service.active else 0
    if places < 1:
        raise NotBookable(service=service.name_zh)
    slot_start = _slot(session, hall, start, rules, now)
    _check_person_may_book(session, service, person, slot_start, hall, now)
    _take_place(session, service, slot_start, places)
    day = slot_start.date()
    serial = next_value(session.connection(), hall.id, day, VISITS)
    if serial > numbers.MAX_DAILY_VISITS:
        raise SlotFull()
    booking = Booking(
        hall=hall, service=service, booking_code=_new_code(),
        service_no=numbers.service_number(day, hall.node_no, serial),
        access_code=numbers.new_access_code(), day=day, start=slot_start,
        end=slot_start + rules.slot, status=BookingStatus.BOOKED.value, name=person.name,
        phone=person.phone, id_number=person.id_number, created_at=now, changed_at=now)
    session.add(booking)
    session.flush()
    record(session, hall, "booking.made", actor=actor, booking=booking.booking_code,
           service=service.code, start=slot_start.isoformat())
    return booking


def _take_place(session: Session, service: ServiceItem, start: datetime, places: int) -> None:
    """One place of the slot at ``start``, or SlotFull when the last one has gone."""
    taken = session.connection().execute(_TAKE[session.get_bind().dialect.name], {
        "service_id": service.id, "start": start, "places": places}).scalar()
    if taken is None:
        raise SlotFull()


def _slot(session: Session, hall: Hall, start: datetime, rules: slots.Rules,
          now: datetime) -> datetime:
    if start.tzinfo is None:
        raise NoSuchSlot()
    if start <= now:
        raise SlotPast()
    found = slots.find_slot(session, hall, start, rules)
    if found is None:
        raise NoSuchSlot()
    return found


def _check_person_may_book(session: Session, service: ServiceItem, person: Person,
                           start: datetime, hall: Hall, now: datetime) -> None:
    """One booking per person, item and day; blocked after missed appointments; at most
    ``PER_PHONE_PER_DAY`` bookings a day with one mobile number: read in one query."""
    same_person = (Booking.phone == person.phone if person.id_number is None else
                   or_(Booking.phone == person.phone, Booking.id_number == person.id_number))
    active = Booking.status.in_((BookingStatus.BOOKED.value, BookingStatus.CHECKED_IN.value))
    rule = settings.of(session)
    missed = and_(same_person, Booking.status == BookingStatus.MISSED.value,
                  Booking.start >= now - timedelta(days=rule.missed_within_days))
    found = session.execute(select(
        select(Booking.id).where(Booking.service_id == service.id,
                                 Booking.day == start.date(), same_person, active)
        .limit(1).scalar_subquery().label("active"),
        select(func.count()).select_from(Booking).where(missed)
        .scalar_subquery().label("missed"),
        select(func.max(Booking.start)).where(missed).scalar_subquery().label("last_missed"),
        select(func.count()).select_from(Booking)
        .where(Booking.phone == person.phone, Booking.created_at >= now - timedelta(days=1))
        .scalar_subquery().label("made_today"),
    )).one()
    if found.active is not None:
        raise OneBookingPerPerson()
    if found.missed >= rule.missed_limit:
        until = found.last_missed + timedelta(days=rule.blocked_for_days)
        if until > now:
            raise BookingBlocked(found.missed, clock.local_date(until, hall.timezone))
    if (found.made_today or 0) >= PER_PHONE_PER_DAY:
        raise TooManyBookings()


def by_code(session: Session, booking_code: str | None, *, lock: bool = False) -> Booking:
    """The booking with this code (typed, or a scanned URL), else BookingNotFound. Alone it
    proves nothing: only the kiosk in the hall takes the code as the visitor's proof, as it
    takes a ticket at the window; everywhere else ``find`` asks for the access code too."""
    code = normalize_code(booking_code)
    if not _could_be_code(code):
        raise BookingNotFound()
    query = select(Booking).where(Booking.booking_code == code)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    booking = session.scalar(query)
    if booking is None:
        raise BookingNotFound()
    return booking


def find(session: Session, booking_code: str | None, access_code: str | None, *,
         lock: bool = False) -> Booking:
    """The booking with this code, if the access code is its own; else BookingNotFound,
    the same for an unknown code and a wrong access code."""
    booking = by_code(session, booking_code, lock=lock)
    given = numbers.normalize(access_code or "").upper()
    if not secrets.compare_digest(booking.access_code, given):
        raise BookingNotFound()
    return booking


def cut_off(session: Session, booking: Booking) -> datetime:
    """Until when the booking may be changed or cancelled."""
    return booking.start - slots.rules_of(session, booking.hall).cancel_before


def _require_changeable(session: Session, booking: Booking, now: datetime) -> None:
    if booking.status != BookingStatus.BOOKED.value:
        if booking.status == BookingStatus.CANCELLED.value:
            raise BookingCancelled()
        if booking.status == BookingStatus.MISSED.value:
            raise BookingMissed(minutes=0)
        raise IllegalMove(number=booking.booking_code, status=booking.status, move="cancel")
    limit = cut_off(session, booking)
    if now > limit:
        raise PastCutOff(limit, booking.hall.timezone)


@operation
def cancel(session: Session, booking_code: str | None, access_code: str | None, *,
           actor: Actor = VISITOR, reason: str = "visitor") -> Booking:
    """Cancel a booking before its cut-off; its place is free again at once."""
    booking = find(session, booking_code, access_code, lock=True)
    now = clock.now()
    _require_changeable(session, booking, now)
    _release(session, booking, BookingStatus.CANCELLED, now)
    record(session, booking.hall, "booking.cancelled", actor=actor,
           booking=booking.booking_code, service=booking.service.code,
           start=booking.start.isoformat(), reason=reason)
    return booking


@operation
def move(session: Session, booking_code: str | None, access_code: str | None,
         start: datetime | None, *, actor: Actor = VISITOR) -> Booking:
    """Move a booking to another slot of the same item on the same day or another (before
    the cut-off): the new place is taken first, then the old one given back."""
    booking = find(session, booking_code, access_code, lock=True)
    now = clock.now()
    _require_changeable(session, booking, now)
    if start is None:
        raise InvalidBookingField("start")
    hall, service = booking.hall, booking.service
    rules = slots.rules_of(session, hall)
    new_start = _slot(session, hall, start, rules, now)
    if new_start == booking.start:
        return booking
    if new_start.date() != booking.day:
        # Another day is another visit: the person's one booking of that day is checked,
        # and the service number follows the day it is for.
        person = Person(booking.name, booking.phone, booking.id_number)
        _check_person_may_book(session, service, person, new_start, hall, now)
    _take_place(session, service, new_start, slots.places_per_slot(session, service, rules))
    session.connection().execute(_GIVE_BACK, {"b_service_id": service.id,
                                              "b_start": booking.start})
    before = booking.start
    if new_start.date() != booking.day:
        serial = next_value(session.connection(), hall.id, new_start.date(), VISITS)
        booking.service_no = numbers.service_number(new_start.date(), hall.node_no, serial)
    booking.start, booking.end, booking.day = new_start, new_start + rules.slot, new_start.date()
    booking.changed_at = now
    record(session, hall, "booking.moved", actor=actor, booking=booking.booking_code,
           service=service.code, before=before.isoformat(), start=new_start.isoformat())
    return booking


def _release(session: Session, booking: Booking, status: BookingStatus, now: datetime) -> None:
    session.connection().execute(_GIVE_BACK, {"b_service_id": booking.service_id,
                                              "b_start": booking.start})
    booking.status = status.value
    booking.changed_at = now


# -- the missed-appointments job ------------------------------------------------------------------

def overdue(session: Session, now: datetime, late: timedelta) -> list[int]:
    return list(session.scalars(select(Booking.id).where(
        Booking.status == BookingStatus.BOOKED.value, Booking.start < now - late)))


@operation
def mark_missed(session: Session, booking_id: int, late: timedelta, *,
                actor: Actor) -> bool:
    """Record one appointment not checked in by the late limit as missed (once: a booking
    checked in or cancelled meanwhile is left alone)."""
    booking = session.scalar(select(Booking).where(
        Booking.id == booking_id, Booking.status == BookingStatus.BOOKED.value,
        Booking.start < clock.now() - late).with_for_update())
    if booking is None:
        return False
    _release(session, booking, BookingStatus.MISSED, clock.now())
    record(session, booking.hall, "booking.missed", actor=actor,
           booking=booking.booking_code, service=booking.service.code,
           start=booking.start.isoformat())
    return True


def record_missed(session: Session, *, actor: Actor) -> int:
    """The missed-appointments job: every booking not checked in by the late limit
    (APPOINTMENT_LATE) is recorded as missed, each in its own transaction. Safe in several
    processes at once: a booking another process marked is left alone."""
    late = timedelta(minutes=settings.of(session).appointment_late_minutes)
    ids = overdue(session, clock.now(), late)
    session.rollback()  # end the read before the writes
    return sum(mark_missed(session, booking_id, late, actor=actor) for booking_id in ids)


# -- the hall cancels (hall.closures) -----------------------------------------------------------

def cancel_by_hall(session: Session, booking: Booking, *, actor: Actor, reason: str) -> None:
    """The hall cancels a booking whose slot no longer exists (the hall closes, or its hours
    shrink), whatever the cut-off: its place is freed, and its ``booking.cancelled`` event
    (``reason``) is what tells the holder. Part of the caller's transaction."""
    _release(session, booking, BookingStatus.CANCELLED, clock.now())
    record(session, booking.hall, "booking.cancelled", actor=actor,
           booking=booking.booking_code, service=booking.service.code,
           start=booking.start.isoformat(), reason=reason)
