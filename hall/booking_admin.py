"""Administrators set how a hall takes bookings (``hall.slots``): its rules (slot minutes, the
share kept for walk-ins, how many open days ahead, the cancel cut-off, the share of a day
taken from home, ``hall.remote``) and each item's places per slot, set by hand, computed from
the windows that serve it, or closed to booking.

Each change is one operation, checked before anything is written (the ranges are the tables'
CHECK constraints, said in words), recorded as a ``booking.*`` event with what it was before.
A change never takes away a place already taken: a slot whose bookings are now more than its
places keeps them (``overfull`` names it) and takes no new one, since a booking takes its
place only while ``taken`` is below the places (``hall.bookings``).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import clock, remote, slots
from .admin import administered_hall
from .db import operation
from .errors import N_, HallError, Term
from .events import Actor, record
from .lookup import get_service
from .models import BookingRules, Hall, ServiceBooking, ServiceItem, SlotPlaces

# Each rule, its words and its range: the CHECK constraints of ``booking_rules``.
RULES = {
    "slot_minutes": (N_("the minutes of a slot"), 5, 240),
    "walk_in_percent": (N_("the share kept for walk-ins, in per cent"), 0, 100),
    "days_ahead": (N_("the open days ahead"), 1, 60),
    "cancel_before_minutes": (N_("the cancel cut-off (minutes before the slot)"), 0, 10080),
    "remote_percent": (N_("the share of a day's capacity taken from home, in per cent"), 0,
                       100),
}
MAX_PLACES = 500  # service_booking's CHECK
COMPUTED, BY_HAND, CLOSED = "computed", "by-hand", "closed"
SHOWN_DAYS = 3


class InvalidBookingRule(HallError):
    status = 422
    code = "invalid-booking-rule"
    message = N_("Give %(field)s as a whole number from %(low)s to %(high)s.")

    def __init__(self, field: str) -> None:
        words, low, high = RULES[field]
        self.field = field
        super().__init__(field=Term(words), low=low, high=high)


class InvalidPlaces(HallError):
    status = 422
    code = "invalid-places"
    message = N_("The places per slot are a whole number from 0 to %(max)s, or computed from "
                 "the windows.")

    def __init__(self) -> None:
        super().__init__(max=MAX_PLACES)


# -- checking input --------------------------------------------------------------------------

def whole_number(value: object, low: int, high: int, error: HallError) -> int:
    """``value`` (typed text or a number) as a whole number from ``low`` to ``high``."""
    if isinstance(value, bool):
        raise error
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 6:
            raise error
        number = int(text)
    if not low <= number <= high:
        raise error
    return number


def check_rules(values: Mapping[str, object]) -> slots.Rules:
    """The rules from a form or the command line, each in its range."""
    return slots.Rules(**{name: whole_number(values.get(name), low, high,
                                             InvalidBookingRule(name))
                          for name, (_words, low, high) in RULES.items()})


def check_places(mode: str, places: object) -> tuple[bool, int | None]:
    """(bookable, places per slot) for a mode (computed, by-hand, closed)."""
    if mode == CLOSED:
        return False, None
    if mode == COMPUTED:
        return True, None
    if mode == BY_HAND:
        return True, whole_number(places, 0, MAX_PLACES, InvalidPlaces())
    raise InvalidPlaces()


# -- the moves -------------------------------------------------------------------------------

@operation
def set_rules(session: Session, hall_code: str, values: Mapping[str, object], *,
              actor: Actor) -> bool:
    """Set the hall's booking rules; a rule not among ``values`` at all keeps its value (a
    rule given empty is refused). Records ``booking.rules_set`` with each change
    before → after; nothing when nothing changed. Returns whether anything changed."""
    hall = administered_hall(session, hall_code, actor)
    before = slots.rules_of(session, hall)
    after = check_rules({**{name: getattr(before, name) for name in RULES}, **values})
    changed = {f.name: {"before": getattr(before, f.name), "after": getattr(after, f.name)}
               for f in fields(slots.Rules) if getattr(before, f.name) != getattr(after, f.name)}
    if not changed:
        return False
    session.merge(BookingRules(hall_id=hall.id, slot_minutes=after.slot_minutes,
                               walk_in_percent=after.walk_in_percent,
                               days_ahead=after.days_ahead,
                               cancel_before_minutes=after.cancel_before_minutes,
                               remote_percent=after.remote_percent))
    session.flush()
    record(session, hall, "booking.rules_set", actor=actor, changed=changed)
    return True


def _mode(row: ServiceBooking | None) -> tuple[str, int | None]:
    if row is not None and not row.bookable:
        return CLOSED, None
    if row is not None and row.places_per_slot is not None:
        return BY_HAND, row.places_per_slot
    return COMPUTED, None


@operation
def set_places(session: Session, hall_code: str, service_code: str, mode: str,
               places: object = None, *, actor: Actor) -> bool:
    """Set one item's places per slot: by hand (0 to MAX_PLACES), computed from the windows,
    or closed to booking. Records ``booking.places_set``; nothing when nothing changed."""
    hall = administered_hall(session, hall_code, actor)
    service = get_service(session, hall, service_code, typed=True)
    bookable, own = check_places(mode, places)
    row = session.get(ServiceBooking, service.id)
    before = _mode(row)
    after = (CLOSED, None) if not bookable else (BY_HAND, own) if own is not None else (
        COMPUTED, None)
    if before == after:
        return False
    if row is None:
        session.add(ServiceBooking(service_id=service.id, bookable=bookable,
                                   places_per_slot=own))
    else:
        row.bookable, row.places_per_slot = bookable, own
    session.flush()
    rules = slots.rules_of(session, hall)
    record(session, hall, "booking.places_set", actor=actor, service=service.code,
           before=_words(before), after=_words(after),
           places=slots.places_per_slot(session, service, rules))
    return True


def _words(mode: tuple[str, int | None]) -> str:
    """How a mode is kept in the event (and shown in the audit log as it is)."""
    return str(mode[1]) if mode[0] == BY_HAND else mode[0]


# -- what the page and the command line show --------------------------------------------------

@dataclass(frozen=True)
class Overfull:
    start: datetime   # in the hall's zone
    taken: int
    places: int


@dataclass(frozen=True)
class ItemPlaces:
    service: ServiceItem
    mode: str                   # computed, by-hand, closed
    own: int | None             # the places set by hand
    places: int                 # the places per slot that result now
    remote_places: int          # the tickets that may be taken from home today
    overfull: list[Overfull]
    slots: list[slots.Slot]     # the next open days' slots, with the places taken


def overfull(session: Session, hall: Hall, service: ServiceItem, places: int) -> list[Overfull]:
    """The slots to come of ``service`` with more places taken than it has now."""
    zone = slots.zone_of(hall)
    rows = session.execute(select(SlotPlaces.start, SlotPlaces.taken).where(
        SlotPlaces.service_id == service.id, SlotPlaces.start > clock.now(),
        SlotPlaces.taken > places).order_by(SlotPlaces.start))
    return [Overfull(start.astimezone(zone), taken, places) for start, taken in rows]


def items(session: Session, hall: Hall, *, days: int = SHOWN_DAYS,
          first: date | None = None) -> list[ItemPlaces]:
    """Every item of the hall with its places per slot now, its places from home today
    (``hall.remote``: the same count that refuses a join), the slots over-full, and the
    slots of the next ``days`` open days with their places taken."""
    rules = slots.rules_of(session, hall)
    today = clock.local_date(clock.now(), hall.timezone)
    found = []
    for service in session.scalars(select(ServiceItem).where(ServiceItem.hall_id == hall.id)
                                   .order_by(ServiceItem.code)):
        mode, own = _mode(session.get(ServiceBooking, service.id))
        places = slots.places_per_slot(session, service, rules) if service.active else 0
        from_home = remote.places(session, hall, service, today, rules) if service.active else 0
        found.append(ItemPlaces(service, mode, own, places, from_home,
                                overfull(session, hall, service, places),
                                slots.slots(session, hall, service, first, days)))
    return found
