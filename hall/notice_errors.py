"""Why a public notice (公示) or an objection to one is refused, and why a results page cannot
be shown as asked: typed errors with stable codes (hall.notices_public, hall.results)."""
from __future__ import annotations

from datetime import datetime

from .errors import HallError
from .messages import N_, Moment


class NotANoticeManager(HallError):
    status = 403
    code = "not-a-manager"
    message = N_("Only a manager of the case's hall can put a case under public notice or end "
                 "a notice early.")


class InvalidNoticeField(HallError):
    """A field of the notice form or of the objection form is missing or wrong; ``field``
    names it."""

    status = 422
    code = "invalid-field"
    WHY = {
        "days": N_("A public notice runs from 1 to %(max)s days."),
        "text": N_("Write what is proposed, as the public will read it, in at most %(max)s "
                   "characters (e.g. 拟通过职称评审：张*，中级)."),
        "text_personal": N_("The public text must not name the applicant in full, nor carry "
                            "an ID or mobile number: write the name masked, e.g. 张*."),
        "reason": N_("Say why the notice ends early (at most %(max)s characters)."),
        "unit": N_("Public notice days are counted in working days or in calendar days."),
        "body": N_("Please say what your objection is, in at most %(max)s characters."),
        "declaration": N_("Please confirm that what you say is true."),
    }

    def __init__(self, field: str, **params: object) -> None:
        self.field = field
        super().__init__(self.WHY[field], **params)

    def problem_fields(self) -> dict[str, object]:
        return {"field": self.field}


class NoticeNotRunning(HallError):
    status = 409
    code = "notice-ended"
    message = N_("This public notice has ended: objections are no longer taken. If you still "
                 "want to complain, use the hall's complaint form.")


class NoticeStillRunning(HallError):
    status = 409
    code = "notice-running"
    message = N_("The public notice runs until %(when)s. It ends by itself then; a manager may "
                 "end it earlier, saying why.")

    def __init__(self, until: datetime, tz: str) -> None:
        super().__init__(when=Moment(until, tz))


class UnknownNotice(HallError):
    status = 404
    code = "unknown-notice"
    message = N_("There is no public notice %(notice)s in this hall.")


class ResultsNotPublic(HallError):
    status = 404
    code = "results-not-public"
    message = N_("The results of %(service)s are not published: only the items whose results "
                 "are public by law are listed.")


class InvalidMonth(HallError):
    status = 400
    code = "invalid-month"
    message = N_("A month is written like 2026-11 (year and month).")


class InvalidPage(HallError):
    status = 400
    code = "invalid-page"
    message = N_("A page is a whole number from 1 to %(max)s.")
