"""Appointment slots (预约时段): when an item of a hall can be booked, and how many places
each slot has.

Slots follow the hall's opening hours on its working-day calendar (``hall.hours``): none on
weekends, national holidays or a local closure, slots on a make-up Saturday. A slot starts at
an opening and every ``slot_minutes`` after it, as long as tickets are still taken at its
start and it ends by the closing. Its places come from the windows that serve the item (each
window serves ``slot_minutes / standard_minutes`` visitors in a slot), less the share the hall
keeps for walk-ins; an administrator may set an item's places by hand or close it to booking.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import clock, hours
from .models import BookingRules, Hall, ServiceBooking, ServiceItem, SlotPlaces, window_services


@dataclass(frozen=True)
class Rules:
    slot_minutes: int = 30
    walk_in_percent: int = 50
    days_ahead: int = 10             # open days ahead (today included) on which one may book
    cancel_before_minutes: int = 120
    remote_percent: int = 20         # of an item's capacity of the day, taken from home

    @property
    def slot(self) -> timedelta:
        return timedelta(minutes=self.slot_minutes)

    @property
    def cancel_before(self) -> timedelta:
        return timedelta(minutes=self.cancel_before_minutes)


DEFAULT_RULES = Rules()


@dataclass(frozen=True)
class Slot:
    start: datetime   # in the hall's zone
    end: datetime
    places: int
    taken: int

    @property
    def free(self) -> int:
        return max(0, self.places - self.taken)


def zone_of(hall: Hall) -> ZoneInfo:
    return ZoneInfo(hall.timezone)


def rules_of(session: Session, hall: Hall) -> Rules:
    row = session.get(BookingRules, hall.id)
    if row is None:
        return DEFAULT_RULES
    return Rules(row.slot_minutes, row.walk_in_percent, row.days_ahead,
                 row.cancel_before_minutes, row.remote_percent)


def places_per_slot(session: Session, service: ServiceItem, rules: Rules) -> int:
    """The places of one slot of ``service`` (0: not bookable)."""
    own = session.get(ServiceBooking, service.id)
    if own is not None and not own.bookable:
        return 0
    if own is not None and own.places_per_slot is not None:
        return own.places_per_slot
    windows = session.scalar(select(func.count()).select_from(window_services)
                             .where(window_services.c.service_id == service.id)) or 0
    per_window = rules.slot_minutes / max(1, service.standard_minutes)
    return math.floor(windows * per_window * (100 - rules.walk_in_percent) / 100)


def bookable(session: Session, service: ServiceItem, rules: Rules) -> bool:
    return service.active and places_per_slot(session, service, rules) > 0


def day_starts(hall_hours: hours.HallHours, day: date, rules: Rules) -> list[datetime]:
    """The slot starts of one day, in the hall's zone."""
    starts = []
    for span in hall_hours.ticket_spans(day):
        closes = next(s.closes for s in hall_hours.day(day).spans if s.opens == span.opens)
        at = datetime.combine(day, span.opens, tzinfo=hall_hours.zone)
        last_start = datetime.combine(day, span.closes, tzinfo=hall_hours.zone)
        end_by = datetime.combine(day, closes, tzinfo=hall_hours.zone)
        while at < last_start and at + rules.slot <= end_by:
            starts.append(at)
            at += rules.slot
    return starts


def open_days(hall_hours: hours.HallHours, first: date, count: int, *,
              horizon: int = 366) -> list[date]:
    """The next ``count`` days from ``first`` on which the hall takes tickets."""
    days: list[date] = []
    day = first
    for _ in range(horizon):
        if len(days) == count:
            break
        if hall_hours.ticket_spans(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def bookable_days(hall_hours: hours.HallHours, rules: Rules, now: datetime) -> list[date]:
    """The open days on which the hall takes bookings now: today and on, ``days_ahead``."""
    return open_days(hall_hours, now.astimezone(hall_hours.zone).date(), rules.days_ahead)


def slots(session: Session, hall: Hall, service: ServiceItem, first: date | None = None,
          days: int | None = None) -> list[Slot]:
    """The slots of ``service`` from ``first`` (default today) on the bookable open days,
    ``days`` of them at most, leaving out those that have begun."""
    rules = rules_of(session, hall)
    now = clock.now()
    places = places_per_slot(session, service, rules) if service.active else 0
    hall_hours = hours.of(session, hall)
    chosen = [d for d in bookable_days(hall_hours, rules, now) if first is None or d >= first]
    if days is not None:
        chosen = chosen[:max(0, days)]
    starts = [s for d in chosen for s in day_starts(hall_hours, d, rules) if s > now]
    if not starts:
        return []
    taken = dict(session.execute(
        select(SlotPlaces.start, SlotPlaces.taken)
        .where(SlotPlaces.service_id == service.id, SlotPlaces.start >= starts[0],
               SlotPlaces.start <= starts[-1])).all())
    zone = hall_hours.zone
    return [Slot(s, s + rules.slot, places, taken.get(s, 0)) for s in
            (start.astimezone(zone) for start in starts)]


def find_slot(session: Session, hall: Hall, start: datetime, rules: Rules) -> datetime | None:
    """``start`` if it is a slot start of a bookable day (in the hall's zone), else None."""
    hall_hours = hours.of(session, hall)
    local = start.astimezone(hall_hours.zone)
    if local.date() not in bookable_days(hall_hours, rules, clock.now()):
        return None
    return local if local in day_starts(hall_hours, local.date(), rules) else None
