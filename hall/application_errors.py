"""Why an application sent online, or a move on one, is refused: typed errors with stable
codes, in words fit for the citizen or the clerk (``hall.applications``)."""
from __future__ import annotations

from . import kinds
from .errors import HallError
from .messages import N_, Term


class InvalidApplicationField(HallError):
    """A field of the form is missing or wrong; ``field`` names it (the page shows the message
    beside it, the API as ``field``)."""

    status = 422
    code = "invalid-field"
    WHY = {
        "name": N_("Please give your name (at most 40 characters)."),
        "phone": N_("Please give a mainland mobile number: 11 digits starting with 1."),
        "id_no": N_("Please give a valid resident ID number (18 characters)."),
        "declaration": N_("Please confirm the declaration: what you give is true and complete."),
        "documents": N_("Please upload every required document: %(missing)s."),
        "document": N_("There is no such document to upload."),
        "field": N_("Please fill in %(label)s correctly: %(rule)s."),
        "reason": N_("Please give the reason, at most %(max)s characters."),
        "list": N_("Please list each missing or wrong document, one per line (at most "
                   "%(max)s)."),
    }

    def __init__(self, field: str, **params: object) -> None:
        self.field = field
        super().__init__(self.WHY.get(field, self.WHY["field"]), **params)

    def problem_fields(self) -> dict[str, object]:
        return {"field": self.field}


class FormFieldInvalid(InvalidApplicationField):
    """One of the item's own form fields (``ServiceItem.apply_fields``): ``label`` is the
    field's name in the reader's language."""

    RULES = {
        "text": N_("not too long"),
        "number": N_("a whole number"),
        "date": N_("a date such as 2026-12-01"),
        "id_no": N_("an 18-character resident ID number"),
        "phone": N_("an 11-digit mobile number"),
        "required": N_("it is required"),
    }

    def __init__(self, name: str, label: str, rule: str) -> None:
        super().__init__("field", label=label, rule=Term(self.RULES[rule]))
        self.field = name


class NotAppliedOnline(HallError):
    status = 404
    code = "not-applied-online"
    message = N_("%(service)s cannot be applied for online; please come to the hall.")


class ApplicationNotFound(HallError):
    """The same answer for an unknown number and a wrong access code."""

    status = 404
    code = "not-found"
    message = N_("Nothing matches this service number and access code. Please check both.")


class NoSuchApplication(HallError):
    status = 404
    code = "application-not-found"
    message = N_("There is no application %(application)s.")


class NotApplicationDivision(HallError):
    status = 403
    code = "not-application-division"
    message = N_("This application belongs to %(division)s.")


class IllegalApplicationMove(HallError):
    status = 409
    code = "illegal-application-move"
    message = N_("The application is %(state)s: you cannot %(move)s it.")

    def __init__(self, *, state: str, move: str) -> None:
        super().__init__(state=Term(kinds.APPLICATION_STATES[state]),
                         move=Term(kinds.APPLICATION_MOVES[move]))


class DocumentsAlreadyRequested(HallError):
    """补正告知 is given once, as a complete list."""

    status = 409
    code = "documents-already-requested"
    message = N_("The missing documents were already asked for once; the law allows one "
                 "complete list. Accept the application or refuse it with a reason.")


class PrereviewLimitPassed(HallError):
    """After the five working days the application counts as accepted: only accepting
    remains (the case's clock then runs from the day the documents arrived)."""

    status = 409
    code = "prereview-limit-passed"
    message = N_("The five working days to tell the applicant what is missing have passed: "
                 "by law the application counts as accepted from the day it arrived. "
                 "Accept it; its time limit runs from that day.")
