"""Domain errors: each says, in words fit for a clerk or visitor, why a move is refused.

Messages are gettext message ids with ``%(name)s`` parameters; the web layer translates them
(zh-CN first) and maps ``status`` and ``code`` to problem+json or to a page.
"""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from . import kinds
from .messages import N_, Moment, Term  # noqa: F401  (where the domain has always found them)


class HallError(Exception):
    status = 400
    code = "hall-error"
    message = N_("The request cannot be carried out.")

    def __init__(self, message: str | None = None, **params: object) -> None:
        if message is not None:
            self.message = message
        self.params = params
        super().__init__(self.message % params if params else self.message)

    def problem_fields(self) -> dict[str, object]:
        """Members the API's problem body carries besides code and title (RFC 9457)."""
        return {}


# -- form validation: one error, carrying what is wrong with each field --------------------------

class FieldProblem(NamedTuple):
    """What is wrong with one field of a form: a stable code and its message (a message id
    with ``%(name)s`` parameters, as every HallError's)."""

    field: str | None
    code: str
    message: str
    params: dict[str, object]


class InvalidInput(HallError):
    """What a person typed into a form is refused: one error type for every check of input
    (administration's forms, the CLI), each check with its stable code and message in
    ``CHECKS``. Its ``code`` and ``message`` are the first problem's, so a page or the API
    says it as it always did; ``problems`` holds every field's, for a form that shows them
    beside their fields."""

    status = 422
    code = "invalid-input"
    message = N_("Please correct the form.")

    CHECKS = {
    "admin-field-required": N_("Please fill in: %(field)s."),
    "admin-field-too-long": N_("%(field)s is too long: at most %(max)s characters."),
    "invalid-hall-code": N_("A hall code has 2 to 16 capital letters or digits and starts "
                            "with a letter."),
    "invalid-node-number": N_("The node number is a whole number from 1 to 999."),
    "invalid-hall-level": N_("A hall is a provincial, city or county hall."),
    "invalid-timezone": N_("%(timezone)s is not a time zone (for example Asia/Shanghai)."),
    "invalid-parent-hall": N_("A hall cannot be placed under itself or under a hall below it."),
    "invalid-window-number": N_("A window number is a whole number from 1 to 999."),
    "invalid-code": N_("A code has 1 to 16 capital letters, digits, - or _."),
    "invalid-prefix": N_("The number prefix is one capital letter other than I and O, which "
                         "read as 1 and 0 on a ticket, and Y, which numbers appointments."),
    "invalid-time-limit": N_("A time limit is a whole number of working days from 0 to %(max)s."),
    "legal-limit-shorter": N_("The legal time limit (%(legal)s working days) cannot be "
                              "shorter than the promised one (%(promised)s)."),
    "invalid-standard-minutes": N_("The usual minutes at the window are a whole number from "
                                   "1 to %(max)s."),
    "case-item-needs-division": N_("An item with a time limit becomes a case: choose the "
                                   "division that handles it."),
    "invalid-guide-line": N_("%(field)s, line %(line)s: write the Chinese text, then | and the "
                             "English; at most %(max)s lines of 300 characters."),
    "invalid-username": N_("A username has 3 to 40 letters, digits, dots, hyphens or underscores."),
    "weak-password": N_("This password is too weak: %(why)s."),
    "role-required": N_("Give the account at least one role."),
    "unknown-role": N_("%(role)s is not a role: admin, manager, clerk or division."),
    "division-role-needs-division": N_("Division staff work the cases of a division: choose it."),
    }
    # Why a password is refused (``weak-password``'s %(why)s).
    WEAK_PASSWORD = {"short": N_("use at least 8 characters"),
                     "long": N_("use at most 200 characters"),
                     "mix": N_("mix letters and digits"),
                     "username": N_("it must not contain the username"),
                     "common": N_("it is one of the passwords guessed first")}

    def __init__(self, code: str, *, on: str | None = None, **params: object) -> None:
        """The check ``code`` failed on the form field ``on``; ``params`` fill its message."""
        self.problems = [FieldProblem(on, code, self.CHECKS[code], params)]
        self.code = code
        super().__init__(self.CHECKS[code], **params)

    @classmethod
    def weak_password(cls, why: str) -> InvalidInput:
        return cls("weak-password", on="password", why=Term(cls.WEAK_PASSWORD[why]))

    @property
    def fields(self) -> dict[str, FieldProblem]:
        """The problems by the field they are about."""
        return {p.field: p for p in self.problems if p.field}


