"""Checking in for an appointment at the kiosk (预约签到): the booking becomes today's ticket.

The ticket keeps the booking's service number and access code (one visit, one number), takes
its queue number from the hall's appointment series (``Y001``: visitors and displays see that
it is an appointment), and carries the slot's start, from which the call order
(``hall.callorder``) puts it before walk-ins. Check-in is open from ``APPOINTMENT_EARLY``
minutes before the slot to ``APPOINTMENT_LATE`` after its start, while the hall takes tickets.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from . import bookings, clock, hours
from .booking_errors import (
    AlreadyCheckedIn,
    BookingCancelled,
    BookingMissed,
    BookingNotFound,
    BookingOtherHall,
    BookingRefused,
    TooEarly,
    TooLate,
)
from .db import operation
from .devices import DevicePass
from .errors import DeviceNotAllowed
from .events import KIOSK, Actor, record
from .issuing import HallRef, IssuedTicket, ServiceRef, next_value, write_ticket
from .lookup import get_hall
from .messages import N_
from .models import BookingStatus
from .settings import of as settings_of

# The appointment series: a letter no item may take (``hall.admin.PREFIXES`` leaves it out).
APPOINTMENT_PREFIX = "Y"


class UnknownBookingCode(BookingNotFound):
    """No booking has the code typed or scanned at the kiosk (the same 404 ``not-found`` as
    a booking looked up with a wrong access code; the kiosk asks for no access code)."""

    message = N_("No appointment has the booking code %(code)s. Please check the code on "
                 "your booking confirmation.")


class TooManyCodes(BookingRefused):
    """A kiosk had too many booking codes refused in a short while: the keypad is not a way
    to try codes until one is someone's."""

    status = 429
    code = "too-many-codes"
    message = N_("Too many booking codes were refused at this kiosk. Please try again in "
                 "%(minutes)s minutes, or ask at the information desk.")

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        super().__init__(minutes=max(1, -(-seconds // 60)))


def shown_code(raw: str | None) -> str:
    """What a visitor may be told back of what they typed: letters and digits only."""
    return "".join(c for c in bookings.normalize_code(raw) if c.isascii() and c.isalnum())[:16]


def window(start: datetime, early: timedelta, late: timedelta) -> tuple[datetime, datetime]:
    """From when until when an appointment starting at ``start`` may check in."""
    return start - early, start + late


@operation
def check_in(session: Session, hall_code: str, booking_code: str | None, *,
             device: DevicePass | None = None, actor: Actor = KIOSK) -> IssuedTicket:
    """The booking's ticket, issued now; refused (nothing written) when it is too early, too
    late, at another hall, already checked in or cancelled."""
    if device is not None and device.hall not in (None, hall_code):
        raise DeviceNotAllowed(device=device.name, kind=device.kind or "kiosk", hall=device.hall)
    hall = get_hall(session, hall_code)
    # At the kiosk the code on the confirmation (typed, or the QR read by the scanner) is the
    # visitor's proof, as a ticket is at the window.
    try:
        booking = bookings.by_code(session, booking_code, lock=True)
    except BookingNotFound:
        raise UnknownBookingCode(code=shown_code(booking_code) or "—") from None
    if booking.hall_id != hall.id:
        raise BookingOtherHall(hall=booking.hall.name_zh)
    settings = settings_of(session)
    early = timedelta(minutes=settings.appointment_early_minutes)
    late = timedelta(minutes=settings.appointment_late_minutes)
    if booking.status == BookingStatus.CANCELLED.value:
        raise BookingCancelled()
    if booking.status == BookingStatus.MISSED.value:
        raise BookingMissed(minutes=settings.appointment_late_minutes)
    if booking.status == BookingStatus.CHECKED_IN.value:
        raise AlreadyCheckedIn(number=booking.ticket.number if booking.ticket else "?")
    now = clock.now()
    opens, closes = window(booking.start, early, late)
    if now < opens:
        raise TooEarly(opens, hall.timezone)
    if now > closes:
        raise TooLate(closes, hall.timezone)
    hours.require_tickets(session, hall.id, hall.timezone, now)

    day = clock.local_date(now, hall.timezone)
    seq = next_value(session.connection(), hall.id, day, APPOINTMENT_PREFIX)
    issued = write_ticket(session, HallRef.of(hall), ServiceRef.of(booking.service), now=now,
                          day=day, prefix=APPOINTMENT_PREFIX, seq=seq,
                          service_no=booking.service_no, access_code=booking.access_code,
                          source="booking", actor=actor, device=device,
                          appointment_at=booking.start)
    booking.status = BookingStatus.CHECKED_IN.value
    booking.ticket_id = issued.id
    booking.changed_at = now
    record(session, hall, "booking.checked_in", actor=actor, ticket_id=issued.id,
           booking=booking.booking_code, service=issued.service.code, number=issued.number,
           start=booking.start.isoformat())
    return issued
