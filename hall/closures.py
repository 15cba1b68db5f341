"""Closing a day that has bookings (本地闭厅): a change of a hall's opening hours that takes
away booked slots cancels those bookings, in the same transaction, and only once an
administrator has seen which ones.

The change is made first (``hall.hours_admin``, joining this transaction), then the hall's
booked appointments to come are read against the hours as they now are: a booking whose slot
no longer fits in a span in which tickets are taken (the hall closed that day, or its hours
shortened, or the last ticket moved earlier) is stranded. Without a confirmation that covers
every stranded booking, ``BookingsWouldBeCancelled`` lists them and the whole change is
rolled back: nothing is written before the administrator confirms. With it, each is
cancelled (its place freed) with a ``booking.cancelled`` event, ``reason`` "hall-closed",
from which the holder is told.

A confirmation names the bookings the administrator saw; one booked in the meantime makes the
warning come again rather than be cancelled unseen.
"""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import bookings, clock, hours
from .db import operation
from .errors import N_, HallError
from .events import Actor
from .lookup import get_hall
from .models import Booking, BookingStatus, Hall

R = TypeVar("R")
REASON = "hall-closed"


@dataclass(frozen=True)
class Stranded:
    """A booking whose slot the change takes away: what the administrator is shown (no
    names: the code, the slot and the item are enough to tell them apart)."""

    booking_code: str
    start: datetime   # in the hall's zone
    end: datetime
    service_code: str
    name_zh: str      # the item's names
    name_en: str | None


class BookingsWouldBeCancelled(HallError):
    status = 409
    code = "bookings-would-be-cancelled"
    message = N_("%(count)s bookings on %(days)s will be cancelled and their holders told.")

    def __init__(self, stranded: list[Stranded]) -> None:
        self.bookings = stranded
        self.days = sorted({s.start.date() for s in stranded})
        super().__init__(count=len(stranded), days=", ".join(d.isoformat() for d in self.days))

    def problem_fields(self) -> dict[str, object]:
        return {"bookings": [{"booking_code": s.booking_code, "start": s.start.isoformat(),
                              "end": s.end.isoformat(), "service": s.service_code}
                             for s in self.bookings]}


def fits(hall_hours: hours.HallHours, start: datetime, end: datetime) -> bool:
    """Whether a slot from ``start`` to ``end`` still exists: tickets are taken at its start
    and it ends by the closing of the same span."""
    start, end = hall_hours.local(start), hall_hours.local(end)
    day = start.date()
    if end.date() != day:
        return False
    whole = hall_hours.day(day).spans
    for span in hall_hours.ticket_spans(day):
        closes = next(s.closes for s in whole if s.opens == span.opens)
        if span.opens <= start.time() < span.closes and end.time() <= closes:
            return True
    return False


def stranded(session: Session, hall: Hall, *, lock: bool = False) -> list[Booking]:
    """The hall's booked appointments to come (slot not over) whose slot the hours as read
    in this transaction no longer have."""
    now = clock.now()
    query = (select(Booking).where(
        Booking.hall_id == hall.id, Booking.status == BookingStatus.BOOKED.value,
        Booking.day >= clock.local_date(now, hall.timezone), Booking.end > now)
        .order_by(Booking.start, Booking.id))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    hall_hours = hours.of(session, hall)
    return [b for b in session.scalars(query) if not fits(hall_hours, b.start, b.end)]


def _shown(hall: Hall, booking: Booking) -> Stranded:
    zone = ZoneInfo(hall.timezone)
    return Stranded(booking.booking_code, booking.start.astimezone(zone),
                    booking.end.astimezone(zone), booking.service.code,
                    booking.service.name_zh, booking.service.name_en)


@operation
def change_hours(session: Session, hall_code: str, change: Callable[[], R], *, actor: Actor,
                 confirmed: bool | Collection[str] = False) -> tuple[R, list[Stranded]]:
    """Make ``change`` (an opening-hours operation on ``session``) and cancel the bookings
    it strands, in one transaction; ``confirmed``: True (all, the command line's --yes) or
    the booking codes the administrator was shown. A stranded booking not confirmed:
    ``BookingsWouldBeCancelled``, and nothing is written. Returns what ``change`` returned
    and the bookings cancelled."""
    result = change()
    hall = get_hall(session, hall_code, typed=True)
    found = stranded(session, hall, lock=True)
    shown = [_shown(hall, b) for b in found]
    allowed = confirmed is True or (
        not isinstance(confirmed, bool)
        and {b.booking_code for b in found} <= set(confirmed))
    if found and not allowed:
        raise BookingsWouldBeCancelled(shown)
    for booking in found:
        bookings.cancel_by_hall(session, booking, actor=actor, reason=REASON)
    return result, shown