# -- not found ------------------------------------------------------------------------------

class UnknownHall(HallError):
    status = 404
    code = "unknown-hall"
    message = N_("There is no hall with the code %(hall)s.")


class UnknownService(HallError):
    status = 404
    code = "unknown-service"
    message = N_("Hall %(hall)s has no service with the code %(service)s.")


class UnknownWindow(HallError):
    status = 404
    code = "unknown-window"
    message = N_("Hall %(hall)s has no window %(window)s.")


class TicketNotFound(HallError):
    status = 404
    code = "ticket-not-found"
    message = N_("No ticket %(number)s was issued today in this hall.")


# -- refused moves ----------------------------------------------------------------------------

class ServiceNotOffered(HallError):
    status = 409
    code = "service-not-offered"
    message = N_("%(service)s is not offered in this hall at the moment.")


class WindowNotOpen(HallError):
    status = 409
    code = "window-not-open"
    message = N_("Window %(window)s is not open.")


class WindowBusy(HallError):
    status = 409
    code = "window-busy"
    message = N_("Window %(window)s is still attending to %(number)s; finish it, mark it as a "
                 "no-show, hold it or transfer it first.")


class WindowHasHeldTickets(HallError):
    status = 409
    code = "window-has-held-tickets"
    message = N_("Window %(window)s still holds %(numbers)s; resume or transfer them first.")


class WindowTaken(HallError):
    status = 409
    code = "window-taken"
    message = N_("Window %(window)s is already open for %(clerk)s.")


class ClerkAtOtherWindow(HallError):
    status = 409
    code = "clerk-at-other-window"
    message = N_("You already have window %(window)s open; close it first.")


class NotYourWindow(HallError):
    status = 403
    code = "not-your-window"
    message = N_("Window %(window)s is not open for you.")


class NotAClerk(HallError):
    status = 403
    code = "not-a-clerk"
    message = N_("Only window clerks can work a window.")


class NoCurrentTicket(HallError):
    status = 409
    code = "no-current-ticket"
    message = N_("Window %(window)s has no ticket called at the moment.")


class NotCurrentTicket(HallError):
    status = 409
    code = "not-current-ticket"
    message = N_("%(number)s is not the ticket at window %(window)s (it has %(current)s).")


class IllegalMove(HallError):
    status = 409
    code = "illegal-move"
    message = N_("%(number)s is %(status)s: you cannot %(move)s it.")

    STATUS = kinds.TICKET_STATUSES
    MOVES = {"call": N_("call"), "recall": N_("call again"), "no_show": N_("mark as a no-show"),
             "start": N_("start serving"), "finish": N_("finish"), "hold": N_("hold"),
             "resume": N_("resume here"), "transfer": N_("transfer"),
             "accept": N_("accept as a case")}

    def __init__(self, *, number: str, status: str, move: str) -> None:
        super().__init__(number=number, status=Term(self.STATUS.get(status, status)),
                         move=Term(self.MOVES[move]))


class NotServedHere(HallError):
    status = 409
    code = "not-served-here"
    message = N_("Window %(window)s does not serve %(service)s.")


class InvalidTransfer(HallError):
    status = 422
    code = "invalid-transfer"
    message = N_("Choose another service or another window to transfer to.")


class NumbersExhausted(HallError):
    status = 409
    code = "numbers-exhausted"
    message = N_("No more numbers can be issued today for this queue.")


class PauseReasonRequired(HallError):
    status = 422
    code = "pause-reason-required"
    message = N_("Say why the window is paused.")


# -- service numbers -------------------------------------------------------------------------

class InvalidServiceNumber(HallError):
    status = 400
    code = "invalid-service-number"
    message = N_("A service number has 15 characters: digits, the last may be X.")


