"""An application sent online, on the tracking page (issue 15): the public view says what it
is and where it stands (nothing personal); with the access code, the documents received, the
list asked for (补正告知) with an upload for each, the reason of a refusal, and withdrawing.
Every route takes the access code in the form body, through the same guard as a ticket's."""
from __future__ import annotations

from flask import make_response, render_template, request
from flask_babel import gettext

from hall import applications, files, kinds
from hall.errors import HallError
from hall.file_errors import FileNotFound
from hall.web.extensions import csrf, db
from hall.web.files import accepts_uploads, read_upload, send_stored, upload_limited
from hall.web.problems import translate

from . import bp
from .lookup import Lookup, limited
from .words import say


def application_page(found: Lookup, code: str, *, message: str | None = None,
                     error: str | None = None, status: int = 200):
    application = found.application
    assert application is not None
    verified = found.verified
    return make_response(render_template(
        "tracking/application.html", application=application, hall=application.hall,
        verified=verified, code=code.strip().upper() if verified else "", message=message,
        error=error, say=say, states=kinds.APPLICATION_STATES,
        documents=applications.documents_of(db.session, application) if verified else [],
        missing=applications.still_missing(db.session, application) if verified else []),
        status)


def _verified(service_no: str):
    """(lookup, code, None) with the access code proved for an application, else (None,
    None, the refusal page)."""
    from .routes import _find, _form, refusal_text

    code = request.form.get("code", "")
    found, refused = _find(service_no, code)
    if refused is not None:
        return None, code, refused
    if not found.verified or found.application is None:
        return None, code, _form(refusal_text(Lookup(None, code_given=True)), service_no, 404)
    return found, code, None


@bp.post("/<service_no>/documents/<int:index>")
@limited
@upload_limited
@accepts_uploads
def reupload(service_no: str, index: int):
    """One document asked for, uploaded with the access code (CSRF-checked)."""
    found, code, refused = _verified(service_no)
    if refused is not None:
        return refused
    try:
        filename, data = read_upload(request.files.get("file"))
        applications.reupload(db.session, found.application.service_no, code,
                              document=index, filename=filename, data=data)
    except HallError as error:
        return application_page(found, code, error=translate(error), status=error.status)
    db.session.refresh(found.application)
    return application_page(found, code, message=gettext("The document was uploaded."))


@bp.post("/<service_no>/withdraw")
@limited
def withdraw(service_no: str):
    """The applicant withdraws it, with the access code and the box ticked."""
    found, code, refused = _verified(service_no)
    if refused is not None:
        return refused
    if request.form.get("confirm") != "1":
        return application_page(found, code, status=422, error=gettext(
            "Tick the box to confirm that you withdraw the application."))
    try:
        applications.withdraw(db.session, found.application.service_no, code)
    except HallError as error:
        return application_page(found, code, error=translate(error), status=error.status)
    db.session.refresh(found.application)
    return application_page(found, code, message=gettext("The application was withdrawn."))


@bp.post("/<service_no>/applied/<int:file_id>")
@csrf.exempt
@limited
def application_file(service_no: str, file_id: int):
    """A document the applicant sent, inline and sandboxed, with the access code in the
    body (never in an address). Exempt from CSRF as the private view: it changes nothing."""
    from .routes import _form, refusal_text

    found, _code, refused = _verified(service_no)
    if refused is not None:
        return refused
    try:
        stored = files.get(db.session, file_id, owner=applications.OWNER,
                           owner_id=found.application.id)
    except FileNotFound:
        stored = None
    if stored is None or not files.may_read(db.session, stored, access_ok=True):
        return _form(refusal_text(Lookup(None, code_given=True)), service_no, 404)
    return send_stored(stored)
