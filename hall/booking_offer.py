"""What the booking pages offer a citizen (预约页面): the halls, the items of a hall that take
bookings, and an item's slots day by day. Reads only; booking itself is ``hall.bookings``."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import guide, hours, slots
from .models import Hall, ServiceItem


@dataclass(frozen=True)
class Day:
    day: date
    makeup: bool                  # a weekend day worked in lieu of a holiday (调休上班)
    slots: tuple[slots.Slot, ...]

    @property
    def free(self) -> int:
        return sum(s.free for s in self.slots)


def halls(session: Session) -> list[Hall]:
    """Every hall, in the order of their node numbers (the province first)."""
    return list(session.scalars(select(Hall).order_by(Hall.node_no)))


def bookable_services(session: Session, hall: Hall) -> list[ServiceItem]:
    """The hall's active items that take bookings, in catalogue order."""
    rules = slots.rules_of(session, hall)
    return [entry.item for entry in guide.guide(session, hall)
            if slots.bookable(session, entry.item, rules)]


def days(session: Session, hall: Hall, service: ServiceItem) -> list[Day]:
    """The item's slots on the hall's next open days, grouped by day (a day whose slots have
    all begun is left out)."""
    found = slots.slots(session, hall, service)
    hall_hours = hours.of(session, hall)
    return [Day(day, hall_hours.day(day).kind == hours.MAKEUP, tuple(group))
            for day, group in groupby(found, key=lambda s: s.start.date())]


def slot_start(raw: str | None, hall: Hall) -> datetime | None:
    """A slot's start as the pages carry it (``2026-11-24T09:00``, the hall's local time, or
    with its zone), or None when it is no time at all."""
    text = (raw or "").strip()
    if not text or len(text) > 40:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=slots.zone_of(hall))
