"""The form per hall, the confirmation with the service number and access code, and what
happens next in words (the time limit of the hall's rule, with its date).

Sending spends ENQUIRY_RATE_LIMIT per address (shared with the API and with writing on the
tracking page); the form is CSRF-checked; a refusal shows the form again with the words beside
the field and writes nothing. The access code is shown once, on the confirmation, and kept
only in this browser's session (as a booking's), never in an address.
"""
from __future__ import annotations

from flask import current_app, make_response, redirect, render_template, request, url_for

from hall import booking_offer, enquiries, kinds, lookup
from hall.enquiry_errors import InvalidEnquiryField
from hall.errors import HallError
from hall.file_errors import FileRefused
from hall.models import Enquiry
from hall.models.enquiries import KINDS
from hall.web import remembered
from hall.web.devices import public_read
from hall.web.extensions import db
from hall.web.files import accepts_uploads, read_upload, upload_limited
from hall.web.i18n import canonical
from hall.web.limits import per_address
from hall.web.problems import translate

from . import bp

enquiry_limited = per_address("ENQUIRY_RATE_LIMIT", scope="enquiry")
FIELDS = ("topic", "subject", "body", "name", "phone", "email")
KEPT = {"body": 4000, "subject": 200}  # what the form shows again; the domain checks the rest


@bp.url_defaults
def _keep_language(endpoint: str, values: dict) -> None:
    """``?lang=en`` stays on every link and form of these pages."""
    if "lang" not in values and canonical(request.args.get("lang")) == "en":
        values["lang"] = "en"


@bp.after_request
def _no_store(response):
    """What a citizen wrote and the access code are on these pages: never kept in a cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(HallError)
def _refused(error: HallError):
    html = render_template("ask/refused.html", message=translate(error), status=error.status,
                           code=error.code, hall_code=(request.view_args or {}).get("hall"))
    return html, error.status


@bp.get("")
@public_read
def halls():
    """Which hall: every hall of the network."""
    return render_template("ask/halls.html", halls=booking_offer.halls(db.session))


def _kind() -> str:
    wanted = request.values.get("kind", "")
    return wanted if wanted in KINDS else "consultation"


def _form(hall, kind: str, *, values: dict | None = None, error: str | None = None,
          field: str | None = None, status: int = 200):
    return make_response(render_template(
        "ask/form.html", hall=hall, kind=kind, kinds=KINDS, kind_names=kinds.ENQUIRY_KIND_NAMES,
        topics=enquiries.topics(db.session, hall, kind), values=values or {}, error=error,
        max_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024),
        field=field, anonymous_chosen=bool(values and values.get("anonymous"))), status)


@bp.get("/<hall>")
@public_read
def form(hall: str):
    """The form for one kind (``?kind=``: consultation, complaint or report)."""
    return _form(lookup.get_hall(db.session, hall, typed=True), _kind())


@bp.post("/<hall>")
@enquiry_limited
@upload_limited
@accepts_uploads
def send(hall: str):
    """Send it, with its attachments; then to the confirmation, which only this browser
    opens with the code."""
    found = lookup.get_hall(db.session, hall, typed=True)
    kind = _kind()
    raw = {name: request.form.get(name, "") for name in FIELDS}
    anonymous = kind == "report" and request.form.get("anonymous") == "1"
    try:
        # A file input left empty still sends a part without a name: not a file.
        attached = [read_upload(upload) for upload in request.files.getlist("attachments")
                    if upload and upload.filename]
        made = enquiries.submit(db.session, found.code, kind=kind, topic=raw["topic"],
                                subject=raw["subject"], body=raw["body"], name=raw["name"],
                                phone=raw["phone"], email=raw["email"], anonymous=anonymous,
                                attachments=attached)
    except HallError as error:
        kept: dict[str, object] = {k: v[:KEPT.get(k, 64)] for k, v in raw.items()}
        kept["anonymous"] = anonymous
        field = (error.field if isinstance(error, InvalidEnquiryField) else
                 "attachments" if isinstance(error, FileRefused) else None)
        return _form(found, kind, values=kept, error=translate(error), field=field,
                     status=error.status)
    _remember(made)
    return redirect(url_for("ask.sent", hall=found.code, service_no=made.service_no), 303)


def _remember(made: Enquiry) -> None:
    """Keep the access code in this browser's session only, for the confirmation."""
    remembered.remember("enquiries", made.service_no, made.access_code)


@bp.get("/<hall>/sent/<service_no>")
def sent(hall: str, service_no: str):
    """The confirmation: the service number, the access code (to this browser only), what
    happens next and by when."""
    access = remembered.code_for("enquiries", service_no)
    enquiry = enquiries.by_service_no(db.session, service_no) if access else None
    if enquiry is None or enquiry.access_code != access or enquiry.hall.code != hall:
        return redirect(url_for("tracking.ticket", service_no=service_no), 303)
    base = current_app.config["PUBLIC_BASE_URL"] or request.host_url.rstrip("/")
    return render_template("ask/sent.html", enquiry=enquiry, hall=enquiry.hall,
                           kind_names=kinds.ENQUIRY_KIND_NAMES,
                           track_url=f"{base}/track/{enquiry.service_no}")
