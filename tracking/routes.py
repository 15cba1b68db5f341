"""Tracking pages. A number alone shows where the visit stands; nothing personal is shown
without the access code printed on the ticket, which also opens the rating form."""
from __future__ import annotations

from datetime import timedelta

from flask import make_response, render_template, request
from flask_babel import get_locale, gettext

from hall import board, deadlines, enquiries, files, numbers, progress, ratings, settings
from hall.driver import first_row
from hall.errors import AlreadyRated, HallError, InvalidServiceNumber
from hall.events import Actor
from hall.file_errors import FileNotFound
from hall.web import kept
from hall.web.cache import views
from hall.web.conditional import revalidated, tag
from hall.web.extensions import csrf, db
from hall.web.files import send_stored
from hall.web.limits import per_address
from hall.web.problems import translate
from hall.web.templating import local_time

from . import bp
from .application import application_page
from .enquiry import enquiry_page
from .lookup import Lookup, find, limited, refusal_text
from .words import say, step_text

VISITOR = Actor("visitor")  # a rating given on the tracking page: nobody of the staff


@bp.after_request
def _no_store(response):
    """Nothing of a visit may stay in a shared or cached copy, refusals included; only the
    public view (no code, the same for every reader) may be kept by the reader's own
    browser, to be revalidated with its ETag (hall/web/conditional.py)."""
    if "ETag" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


def _form(error: str | None = None, value: str = "", status: int = 200):
    return make_response(render_template("tracking/lookup.html", error=error, value=value),
                         status)


@bp.get("")
def lookup():
    return _form()


@bp.post("")
@limited
def lookup_submit():
    """The typed number, and the code if given: a mistyped number is caught at once."""
    return _show(request.form.get("service_no", ""), request.form.get("code", ""))


@bp.get("/<service_no>")
@limited
def ticket(service_no: str):
    """The public view, or the private one from the QR link (``?c=`` is the access code)."""
    code = request.args.get("c", "")
    if code.strip():
        return _show(service_no, code)
    try:
        number = numbers.parse_service_number(service_no)
    except InvalidServiceNumber as error:
        return _form(translate(error), service_no, 400)
    stamp = progress.stamp_of(first_row(db.engine, progress.STAMP_QUERY, {"number": number}))
    if stamp is None:  # unknown: the refusal, rendered afresh
        return _show(service_no, "")
    key = ("page", number, str(get_locale()), request.full_path)
    kept.mark(stamp, key[2])  # the same for every reader
    return revalidated(views().get(key, stamp, lambda: _show(service_no, "")), tag(key, stamp))


@bp.post("/<service_no>")
@csrf.exempt
@limited
def ticket_private(service_no: str):
    """The private view with the code in the body, so that it stays out of the address.

    Exempt from CSRF: it changes nothing, and without a token the public page writes no
    session cookie, which keeps the most-read page of the hall cheap and cacheable by no
    one but the visitor."""
    return _show(service_no, request.form.get("code", ""))


def _find(raw: str, code: str):
    """(lookup, None) or (None, the refusal page)."""
    try:
        found = find(raw, code)
    except InvalidServiceNumber as error:
        return None, _form(translate(error), raw, 400)
    if (not found.found and found.booking is None and found.enquiry is None
            and found.application is None):
        return None, _form(refusal_text(found), raw, 404)
    return found, None


def _show(raw: str, code: str):
    found, refused = _find(raw, code)
    if refused is not None:
        return refused
    if found.enquiry is not None:  # a question, complaint or report sent online
        return enquiry_page(found, code)
    if found.application is not None:  # an application sent online, not accepted yet
        return application_page(found, code)
    if found.ticket is None:  # a booked visit, not checked in yet
        return booked_page(found, code)
    return render_template("tracking/ticket.html", **_page(found, code))


def booked_page(found: Lookup, code: str):
    """A booked visit before its ticket: the slot, the item, and how to check in; the
    booking code (which opens cancelling and moving) only with the access code."""
    booking = found.booking
    assert booking is not None
    hall = booking.hall
    early = timedelta(minutes=settings.of(db.session).appointment_early_minutes)
    return render_template("tracking/booked.html", booking=booking, hall=hall,
                           verified=found.verified, code=code.strip().upper(),
                           check_in_from=booking.start - early)


