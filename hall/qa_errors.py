"""Why a question cannot be published to the public Q&A, or a search cannot be made: typed
errors with stable codes (``hall.qa``)."""
from __future__ import annotations

from .errors import HallError
from .messages import N_, Term


class InvalidAnswerField(HallError):
    """The published question or answer is missing, too long, or still carries a person's
    data; ``field`` names it."""

    status = 422
    code = "invalid-field"
    WHY = {
        "question": N_("Please write the question as the public will read it, at most "
                       "%(max)s characters."),
        "answer": N_("Please write the answer as the public will read it, at most %(max)s "
                     "characters."),
    }
    PERSONAL = N_("%(field)s still carries %(what)s. Remove everything that could identify "
                  "the person who asked (name, ID or phone number, e-mail, their own matter) "
                  "before publishing.")
    FIELDS = {"question": N_("The question"), "answer": N_("The answer")}
    WHAT = {"name": N_("the applicant's name"), "id": N_("a resident ID number"),
            "phone": N_("a mobile phone number"), "email": N_("an e-mail address"),
            "codes": N_("the enquiry's service number or access code")}

    def __init__(self, field: str, *, personal: str | None = None, **params: object) -> None:
        self.field = field
        self.personal = personal
        if personal:
            super().__init__(self.PERSONAL, field=Term(self.FIELDS[field]),
                             what=Term(self.WHAT[personal]))
        else:
            super().__init__(self.WHY[field], **params)

    def problem_fields(self) -> dict[str, object]:
        return {"field": self.field, **({"personal": self.personal} if self.personal else {})}


class NotPublishable(HallError):
    status = 409
    code = "not-publishable"
    message = N_("Only a question that was answered can be published to the public Q&A; "
                 "complaints and reports never are.")


class NotPublished(HallError):
    status = 409
    code = "not-published"
    message = N_("This question is not in the public Q&A.")


class UnknownAnswer(HallError):
    status = 404
    code = "answer-not-found"
    message = N_("There is no such answer in this hall's public Q&A (it may have been "
                 "withdrawn).")


class InvalidQuery(HallError):
    status = 400
    code = "invalid-query"
    message = N_("Type what you are looking for, in at most %(max)s characters, e.g. 职称 "
                 "or 怎么办理退休.")