class ServiceNumberMistyped(InvalidServiceNumber):
    code = "service-number-mistyped"
    message = N_("This service number is not valid: its check character does not match. "
                 "Please check each digit on your ticket.")


# -- cases -----------------------------------------------------------------------------------

class CaseNotFound(HallError):
    status = 404
    code = "case-not-found"
    message = N_("There is no case %(case)s.")


class CaseNotNeeded(HallError):
    status = 409
    code = "case-not-needed"
    message = N_("%(service)s is finished at the window: there is no case to open.")


class NotCaseDivision(HallError):
    status = 403
    code = "not-case-division"
    message = N_("This case belongs to %(division)s.")


class NotAManager(HallError):
    status = 403
    code = "not-a-manager"
    message = N_("Only a manager of this hall can decide on an extension.")


class IllegalCaseMove(HallError):
    status = 409
    code = "illegal-case-move"
    message = N_("The case is %(state)s: you cannot %(move)s it.")

    STATES = kinds.CASE_STATES
    MOVES = {move: words.term for move, words in kinds.CASE_MOVES.items()}

    def __init__(self, *, state: str, move: str) -> None:
        super().__init__(state=Term(self.STATES[state]), move=Term(self.MOVES[move]))


class CaseFieldRequired(HallError):
    status = 422
    code = "case-field-required"
    message = N_("Please fill in: %(field)s.")

    FIELDS = {"applicant": N_("the applicant's name"), "subject": N_("what the matter is"),
              "documents": N_("the complete list of missing documents"),
              "reason": N_("the reason"), "days": N_("the number of working days"),
              "division": N_("the division")}

    def __init__(self, field: str) -> None:
        super().__init__(field=Term(self.FIELDS[field]))


class InvalidIdNumber(HallError):
    status = 422
    code = "invalid-id-number"
    message = N_("This resident ID number is not valid; please check it against the card.")


class ExtensionState(HallError):
    status = 409
    code = "extension-state"
    message = N_("An extension is already waiting for a decision.")


class NoExtensionPending(HallError):
    status = 409
    code = "no-extension-pending"
    message = N_("No extension is waiting for a decision.")


class UnknownDivision(HallError):
    status = 404
    code = "unknown-division"
    message = N_("Hall %(hall)s has no division %(division)s.")


# -- ratings ---------------------------------------------------------------------------------

class NotYetRateable(HallError):
    status = 409
    code = "not-yet-rateable"
    message = N_("You can rate the service once your matter is finished.")


class AlreadyRated(HallError):
    status = 409
    code = "already-rated"
    message = N_("This has already been rated. Thank you.")


class InvalidRating(HallError):
    status = 422
    code = "invalid-rating"
    message = N_("Choose one of the five levels, from very satisfied to very dissatisfied.")


class NotRateableHere(HallError):
    status = 409
    code = "not-rateable-here"
    message = N_("This visit can no longer be rated at the window. You can still rate it on "
                 "the tracking page, with the access code on your ticket.")


class FollowupClosed(HallError):
    status = 409
    code = "followup-closed"
    message = N_("This follow-up is already closed.")


# -- administration --------------------------------------------------------------------------

class NotAnAdministrator(HallError):
    status = 403
    code = "not-an-administrator"
    message = N_("Only an administrator of this hall can change it.")


class UnknownStaff(HallError):
    status = 404
    code = "unknown-staff"
    message = N_("There is no member of staff with the username %(username)s.")


class HallCodeTaken(HallError):
    status = 409
    code = "hall-code-taken"
    message = N_("There is already a hall with the code %(hall)s.")


class NodeNumberTaken(HallError):
    status = 409
    code = "node-number-taken"
    message = N_("Node number %(node)s belongs to hall %(hall)s: it is printed in service "
                 "numbers and can never be shared.")


class WindowNumberTaken(HallError):
    status = 409
    code = "window-number-taken"
    message = N_("Hall %(hall)s already has a window %(window)s.")


class WindowInUse(HallError):
    status = 409
    code = "window-in-use"
    message = N_("Window %(window)s is open; it can be taken out of service once its clerk "
                 "has closed it.")


