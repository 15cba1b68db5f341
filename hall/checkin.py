"""Checking in for an appointment at the kiosk (预约签到): the booking becomes today's ticket.

The ticket keeps the booking's service number and access code (one visit, one number), takes
its queue number from the hall's appointment series (``Y001``: visitors and displays see that
it is an appointment), and carries the slot's start, from which the call order
(``hall.callorder``) puts it before walk-ins. Check-in is open from ``APPOINTMENT_EARLY``
minutes before the slot to ``APPOINTMENT_LATE`` after its start, while the hall takes tickets.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import board, bookings, clock, hours, numbers
from .booking_errors import (
    AlreadyCheckedIn,
    BookingCancelled,
    BookingMissed,
    BookingNotFound,
    BookingOtherHall,
    TooEarly,
    TooLate,
)
from .db import operation
from .devices import DevicePass
from .errors import DeviceNotAllowed, NumbersExhausted
from .events import KIOSK, Actor, record
from .issuing import MAX_SEQ_PER_PREFIX, HallRef, IssuedTicket, ServiceRef, next_value
from .lookup import get_hall
from .models import Booking, BookingStatus, Ticket, TicketStatus
from .settings import of as settings_of

# The appointment series: a letter no item may take (``hall.admin.PREFIXES`` leaves it out).
APPOINTMENT_PREFIX = "Y"


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
    booking = _booking(session, booking_code)
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

    connection = session.connection()
    day = clock.local_date(now, hall.timezone)
    seq = next_value(connection, hall.id, day, APPOINTMENT_PREFIX)
    if seq > MAX_SEQ_PER_PREFIX:
        raise NumbersExhausted()
    service = booking.service
    ticket = Ticket(
        hall_id=hall.id, day=day, prefix=APPOINTMENT_PREFIX, seq=seq,
        number=numbers.queue_number(APPOINTMENT_PREFIX, seq), service_no=booking.service_no,
        access_code=booking.access_code, service_id=service.id,
        status=TicketStatus.WAITING.value, is_priority=False, queued_at=now, issued_at=now,
        source="booking", call_count=0, appointment_at=booking.start,
        device_id=device.device_id if device is not None else None)
    session.add(ticket)
    session.flush()
    booking.status = BookingStatus.CHECKED_IN.value
    booking.ticket_id = ticket.id
    booking.changed_at = now
    device_data = device.event_data() if device is not None else {}
    record(session, hall, "ticket.issued", actor=actor, ticket_id=ticket.id,
           number=ticket.number, service=service.code, priority=None, source="booking",
           **device_data)
    record(session, hall, "booking.checked_in", actor=actor, ticket_id=ticket.id,
           booking=booking.booking_code, service=service.code, number=ticket.number,
           start=booking.start.isoformat())
    ahead, wait = board.position(connection, hall_id=hall.id, day=day, service_id=service.id,
                                 standard_minutes=service.standard_minutes,
                                 ticket_id=ticket.id, queued_at=now, is_priority=False,
                                 appointment_at=booking.start)
    hall_ref = HallRef(hall.id, hall.code, hall.node_no, hall.timezone, hall.name_zh,
                       hall.name_en, hall.phone)
    service_ref = ServiceRef(service.id, service.code, service.prefix, service.name_zh,
                             service.name_en, service.standard_minutes)
    return IssuedTicket(ticket.id, ticket.number, ticket.service_no, ticket.access_code, day,
                        now, None, hall_ref, service_ref, ahead, wait)


def _booking(session: Session, booking_code: str | None) -> Booking:
    """The booking by its code alone: at the kiosk the code on the confirmation (typed, or
    the QR read by the scanner) is the visitor's proof, as a ticket is at the window."""
    code = bookings.normalize_code(booking_code)
    booking = session.scalar(select(Booking).where(Booking.booking_code == code)
                             .with_for_update().execution_options(populate_existing=True))
    if booking is None:
        raise BookingNotFound()
    return booking
