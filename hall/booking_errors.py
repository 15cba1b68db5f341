"""Why a booking, a change of one or a check-in is refused: typed errors with stable codes
(SPEC §7: ``slot-full``, ``too-early``, ``too-late``, ``already-checked-in``, ``cancelled``)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from .errors import HallError
from .messages import N_, Moment


class BookingRefused(HallError):
    status = 409
    code = "booking-refused"


class NotBookable(BookingRefused):
    code = "not-bookable"
    message = N_("%(service)s cannot be booked in this hall; please take a number at the hall.")


class NoSuchSlot(BookingRefused):
    status = 422
    code = "no-such-slot"
    message = N_("There is no appointment slot at that time. Please choose one of the slots "
                 "offered.")


class SlotPast(BookingRefused):
    code = "slot-past"
    message = N_("That slot has already begun. Please choose a later one.")


class SlotFull(BookingRefused):
    code = "slot-full"
    message = N_("That slot has just been fully booked. Please choose another one.")


class OneBookingPerPerson(BookingRefused):
    code = "already-booked"
    message = N_("You already have an appointment for this service on that day. Cancel or "
                 "move it first.")


class TooManyBookings(BookingRefused):
    status = 429
    code = "too-many-bookings"
    message = N_("Too many appointments were made with this mobile number today. Please try "
                 "again tomorrow.")


class BookingBlocked(BookingRefused):
    code = "booking-blocked"
    message = N_("After %(missed)s missed appointments, booking is possible again from "
                 "%(until)s. You can still take a number at the hall.")

    def __init__(self, missed: int, until: date) -> None:
        self.until = until
        super().__init__(missed=missed, until=until.isoformat())

    def problem_fields(self) -> dict[str, object]:
        return {"blocked_until": self.until.isoformat()}


class BookingNotFound(HallError):
    status = 404
    code = "not-found"
    message = N_("No booking with this code and access code was found. Please check both.")


class BookingOtherHall(BookingRefused):
    code = "other-hall"
    message = N_("This appointment is at %(hall)s, not here.")


class PastCutOff(BookingRefused):
    code = "past-cut-off"
    message = N_("Appointments can be changed or cancelled until %(when)s; that time has "
                 "passed.")

    def __init__(self, until: datetime, tz: str) -> None:
        super().__init__(when=Moment(until, tz))


class BookingCancelled(BookingRefused):
    code = "cancelled"
    message = N_("This appointment was cancelled.")


class BookingMissed(BookingRefused):
    code = "too-late"
    message = N_("This appointment was missed: check-in closed %(minutes)s minutes after its "
                 "start. Please take a number or book again.")


class AlreadyCheckedIn(BookingRefused):
    code = "already-checked-in"
    message = N_("This appointment is already checked in: your number is %(number)s.")


class TooEarly(BookingRefused):
    code = "too-early"
    message = N_("It is too early to check in: check-in opens %(when)s.")

    def __init__(self, opens: datetime, tz: str) -> None:
        self.opens = opens.astimezone(ZoneInfo(tz))
        super().__init__(when=Moment(opens, tz))

    def problem_fields(self) -> dict[str, object]:
        return {"check_in_from": self.opens.isoformat()}


class TooLate(BookingRefused):
    code = "too-late"
    message = N_("It is too late to check in: check-in closed %(when)s. Please take a "
                 "number or book again.")

    def __init__(self, closed: datetime, tz: str) -> None:
        super().__init__(when=Moment(closed, tz))


class InvalidBookingField(HallError):
    """A field of the booking form is missing or malformed; ``field`` names it."""

    status = 422
    code = "invalid-field"
    WHY = {
        "name": N_("Please give your name (at most 40 characters)."),
        "phone": N_("Please give a mainland mobile number: 11 digits starting with 1."),
        "start": N_("Please choose a slot."),
    }

    def __init__(self, field: str) -> None:
        self.field = field
        super().__init__(self.WHY[field])

    def problem_fields(self) -> dict[str, object]:
        return {"field": self.field}