class DivisionCodeTaken(HallError):
    status = 409
    code = "division-code-taken"
    message = N_("Hall %(hall)s already has a division with the code %(division)s.")


class ServiceCodeTaken(HallError):
    status = 409
    code = "service-code-taken"
    message = N_("Hall %(hall)s already has a service with the code %(service)s.")


class UsernameTaken(HallError):
    status = 409
    code = "username-taken"
    message = N_("The username %(username)s is already taken.")


class SelfLockout(HallError):
    status = 409
    code = "self-lockout"
    message = N_("You cannot deactivate your own account or take away your own "
                 "administrator role.")


# -- devices (SPEC §7: kiosks, wall displays and rating tablets) -----------------------------

class DeviceRequired(HallError):
    status = 401
    code = "device-required"
    message = N_("Only a registered device of the hall can do this. Ask the hall's "
                 "administrator to enrol this device.")


class DeviceLocked(HallError):
    status = 403
    code = "device-locked"
    message = N_("This device (%(device)s) has been locked by the hall's administrator.")


class DeviceNotAllowed(HallError):
    status = 403
    code = "device-not-allowed"
    message = N_("This device (%(device)s) is a %(kind)s of hall %(hall)s: it cannot do this "
                 "here.")

    KINDS = {"kiosk": N_("ticket kiosk"), "display": N_("wall display"),
             "rating": N_("rating tablet")}

    def __init__(self, *, device: str, kind: str, hall: str) -> None:
        super().__init__(device=device, kind=Term(self.KINDS.get(kind, kind)), hall=hall)


class DeviceOutsideHours(HallError):
    status = 403
    code = "device-outside-hours"
    message = N_("This device is in use from %(start)s to %(end)s only.")


class DeviceTooFast(HallError):
    status = 429
    code = "device-too-fast"
    message = N_("This device has issued %(tickets)s tickets within %(seconds)s seconds, as "
                 "many as it may. Please try again in %(wait)s seconds.")

    def __init__(self, *, tickets: int, seconds: int, wait: int) -> None:
        super().__init__(tickets=tickets, seconds=seconds, wait=wait)
        self.retry_after = wait


class IdempotencyKeyReused(HallError):
    status = 422
    code = "idempotency-key-reused"
    message = N_("This Idempotency-Key was already used today for a different request. Use a "
                 "new key for every ticket.")


class UnknownDevice(HallError):
    status = 404
    code = "unknown-device"
    message = N_("There is no device %(device)s.")


class DeviceRevoked(HallError):
    status = 409
    code = "device-revoked"
    message = N_("Device %(device)s has been revoked; register a new one instead.")


class EnrolmentInvalid(HallError):
    status = 404
    code = "enrolment-invalid"
    message = N_("This enrolment link cannot be used: it was used already, it has expired, or "
                 "the device was revoked. Ask the administrator for a new link.")


class InvalidDevice(HallError):
    status = 422
    code = "invalid-device"
    message = N_("Please correct the device: %(why)s.")

    WHY = {"kind": N_("choose a kiosk, a wall display or a rating tablet"),
           "name": N_("give it a name of at most 80 characters"),
           "hours": N_("give its hours as from–until, e.g. 08:00-18:00, or leave them empty"),
           "window": N_("only a rating tablet stands at a window, and the hall must have that "
                        "window")}

    def __init__(self, why: str) -> None:
        super().__init__(why=Term(self.WHY[why]))
# -- who may act where (issue 11: every person inside their hall and window) ----------------

class OutsideYourHall(HallError):
    status = 403
    code = "outside-your-hall"
    message = N_("You work in another hall: you cannot act in hall %(hall)s.")


class WindowNotAssigned(HallError):
    status = 403
    code = "window-not-assigned"
    message = N_("Window %(window)s is not one of the windows you may work; an administrator "
                 "assigns them.")


class ClerkNotAssigned(HallError):
    status = 409
    code = "clerk-not-assigned"
    message = N_("%(clerk)s may not work window %(window)s; an administrator assigns windows "
                 "to clerks.")


class ClerkWorksOtherWindow(HallError):
    status = 409
    code = "clerk-works-other-window"
    message = N_("%(clerk)s has window %(window)s open; it must be closed first.")


