"""Questions, complaints and reports over the API (issue 15): a hall's topics, sending one,
reading it (the public part by its service number; the text and the thread with its access
code, as ``/api/v1/track`` takes it), and writing to the office.

Sending and writing spend ENQUIRY_RATE_LIMIT per address (shared with the pages); every read
with a code goes through the access-code guard of ``hall.web.access_codes``, and an unknown
number and a wrong code get the same 404, word for word."""
from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field

from hall import enquiries, enquiry_progress, lookup
from hall.enquiry_progress import EnquiryProgress
from hall.models import Enquiry
from hall.models.enquiries import KINDS
from hall.web.templating import localized
from tracking.words import say, step_text

from .. import access_codes, devices
from ..extensions import db
from ..limits import per_address
from ..problems import problem
from . import coded
from .common import bp, parse_body
from .schemas import Code

enquiry_limited = per_address("ENQUIRY_RATE_LIMIT", scope="enquiry")
NOT_FOUND_INSTANCE = "/api/v1/enquiries"


class EnquiryRequest(BaseModel):
    """A citizen sends a question, a complaint or a report to a hall."""

    model_config = ConfigDict(json_schema_extra={"example": {
        "kind": "consultation", "topic": "TITLE", "subject": "职称评审材料能否补交",
        "body": "我的评审材料漏交了继续教育证明，能否补交？", "name": "欧阳芒",
        "phone": "13800138000"}})

    kind: Literal["consultation", "complaint", "report"] = Field(
        description="consultation (咨询), complaint (投诉) or report (举报)")
    topic: Code = Field(description="A topic code of the hall that takes this kind "
                                    "(GET /api/v1/halls/{hall}/enquiry-topics)")
    subject: str = Field(max_length=400, description="At most 100 characters")
    body: str = Field(max_length=16000, description="At most 4,000 characters")
    name: str | None = Field(default=None, max_length=200,
                             description="Needed unless an anonymous report (at most 40)")
    phone: str | None = Field(default=None, max_length=40,
                              description="Mainland mobile number; needed unless anonymous")
    email: str | None = Field(default=None, max_length=254, description="Optional")
    anonymous: bool = Field(default=False, description="Only a report may be anonymous: then "
                                                       "no contact is kept")


class EnquiryMessageRequest(BaseModel):
    """The citizen writes to the office about their enquiry."""

    model_config = ConfigDict(json_schema_extra={"example": {"body": "补交到哪个窗口？"}})

    body: str = Field(max_length=16000, description="At most 4,000 characters")


def _iso(at: datetime | None, tz: str) -> str | None:
    return at.astimezone(ZoneInfo(tz)).isoformat(timespec="seconds") if at else None


def track_url(service_no: str) -> str:
    base = current_app.config["PUBLIC_BASE_URL"] or request.host_url.rstrip("/")
    return f"{base}/track/{service_no}"


def enquiry_json(seen: EnquiryProgress, tz: str) -> dict:
    """The public part, and ``private`` only when the access code was given."""
    body: dict = {
        "service_no": seen.service_no, "hall": seen.hall_code, "kind": seen.kind,
        "topic": ({"code": seen.topic_code, "name": seen.topic.name_zh,
                   "name_en": seen.topic.name_en} if seen.topic else None),
        "related_case_no": seen.related_case_no,
        "state": seen.state, "status_notes": say(seen.stage),
        "submitted_at": _iso(seen.submitted_at, tz),
        "respond_due_at": _iso(seen.respond_due_at, tz),
        "responded_at": _iso(seen.responded_at, tz),
        "responded_on_time": seen.responded_on_time,
        "accepted_at": _iso(seen.accepted_at, tz),
        "conclude_due_at": _iso(seen.conclude_due_at, tz),
        "concluded_at": _iso(seen.concluded_at, tz),
        "concluded_on_time": seen.concluded_on_time,
        "due_at": _iso(seen.due_at, tz), "due_provisional": seen.due_provisional,
        "overdue": seen.overdue, "extension_days": seen.extension_days,
        "closed_at": _iso(seen.closed_at, tz), "verified": seen.verified,
        "track_url": track_url(seen.service_no),
        "notes": [{"datetime": _iso(s.at, tz), "description": step_text(s, tz), "kind": s.kind}
                  for s in seen.steps],
    }
    if seen.private is not None:
        mine = seen.private
        body["private"] = {
            "subject": mine.subject, "body": mine.body, "name": mine.name, "phone": mine.phone,
            "anonymous": mine.anonymous, "may_write": mine.may_write,
            "messages": [{"datetime": _iso(m.at, tz),
                          "from": "citizen" if m.from_citizen else "office", "body": m.body}
                         for m in mine.messages]}
    return body


def _answer(enquiry: Enquiry, *, verified: bool, status: int = 200, created: bool = False):
    seen = enquiry_progress.of_enquiry(db.session, enquiry, verified=verified)
    body = enquiry_json(seen, enquiry.hall.timezone)
    if created:
        body["access_code"] = enquiry.access_code
    return coded.answer(body, status=status)


@bp.get("/halls/<hall>/enquiry-topics")
@devices.public_read
def enquiry_topics(hall: str):
    """The hall's topics, each with the kinds it takes (``?kind=`` narrows them)."""
    kind = request.args.get("kind")
    if kind is not None and kind not in KINDS:
        return problem(400, "invalid-kind",
                       _("kind is consultation, complaint or report."))
    found = lookup.get_hall(db.session, hall, typed=True)
    listed = enquiries.topics(db.session, found, kind)
    return jsonify({"hall": found.code, "topics": [
        {"code": t.code, "name": t.name_zh, "name_en": t.name_en,
         "division": localized(t.division),
         "kinds": [k for k in KINDS if t.allows(k)]}
        for t in listed]})


@bp.post("/halls/<hall>/enquiries")
@enquiry_limited
def send_enquiry(hall: str):
    """Send a question, complaint or report: 201 with its service number and access code
    (given once) and its time limit; a refusal names the field and writes nothing."""
    body = parse_body(EnquiryRequest)
    made = enquiries.submit(db.session, hall, kind=body.kind, topic=body.topic,
                            subject=body.subject, body=body.body, name=body.name,
                            phone=body.phone, email=body.email, anonymous=body.anonymous)
    response = _answer(made, verified=True, status=201, created=True)
    response.headers["Location"] = url_for("api.get_enquiry", service_no=made.service_no)
    return response


@bp.get("/enquiries/<service_no>")
@access_codes.limited
def get_enquiry(service_no: str):
    """The public part by the number alone; with ``X-Access-Code`` (or ``?code=``) also the
    text and the thread."""
    code = coded.code()
    enquiry, verified = coded.opened(service_no, code, enquiries.by_service_no)
    if enquiry is None or (code and not verified):
        return coded.not_found(NOT_FOUND_INSTANCE)
    return _answer(enquiry, verified=verified)


@bp.post("/enquiries/<service_no>/messages")
@access_codes.limited
@enquiry_limited
def write_enquiry(service_no: str):
    """The citizen writes to the office, with ``X-Access-Code``: 201 with the enquiry and its
    thread; 409 ``enquiry-finished`` once the matter is over."""
    body = parse_body(EnquiryMessageRequest)
    code = coded.code()
    enquiry, verified = coded.opened(service_no, code, enquiries.by_service_no)
    if enquiry is None or not verified:
        return coded.not_found(NOT_FOUND_INSTANCE)
    written = enquiries.citizen_reply(db.session, enquiry.service_no, code, body.body)
    return _answer(written, verified=True, status=201)
