"""Why joining a queue from home, or arriving at the hall with such a ticket, is refused:
typed errors with stable codes (``remote-full``, ``already-queued``, ``door-code-wrong``…);
an invalid mobile number is the booking form's ``invalid-field`` (``field``: phone), and
outside the hours the hall's own ``hall-closed``."""
from __future__ import annotations

from .errors import HallError
from .messages import N_


class RemoteRefused(HallError):
    status = 409
    code = "remote-refused"


class RemoteFull(RemoteRefused):
    code = "remote-full"
    message = N_("Today's places for queueing from home for %(service)s are all taken. Please "
                 "take a number at the kiosk in the hall.")


class AlreadyQueued(RemoteRefused):
    code = "already-queued"
    message = N_("This mobile number already has a ticket for this service today. Open it "
                 "from the page you were sent to, or ask at the hall.")


class DoorCodeWrong(RemoteRefused):
    code = "door-code-wrong"
    message = N_("This is not today's code of the hall's door. Please scan the QR code at "
                 "the hall's entrance when you arrive.")


class NotRemote(RemoteRefused):
    code = "not-remote"
    message = N_("Ticket %(number)s was taken in the hall: there is nothing to check in.")


class NotWaitingAnyMore(RemoteRefused):
    code = "not-waiting"
    message = N_("Ticket %(number)s is no longer waiting, so it cannot be checked in.")


class OtherDay(RemoteRefused):
    code = "other-day"
    message = N_("Ticket %(number)s is not for today: it cannot be checked in today.")


class OtherHall(RemoteRefused):
    code = "other-hall"
    message = N_("Ticket %(number)s is for another hall, not this one.")


class RemoteTicketNotFound(HallError):
    status = 404
    code = "not-found"
    message = N_("No ticket with this service number and access code was found. Please check "
                 "both.")
