"""The manager's queue of extension requests: every case of the hall whose division asked for
more working days, the nearest deadline first, each granted or refused on the spot.

Division staff ask on the case's page (``hall.cases.request_extension``); only a manager may
decide (``hall.cases.decide_extension`` checks it), so the request must reach one: it waits
here, counted on the dashboard, instead of on a case page nobody opens.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hall import casefile, cases, enquiries, enquiry_inbox, kinds, numbers
from hall.enquiry_errors import NoSuchEnquiry
from hall.errors import CaseNotFound

from .. import refusals
from ..auth import roles_required, visible_hall
from ..extensions import db

bp = Blueprint("extension_requests", __name__, url_prefix="/hall", template_folder="templates")


@bp.get("/<hall>/extension-requests")
@roles_required("manager")
def index(hall: str):
    found = visible_hall(hall)
    response = Response(render_template(
        "extension_requests/index.html", hall=found,
        requests=casefile.pending_extensions(db.session, found.id),
        enquiry_requests=enquiry_inbox.pending_extensions(db.session, found.id),
        units=kinds.DAY_UNITS))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<hall>/extension-requests/<int:case_id>")
@roles_required("manager")
def decide(hall: str, case_id: int):
    """Grant (``approve=1``) or refuse (``approve=0``) one request, with an optional note."""
    found = visible_hall(hall)
    approve = request.form.get("approve")
    if approve not in ("0", "1"):
        abort(400)
    with refusals.flashed():
        case = cases.get_case(db.session, case_id, lock=False)
        if case.hall_id != found.id:
            raise CaseNotFound(case=case_id)
        case = cases.decide_extension(db.session, case_id, approve=approve == "1",
                                      note=request.form.get("note", ""),
                                      actor=current_user.actor)
        no = numbers.grouped(case.case_no)
        words = (_("Extension granted for case %(no)s.", no=no) if approve == "1"
                 else _("Extension refused for case %(no)s.", no=no))
        flash(words, "ok")
    return redirect(url_for("extension_requests.index", hall=found.code))


@bp.post("/<hall>/extension-requests/enquiries/<int:enquiry_id>")
@roles_required("manager")
def decide_enquiry(hall: str, enquiry_id: int):
    """The same for a complaint's or report's time limit to conclude (issue 15)."""
    found = visible_hall(hall)
    approve = request.form.get("approve")
    if approve not in ("0", "1"):
        abort(400)
    with refusals.flashed():
        enquiry = enquiries.get_enquiry(db.session, enquiry_id, lock=False)
        if enquiry.hall_id != found.id:
            raise NoSuchEnquiry(enquiry=enquiry_id)
        enquiry = enquiries.decide_extension(db.session, enquiry_id, approve=approve == "1",
                                             note=request.form.get("note", ""),
                                             actor=current_user.actor)
        no = numbers.grouped(enquiry.service_no)
        words = (_("Extension granted for %(no)s.", no=no) if approve == "1"
                 else _("Extension refused for %(no)s.", no=no))
        flash(words, "ok")
    return redirect(url_for("extension_requests.index", hall=found.code, _anchor="enquiries"))
