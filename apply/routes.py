"""The items per hall, the form per item, the confirmation with the service number and
access code.

Sending spends ENQUIRY_RATE_LIMIT and UPLOAD_RATE_LIMIT per address; the form is
CSRF-checked; a refusal shows the form again with the words beside the field and writes
nothing (the files are chosen again). The access code is shown once, on the confirmation,
and kept only in this browser's session, never in an address.
"""
from __future__ import annotations

from flask import Response, current_app, make_response, redirect, render_template, request, url_for

from hall import application_pdf, applications, lookup
from hall.application_errors import InvalidApplicationField
from hall.errors import HallError
from hall.file_errors import FileRefused
from hall.models import Application
from hall.web import remembered
from hall.web.devices import public_read
from hall.web.extensions import db
from hall.web.files import accepts_uploads, read_upload, upload_limited
from hall.web.i18n import canonical
from hall.web.limits import per_address
from hall.web.problems import translate

from . import bp

apply_limited = per_address("ENQUIRY_RATE_LIMIT", scope="enquiry")
PERSON = ("name", "phone", "id_no")


@bp.url_defaults
def _keep_language(endpoint: str, values: dict) -> None:
    if "lang" not in values and canonical(request.args.get("lang")) == "en":
        values["lang"] = "en"


@bp.after_request
def _no_store(response):
    """What a citizen typed and the access code are on these pages: never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(HallError)
def _refused(error: HallError):
    html = render_template("apply/refused.html", message=translate(error),
                           status=error.status, code=error.code)
    return html, error.status


@bp.get("/<hall>")
@public_read
def items(hall: str):
    """What the hall takes online."""
    found = lookup.get_hall(db.session, hall, typed=True)
    return render_template("apply/items.html", hall=found,
                           items=applications.offered(db.session, found))


def _form(hall, item, *, values: dict | None = None, error: str | None = None,
          field: str | None = None, status: int = 200):
    return make_response(render_template(
        "apply/form.html", hall=hall, item=item, values=values or {}, error=error,
        field=field, documents=applications.document_names(item),
        max_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)), status)


@bp.get("/<hall>/<item>")
@public_read
def form(hall: str, item: str):
    """The item's guide in short, its form, its documents to upload, the declaration."""
    found = lookup.get_hall(db.session, hall, typed=True)
    return _form(found, applications.online_item(db.session, found, item))


@bp.post("/<hall>/<item>")
@apply_limited
@upload_limited
@accepts_uploads
def send(hall: str, item: str):
    """Apply; then to the confirmation, which only this browser opens with the code."""
    found = lookup.get_hall(db.session, hall, typed=True)
    chosen = applications.online_item(db.session, found, item)
    person = {name: request.form.get(name, "") for name in PERSON}
    values: dict[str, str | None] = {spec["name"]: request.form.get(f"field_{spec['name']}", "")
              for spec in chosen.apply_fields or []}
    try:
        documents = [(index, *read_upload(upload)) for index in
                     range(len(applications.required_documents(chosen)))
                     if (upload := request.files.get(f"document_{index}")) and upload.filename]
        made = applications.submit(db.session, found.code, chosen.code, name=person["name"],
                                   phone=person["phone"], id_no=person["id_no"],
                                   values=values, declared=request.form.get("declared") == "1",
                                   documents=documents)
    except HallError as error:
        kept = {k: v[:64] for k, v in person.items()}
        kept.update({f"field_{k}": (v or "")[:2000] for k, v in values.items()})
        field = (error.field if isinstance(error, InvalidApplicationField) else
                 "documents" if isinstance(error, FileRefused) else None)
        return _form(found, chosen, values=kept, error=translate(error), field=field,
                     status=error.status)
    _remember(made)
    return redirect(url_for("apply.sent", hall=found.code, service_no=made.service_no), 303)


def _remember(made: Application) -> None:
    """Keep the access code in this browser's session only, for the confirmation."""
    remembered.remember("applications", made.service_no, made.access_code)


@bp.get("/<hall>/sent/<service_no>")
def sent(hall: str, service_no: str):
    """The confirmation: the service number, the access code (to this browser only), the
    documents received and the pre-review limit."""
    access = remembered.code_for("applications", service_no)
    made = applications.by_service_no(db.session, service_no) if access else None
    if made is None or made.access_code != access or made.hall.code != hall:
        return redirect(url_for("tracking.ticket", service_no=service_no), 303)
    base = current_app.config["PUBLIC_BASE_URL"] or request.host_url.rstrip("/")
    return render_template("apply/sent.html", application=made, hall=made.hall,
                           documents=applications.documents_of(db.session, made),
                           track_url=f"{base}/track/{made.service_no}")


@bp.get("/<hall>/sent/<service_no>/receipt.pdf")
def receipt(hall: str, service_no: str):
    """The receipt (网上申报回执) as a PDF, to this browser only (as the confirmation)."""
    access = remembered.code_for("applications", service_no)
    made = applications.by_service_no(db.session, service_no) if access else None
    if made is None or made.access_code != access or made.hall.code != hall:
        return redirect(url_for("tracking.ticket", service_no=service_no), 303)
    base = current_app.config["PUBLIC_BASE_URL"] or request.host_url.rstrip("/")
    pdf = application_pdf.receipt_pdf(made, applications.documents_of(db.session, made),
                                      url=f"{base}/track/{made.service_no}")
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="application-{made.service_no}.pdf"')
    return response
