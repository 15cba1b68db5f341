"""Why a question, complaint or report, or a move on one, is refused: typed errors with stable
codes, each said in words fit for the citizen or the clerk (``hall.enquiries``)."""
from __future__ import annotations

from . import kinds
from .errors import HallError
from .messages import N_, Term


class InvalidEnquiryField(HallError):
    """A field of the form is missing or wrong; ``field`` names it (the page shows the message
    beside it, the API as ``field``)."""

    status = 422
    code = "invalid-field"
    WHY = {
        "kind": N_("Please choose what you are sending: a question, a complaint or a report."),
        "topic": N_("Please choose a topic from the list."),
        "subject": N_("Please give a short subject, at most %(max)s characters."),
        "body": N_("Please write what it is about, at most %(max)s characters."),
        "name": N_("Please give your name (at most 40 characters)."),
        "phone": N_("Please give a mainland mobile number: 11 digits starting with 1."),
        "email": N_("This e-mail address is not valid; leave it empty if you have none."),
        "anonymous": N_("Only a report can be sent anonymously; a question or a complaint needs "
                        "your name and mobile number, so that the office can answer you."),
        "related_case_no": N_("There is no case with this number in this hall."),
        "reply": N_("Please write your message, at most %(max)s characters."),
        "reason": N_("Please give the reason, at most %(max)s characters."),
        "note": N_("Please write the result, at most %(max)s characters."),
        "days": N_("The extension is a whole number of days from 1 to %(max)s."),
        "attachments": N_("At most %(max)s files can be attached."),
    }
    TOO_LONG = N_("%(field)s is too long: at most %(max)s characters (you gave %(given)s).")
    NAMES = {"subject": N_("The subject"), "body": N_("The text"), "reply": N_("The message"),
             "reason": N_("The reason"), "note": N_("The result")}

    def __init__(self, field: str, *, given: int | None = None, **params: object) -> None:
        self.field = field
        if given is not None:  # too long: said with the length given, never cut silently
            super().__init__(self.TOO_LONG, field=Term(self.NAMES[field]), given=given,
                             **params)
        else:
            super().__init__(self.WHY[field], **params)

    def problem_fields(self) -> dict[str, object]:
        return {"field": self.field}


class UnknownTopic(InvalidEnquiryField):
    code = "unknown-topic"

    def __init__(self) -> None:
        super().__init__("topic")


class TopicNotForKind(InvalidEnquiryField):
    code = "topic-not-for-kind"
    WHY = {**InvalidEnquiryField.WHY,
           "topic": N_("This topic does not take %(kind)s; please choose another topic or "
                       "another kind.")}

    def __init__(self, kind: str) -> None:
        super().__init__("topic", kind=Term(kinds.ENQUIRY_KIND_WORDS[kind]))


class EnquiryNotFound(HallError):
    """The same answer for an unknown number and a wrong access code."""

    status = 404
    code = "not-found"
    message = N_("Nothing matches this service number and access code. Please check both.")


class NoSuchEnquiry(HallError):
    status = 404
    code = "enquiry-not-found"
    message = N_("There is no enquiry %(enquiry)s.")


class NotEnquiryDivision(HallError):
    status = 403
    code = "not-enquiry-division"
    message = N_("This enquiry belongs to %(division)s.")


class IllegalEnquiryMove(HallError):
    status = 409
    code = "illegal-enquiry-move"
    message = N_("The enquiry is %(state)s: you cannot %(move)s it.")

    def __init__(self, *, state: str, move: str) -> None:
        super().__init__(state=Term(kinds.ENQUIRY_STATE_WORDS[state].term),
                         move=Term(kinds.ENQUIRY_MOVES[move].term))


class EnquiryFinished(HallError):
    """The citizen writes to an enquiry that is over."""

    status = 409
    code = "enquiry-finished"
    message = N_("This matter is over (%(state)s); nothing more can be added. To raise "
                 "something new, please send a new question or complaint.")

    def __init__(self, state: str) -> None:
        super().__init__(state=Term(kinds.ENQUIRY_STATE_WORDS[state].term))


class NoEnquiryExtension(HallError):
    status = 409
    code = "no-extension"
    message = N_("The time limit of this enquiry cannot be extended.")


class EnquiryExtensionUsed(HallError):
    status = 409
    code = "extension-used"
    message = N_("The time limit of this enquiry was already extended once; it cannot be "
                 "extended again.")


class InvalidEnquiryRule(HallError):
    status = 422
    code = "invalid-enquiry-rule"
    message = N_("Give %(field)s as a whole number from %(low)s to %(high)s.")
    UNIT = N_("The unit of a time limit is working days or calendar days.")
    KIND = N_("The kind must be consultation, complaint or report.")
    FIELDS = {"respond_days": N_("the days to respond"),
              "conclude_days": N_("the days to conclude"),
              "extension_days": N_("the days of an extension")}

    def __init__(self, field: str, low: int = 0, high: int = 0) -> None:
        self.field = field
        if field in ("respond_unit", "conclude_unit"):
            super().__init__(self.UNIT)
        elif field == "kind":
            super().__init__(self.KIND)
        else:
            super().__init__(field=Term(self.FIELDS[field]), low=low, high=high)

    def problem_fields(self) -> dict[str, object]:
        return {"field": self.field}
