"""Domain errors: each says, in words fit for a clerk or visitor, why a move is refused.

Messages are gettext message ids with ``%(name)s`` parameters; the web layer translates them
(zh-CN first) and maps ``status`` and ``code`` to problem+json or to a page.
"""
from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for translation without translating it here (the domain has no locale)."""
    return message


class Term(str):
    """A parameter that is itself a message id (a status, a move): translated before it is
    put into the sentence, so a Chinese sentence never carries an English word."""


class HallError(Exception):
    status = 400
    code = "hall-error"
    message = N_("The request cannot be carried out.")

    def __init__(self, message: str | None = None, **params: object) -> None:
        if message is not None:
            self.message = message
        self.params = params
        super().__init__(self.message % params if params else self.message)


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

    STATUS = {"waiting": N_("waiting"), "called": N_("called"), "serving": N_("being served"),
              "held": N_("held"), "finished": N_("finished"), "no_show": N_("a no-show"),
              "unserved": N_("closed unserved")}
    MOVES = {"call": N_("call"), "recall": N_("call again"), "no_show": N_("mark as a no-show"),
             "start": N_("start serving"), "finish": N_("finish"), "hold": N_("hold"),
             "resume": N_("resume here"), "transfer": N_("transfer")}

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
