"""Applying online over the API (issue 15): applying (multipart: the form, one file per
required document), reading it (the public part by its service number; the documents and
those asked for with its access code), and uploading a document asked for.

Applying spends ENQUIRY_RATE_LIMIT and UPLOAD_RATE_LIMIT per address (shared with the pages);
every read with a code goes through the access-code guard of ``hall.web.access_codes``, and an
unknown number and a wrong code get the same 404, word for word. Refusals are problem+json."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import request, url_for

from hall import applications
from hall.models import Application

from .. import access_codes
from ..extensions import db
from ..files import accepts_uploads, read_upload, upload_limited
from ..limits import per_address
from . import coded
from .common import bp
from .enquiries import track_url

apply_limited = per_address("ENQUIRY_RATE_LIMIT", scope="enquiry")
NOT_FOUND_INSTANCE = "/api/v1/applications"


def _iso(at: datetime | None, tz: str) -> str | None:
    return at.astimezone(ZoneInfo(tz)).isoformat(timespec="seconds") if at else None


def application_json(application: Application, *, verified: bool) -> dict:
    """The public part (nothing personal), and ``private`` with the access code."""
    tz = application.hall.timezone
    body: dict = {
        "service_no": application.service_no, "hall": application.hall.code,
        "item": application.service.code, "item_name": application.service.name_zh,
        "item_name_en": application.service.name_en, "state": application.state,
        "submitted_at": _iso(application.created_at, tz),
        "prereview_due_at": _iso(application.due_at, tz),
        "case_no": application.case.case_no if application.case else None,
        "deemed_accepted": application.deemed_accepted, "verified": verified,
        "track_url": track_url(application.service_no),
    }
    if verified:
        body["private"] = {
            "name": application.applicant_name, "phone": application.phone,
            "values": application.values,
            "documents": [{"id": f.id, "label": f.label, "name": f.original_name,
                           "content_type": f.content_type, "size": f.size,
                           "sha256": f.sha256, "uploaded_at": _iso(f.created_at, tz)}
                          for f in applications.documents_of(db.session, application)],
            "documents_asked": list(application.missing_documents or []),
            "still_missing": applications.still_missing(db.session, application),
            "asked_note": application.requested_note,
            "refuse_reason": application.refuse_reason,
        }
    return body


def _answer(application: Application, *, verified: bool, status: int = 200,
            created: bool = False):
    body = application_json(application, verified=verified)
    if created:
        body["access_code"] = application.access_code
    return coded.answer(body, status=status)


@bp.post("/halls/<hall>/applications")
@apply_limited
@upload_limited
@accepts_uploads
def send_application(hall: str):
    """Apply (multipart/form-data): ``item``, ``name``, ``phone``, optional ``id_no``,
    ``declared=1``, ``field_<name>`` per form field, ``document_<i>`` per required document.
    201 with the service number and the access code (given once)."""
    from hall.lookup import get_hall

    found = get_hall(db.session, hall, typed=True)
    item = applications.online_item(db.session, found, request.form.get("item", ""))
    documents = [(index, *read_upload(upload)) for index in
                 range(len(applications.required_documents(item)))
                 if (upload := request.files.get(f"document_{index}")) and upload.filename]
    values: dict[str, str | None] = {spec["name"]: request.form.get(f"field_{spec['name']}")
                                     for spec in item.apply_fields or []}
    made = applications.submit(db.session, found.code, item.code,
                               name=request.form.get("name"), phone=request.form.get("phone"),
                               id_no=request.form.get("id_no"), values=values,
                               declared=request.form.get("declared") in ("1", "true"),
                               documents=documents)
    response = _answer(made, verified=True, status=201, created=True)
    response.headers["Location"] = url_for("api.get_application", service_no=made.service_no)
    return response


@bp.get("/applications/<service_no>")
@access_codes.limited
def get_application(service_no: str):
    """The public part by the number alone; with ``X-Access-Code`` (or ``?code=``) also the
    applicant's details, the documents and those asked for."""
    code = coded.code()
    application, verified = coded.opened(service_no, code, applications.by_service_no)
    if application is None or (code and not verified):
        return coded.not_found(NOT_FOUND_INSTANCE)
    return _answer(application, verified=verified)


@bp.post("/applications/<service_no>/documents/<index>")
@access_codes.limited
@upload_limited
@accepts_uploads
def upload_application_document(service_no: str, index: str):
    """Upload the ``index``-th document asked for (multipart ``file``), with
    ``X-Access-Code``: 201 with the application; once every one is in, it waits for
    pre-review again."""
    code = coded.code()
    application, verified = coded.opened(service_no, code, applications.by_service_no)
    if application is None or not verified:
        return coded.not_found(NOT_FOUND_INSTANCE)
    filename, data = read_upload(request.files.get("file"))
    place = int(index) if index.isdigit() and len(index) < 4 else -1  # -1: no such document
    done = applications.reupload(db.session, application.service_no, code, document=place,
                                 filename=filename, data=data)
    db.session.refresh(done)
    return _answer(done, verified=True, status=201)
