"""Results in the open and public notice over the API (issue 15): a hall's decided cases of
the items public by law, the notices running, and an objection to one (a complaint)."""
from __future__ import annotations

from flask import jsonify, request
from flask_babel import get_locale
from pydantic import BaseModel, ConfigDict, Field

from hall import lookup, notices_public, results
from hall.models import PublicNotice
from hall.notice_errors import InvalidPage, UnknownNotice

from .. import devices
from ..conditional import answered, revalidated, tag
from ..extensions import db
from ..limits import per_address
from .common import bp, parse_body
from .enquiries import track_url

# an objection is a complaint: the budget of sending one (ENQUIRY_RATE_LIMIT, one counter)
objection_limited = per_address("ENQUIRY_RATE_LIMIT", scope="enquiry")


class ObjectionRequest(BaseModel):
    """An objection to a public notice: it is taken as a complaint in the objector's name."""

    model_config = ConfigDict(json_schema_extra={"example": {
        "name": "欧阳芒", "phone": "13800138000", "declared": True,
        "body": "申请人的任职年限不符合条件。"}})

    name: str = Field(max_length=200, description="The objector's name (at most 40 characters)")
    phone: str = Field(max_length=40, description="Mainland mobile number, 11 digits")
    email: str | None = Field(default=None, max_length=400,
                              description="An e-mail address for the answer (optional)")
    body: str = Field(max_length=4000, description="The objection (at most 1000 characters)")
    declared: bool = Field(description="What the objector says is true, and they may be "
                                       "contacted about it (must be true)")


@bp.get("/halls/<hall>/results")
@devices.public_read
def hall_results(hall: str):
    """The decided cases of the hall's public items (or of ``item``), newest first, a page
    of 20, with each item's figures for the month (``month``, else this one)."""
    found = lookup.get_hall(db.session, hall)
    code = request.args.get("item", "").strip()
    items = ([results.public_item(db.session, found, code)] if code
             else results.public_items(db.session, found))
    month = results.parse_month(request.args.get("month"))
    given = request.args.get("page")
    if given is not None and not given.strip():  # the API's page is a number or left out
        raise InvalidPage(max=results.MAX_PAGE)
    page = results.parse_page(given)
    key = ("api-results", found.code, str(get_locale()), request.full_path)

    def body():
        listing = results.listing(db.session, found, items, month=month, page=page)
        shown = month or results.this_month(found)
        return jsonify({
            "hall": found.code, "item": items[0].code if code else None,
            "month": month.label if month else None, "page": listing.page,
            "more": listing.more, "results": [r.as_json() for r in listing.results],
            "figures": [f.as_json() for f in results.figures(db.session, found, items, shown)]})

    return answered(body, tag(key, results.stamp(db.session, found)))


def notice_json(notice: PublicNotice) -> dict:
    return {"id": notice.id, "case_no": notice.case.case_no, "item": notice.case.service.code,
            "item_name": notice.case.service.name_zh,
            "item_name_en": notice.case.service.name_en, "text": notice.text,
            "days": notice.days, "unit": notice.unit,
            "started_at": notice.started_at.isoformat(), "ends_at": notice.ends_at.isoformat()}


@bp.get("/halls/<hall>/notices")
@devices.public_read
def hall_notices(hall: str):
    """The hall's public notices running now, the soonest to end first."""
    found = lookup.get_hall(db.session, hall)
    running = notices_public.running(db.session, found)
    key = ("api-notices", found.code, request.full_path)
    return revalidated(jsonify({"hall": found.code,
                                "notices": [notice_json(n) for n in running]}),
                       tag(key, [(n.id, n.ends_at.isoformat()) for n in running]))


@bp.post("/halls/<hall>/notices/<notice>/objections")
@objection_limited
def object_to_notice(hall: str, notice: str):
    """201 with the objection and the complaint it opened (its service number and access
    code, which only this answer carries)."""
    if not (notice.isdigit() and len(notice) <= 9):  # the API's paths name no converter
        raise UnknownNotice(notice=notice[:20])
    notice_id = int(notice)
    body = parse_body(ObjectionRequest)
    made = notices_public.object_to(db.session, hall, notice_id, name=body.name,
                                    phone=body.phone, email=body.email, body=body.body,
                                    declared=body.declared)
    complaint = made.complaint
    response = jsonify({
        "objection": made.row.id, "notice": notice_id, "case_no": made.row.notice.case.case_no,
        "received_at": made.row.received_at.isoformat(),
        "complaint": {"service_no": complaint.service_no, "access_code": complaint.access_code,
                      "track_url": track_url(complaint.service_no)}})
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response