def _page(found: Lookup, code: str) -> dict:
    ticket = found.ticket
    tz = ticket.hall.timezone
    seen = progress.of_ticket(db.session, ticket, verified=found.verified)
    return {
        "ticket": ticket, "hall": ticket.hall, "verified": found.verified, "progress": seen,
        "code": code.strip().upper() if found.verified else "",
        "steps": [(step.at, step_text(step, tz)) for step in seen.steps],
        "ahead": _ahead(ticket), "say": say, "levels": sorted(ratings.LEVELS.items(), reverse=True),
    }


def _ahead(ticket) -> int:
    """People ahead in the queue, asked only while the visitor is still waiting."""
    return board.ticket_position(db.session, ticket)[0] if ticket.status == "waiting" else 0


# -- rating -------------------------------------------------------------------------------------

@bp.post("/<service_no>/rate")
@limited
def rate(service_no: str):
    """The visitor's rating of the visit or of one of its cases, once, with the access code."""
    code = request.form.get("code", "")
    found, refused = _find(service_no, code)
    if refused is not None:
        return refused
    if not found.verified or found.ticket is None:  # a rating needs the code and a visit
        return _form(refusal_text(Lookup(None, code_given=True)), service_no, 404)
    try:
        rating = ratings.rate(db.session, found.ticket, level=_int(request.form.get("level")),
                              comment=request.form.get("comment", ""), case_id=_case_id(),
                              channel="tracking", actor=VISITOR)
    except AlreadyRated as error:
        return _rated(found, code, translate(error), 409)
    except HallError as error:
        return _rated(found, code, translate(error), error.status, failed=True)
    return _rated(found, code, gettext("Thank you for rating the service."),
                  followup=_followup_words(rating, found.ticket.hall.timezone))


def _followup_words(rating, tz: str) -> str | None:
    """What a poor rating sets going, said to the visitor who gave it (every poor rating is
    followed up by a manager of the hall, 差评整改)."""
    if rating.followup != "open":
        return None
    return gettext("We are sorry the service fell short. A manager of the hall will look into "
                   "it and follow it up within %(days)s working days, by %(due)s.",
                   days=deadlines.FOLLOWUP_DAYS, due=local_time(rating.followup_due_at, tz))


def _rated(found: Lookup, code: str, message: str, status: int = 200, failed: bool = False,
           followup: str | None = None):
    return make_response(render_template(
        "tracking/rated.html", ticket=found.ticket, hall=found.ticket.hall, message=message,
        failed=failed, code=code.strip().upper(), followup=followup), status)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _case_id() -> int | None:
    return _int(request.form.get("case")) if request.form.get("case") else None


# -- a question, complaint or report: the citizen writes to the office ----------------------------

# Writing spends the budget of sending a question (ENQUIRY_RATE_LIMIT) besides the lookup's.
enquiry_limited = per_address("ENQUIRY_RATE_LIMIT", scope="enquiry")


@bp.post("/<service_no>/write")
@limited
@enquiry_limited
def write(service_no: str):
    """The citizen's message to the office, the access code in the form (CSRF-checked, the
    code through the same guard as a ticket's)."""
    code = request.form.get("code", "")
    found, refused = _find(service_no, code)
    if refused is not None:
        return refused
    if not found.verified or found.enquiry is None:  # writing needs the code and an enquiry
        return _form(refusal_text(Lookup(None, code_given=True)), service_no, 404)
    body = request.form.get("body", "")
    try:
        enquiries.citizen_reply(db.session, found.enquiry.service_no, code, body)
    except HallError as error:
        return enquiry_page(found, code, error=translate(error), kept=body[:4000],
                            status=error.status)
    return enquiry_page(found, code, message=gettext("Your message was sent to the office."))


@bp.post("/<service_no>/files/<int:file_id>")
@csrf.exempt
@limited
def enquiry_file(service_no: str, file_id: int):
    """An attachment the citizen sent, shown inline and sandboxed, with the access code in
    the body (never in an address). Exempt from CSRF as the private view: it changes nothing."""
    code = request.form.get("code", "")
    found, refused = _find(service_no, code)
    if refused is not None:
        return refused
    if not found.verified or found.enquiry is None:
        return _form(refusal_text(Lookup(None, code_given=True)), service_no, 404)
    try:
        stored = files.get(db.session, file_id, owner=enquiries.OWNER,
                           owner_id=found.enquiry.id)
    except FileNotFound:
        return _form(refusal_text(Lookup(None, code_given=True)), service_no, 404)
    if not files.may_read(db.session, stored, access_ok=True):
        return _form(refusal_text(Lookup(None, code_given=True)), service_no, 404)
    return send_stored(stored)
