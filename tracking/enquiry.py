"""A question, complaint or report sent online, on the tracking page (issue 15): the public
view says what it is, where it stands and whether its limits were kept; with the access code,
the text, the thread, and a form to write to the office (``routes.write``)."""
from __future__ import annotations

from flask import make_response, render_template

from hall import enquiry_progress, kinds
from hall.web.extensions import db

from .lookup import Lookup
from .words import say, step_text


def enquiry_page(found: Lookup, code: str, *, message: str | None = None,
                 error: str | None = None, kept: str = "", status: int = 200):
    enquiry = found.enquiry
    assert enquiry is not None
    seen = enquiry_progress.of_enquiry(db.session, enquiry, verified=found.verified)
    tz = enquiry.hall.timezone
    return make_response(render_template(
        "tracking/enquiry.html", seen=seen, hall=enquiry.hall, verified=found.verified,
        code=code.strip().upper() if found.verified else "", message=message, error=error,
        kept=kept, units=kinds.DAY_UNITS, division=enquiry.division, say=say,
        steps=[(step.at, step_text(step, tz)) for step in seen.steps]), status)
