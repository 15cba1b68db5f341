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

Some bookings slip past even so: each process keeps a hall's hours for up to a minute
(``hall.hours``), so another process may book a slot of a day just closed, and a booking
committed at the very moment of the closure is not among those it read. ``sweep`` (a
scheduled job, every minute) finds them with the hours read afresh and cancels them the same
way, actor the system.
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
from .events import SYSTEM, Actor
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


def stranded(session: Session, hall: Hall, *, lock: bool = False,
             fresh: bool = False) -> list[Booking]:
    """The hall's booked appointments to come (slot not over) whose slot the hours as read
    in this transaction (``fresh``: as committed, not as this process keeps them) no
    longer have."""
    now = clock.now()
    query = (select(Booking).where(
        Booking.hall_id == hall.id, Booking.status == BookingStatus.BOOKED.value,
        Booking.day >= clock.local_date(now, hall.timezone), Booking.end > now)
        .order_by(Booking.start, Booking.id))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    hall_hours = hours.of(session, hall, fresh=fresh)
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


# -- the sweep: bookings that slipped past a closure -----------------------------------------------

def sweep(session: Session, *, actor: Actor = SYSTEM) -> list[str]:
    """Cancel, in every hall, the booked appointments to come whose slot the hours read
    afresh no longer have (reason "hall-closed": the holder is told), one transaction per
    hall that has any. A read first, so that a minute with nothing to do writes nothing;
    each booking is locked and checked again before it is cancelled, so that jobs in
    several processes cancel it once. Returns the booking codes cancelled."""
    now = clock.now()
    halls = list(session.scalars(select(Hall).where(Hall.id.in_(
        select(Booking.hall_id).where(Booking.status == BookingStatus.BOOKED.value,
                                      Booking.end > now).distinct()))))
    found = [hall.id for hall in halls if stranded(session, hall, fresh=True)]
    session.rollback()  # end the read before the writes
    return [code for hall_id in found for code in _sweep_hall(session, hall_id, actor=actor)]


@operation
def _sweep_hall(session: Session, hall_id: int, *, actor: Actor) -> list[str]:
    hall = session.get(Hall, hall_id)
    if hall is None:
        return []
    found = stranded(session, hall, lock=True, fresh=True)
    for booking in found:
        bookings.cancel_by_hall(session, booking, actor=actor, reason=REASON)
    return [b.booking_code for b in found]