class NotAWindowSupervisor(HallError):
    status = 403
    code = "not-a-window-supervisor"
    message = N_("Only a manager or an administrator of this hall can close a window for its "
                 "clerk or hand it over.")


class WindowReasonRequired(HallError):
    status = 422
    code = "window-reason-required"
    message = N_("Say why: it is recorded, and the clerk sees it.")


class FieldTooLong(HallError):
    """Free text longer than its field: refused and said, never cut silently."""

    status = 422
    code = "field-too-long"
    message = N_("%(field)s is too long: at most %(max)s characters (you gave %(given)s).")

    FIELDS = {"applicant": N_("The applicant's name"), "subject": N_("What the matter is"),
              "reason": N_("The reason"), "comment": N_("The comment"), "note": N_("The note"),
              "documents": N_("Each missing document")}

    def __init__(self, field: str, *, max: int, given: int) -> None:  # noqa: A002
        super().__init__(field=Term(self.FIELDS[field]), max=max, given=given)


class NotAClerkOfHall(HallError):
    status = 422
    code = "not-a-clerk-of-hall"
    message = N_("%(username)s is not a clerk of hall %(hall)s.")
# -- case numbers, resident ID numbers and the staff pages' confirmations (#10) -------------------

class InvalidCaseNumber(HallError):
    status = 400
    code = "invalid-case-number"
    message = N_("A case number is BJ and 14 characters: digits, the last may be X.")


class CaseNumberMistyped(InvalidCaseNumber):
    code = "case-number-mistyped"
    message = N_("This case number is not valid: its check character does not match. Please "
                 "check each digit.")


class IdNumberBirthDate(InvalidIdNumber):
    message = N_("The birth date in this ID number (%(date)s) does not exist or is in the "
                 "future; please check it against the card.")


class IdNumberMistyped(InvalidIdNumber):
    message = N_("This ID number's check character does not match: a digit is probably "
                 "mistyped. Please check it against the card.")


class HoldReasonRequired(HallError):
    status = 422
    code = "hold-reason-required"
    message = N_("Say why the visitor is held (e.g. fetching a document).")


class NothingToUndo(HallError):
    status = 409
    code = "nothing-to-undo"
    message = N_("%(number)s can no longer be brought back: %(why)s.")

    WHY = {"late": N_("the time to undo has passed"),
           "moved": N_("something else happened at the window since"),
           "not_no_show": N_("it is not marked as a no-show")}

    def __init__(self, *, number: str, why: str) -> None:
        super().__init__(number=number, why=Term(self.WHY[why]))


class ConfirmationRequired(HallError):
    status = 422
    code = "confirmation-required"
    message = N_("Please confirm: this cannot be undone.")
# -- opening hours and the end of the day (hall.hours, hall.endofday) ------------------------

class HallClosed(HallError):
    """Outside the hall's opening hours (or in the last minutes before a closing, when no
    ticket is taken any more): nothing is issued. Carries the next opening time."""

    status = 409
    code = "hall-closed"
    message = N_("The hall is closed for tickets now. It opens again %(when)s.")
    NO_OPENING = N_("The hall is closed for tickets now, and no opening time is set.")

    def __init__(self, next_opening: datetime | None, tz: str) -> None:
        self.next_opening = next_opening
        if next_opening is None:
            super().__init__(self.NO_OPENING)
        else:
            super().__init__(when=Moment(next_opening, tz))

    def problem_fields(self) -> dict[str, object]:
        return {"next_opening": self.next_opening.isoformat() if self.next_opening else None}


class WindowsClosed(HallClosed):
    """A window opened on a day the hall does not open, or after its day has ended."""

    message = N_("The hall is closed now: windows can be opened from %(when)s.")
    NO_OPENING = N_("The hall is closed now, and no opening time is set.")


class DayNotOver(HallError):
    status = 409
    code = "day-not-over"
    message = N_("The day %(day)s of hall %(hall)s is not over yet: it ends %(when)s.")


class NotHallManager(HallError):
    status = 403
    code = "not-a-manager"
    message = N_("Only a manager of this hall can re-run its daily reports.")
