"""The division console: the inbox of cases by deadline, each case with its actions, and the
acceptance receipt.

Every action is a form POST (CSRF-checked) that works without JavaScript; the page's script
only refreshes the inbox when the hall's /staff stream says a case moved. A refused move comes
back as a message on the case's page; a case the member of staff may not see is a 403 page.
"""
from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hall import casefile, cases, enquiry_inbox, notices_public, printing
from hall.errors import HallError
from hall.inbox import LIMIT, Filters, inbox, searched
from hall.models import OPEN_STATES, Case, Staff

from .. import refusals
from ..api.tickets import track_url
from ..auth import roles_required, visible_hall
from ..event_words import hall_names
from ..extensions import db
from ..problems import translate
from .case_actions import ACTIONS, DONE, SPECIAL_NAMES, STATE_NAMES, actions_for, timeline_lines

# Its templates and script are in this package (templates/division, static/division.js).
bp = Blueprint("division", __name__, url_prefix="/hall", template_folder="templates",
               static_folder="static", static_url_path="/static/division")


def _case(hall, case_id: int) -> Case:
    """The case, if it is this hall's and the viewer may work it (or accepted it)."""
    case = cases.get_case(db.session, case_id, lock=False)
    staff = current_user.staff
    if case.hall_id != hall.id:
        abort(404)
    if not (cases.may_work(staff, case) or case.first_owner_id == staff.id):
        abort(403)
    return case


def _filters(divisions) -> tuple[Filters, dict]:
    """The inbox filters from the query string; division staff see only their division."""
    args = request.args
    chosen = next((d for d in divisions if d.code == args.get("division")), None)
    if chosen is None and len(divisions) == 1:
        chosen = divisions[0]
    handler = _handler(args.get("handler"))
    shown: dict[str, Any] = {"state": args.get("state", ""), "warning": args.get("warning", ""),
             "mine": args.get("mine") == "1", "q": args.get("q", "").strip()[:40],
             "division": chosen.code if chosen else "", "handler": handler}
    handler_id = current_user.id if shown["mine"] else (handler.id if handler else None)
    filters = Filters(division_id=chosen.id if chosen else None, state=shown["state"] or None,
                      warning=shown["warning"] or None, handler_id=handler_id,
                      search=shown["q"] or None)
    return filters, shown


def _handler(username: str | None) -> Staff | None:
    """The member of staff ``?handler=`` names (the dashboard's per-person counts link here):
    one of the viewer's hall, else no such filter."""
    if not username:
        return None
    return db.session.scalar(select(Staff).where(Staff.username == username.strip()[:40],
                                                 Staff.hall_id == current_user.staff.hall_id))


@bp.get("/<hall>/cases")
@roles_required("division", "manager")
def cases_inbox(hall: str):
    """Open cases, the nearest deadline first; yellow and red marked in colour and words."""
    found = visible_hall(hall)
    divisions = casefile.listable_divisions(db.session, found, current_user.staff)
    if not divisions:
        abort(403)
    filters, shown = _filters(divisions)
    search, problem = None, None
    try:
        search = searched(filters.search)
    except HallError as error:  # a mistyped number: said, never "no cases"
        problem = translate(error)
    if search is not None and search[0] == "case":
        case = db.session.scalar(select(Case).where(Case.case_no == search[1],
                                                    Case.hall_id == found.id))
        if case is not None and cases.may_work(current_user.staff, case):
            # One number, one case, open or not: straight to it.
            return redirect(url_for("division.case_page", hall=found.code, case_id=case.id))
    # One more than is shown: the page says when there are more than it lists.
    rows = [] if problem else inbox(db.session, found.id, filters, limit=LIMIT + 1)
    response = Response(render_template(
        "division/inbox.html", hall=found, rows=rows[:LIMIT], more=len(rows) > LIMIT,
        limit=LIMIT, divisions=divisions, shown=shown, states=OPEN_STATES,
        state_names=STATE_NAMES, problem=problem,
        counts={"enquiries": enquiry_inbox.inbox_count(  # the tab of questions (issue 15)
            db.session, found.id, filters.division_id)}))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<hall>/cases/<int:case_id>")
@roles_required()
def case_page(hall: str, case_id: int):
    """Everything about one case, its history with who acted, and the moves it allows now."""
    found = visible_hall(hall)
    case = _case(found, case_id)
    staff = current_user.staff
    history = casefile.history(db.session, case)
    names = hall_names(db.session, [case.hall_id])[case.hall_id]
    notice = notices_public.panel(db.session, case, staff)
    actions = actions_for(case, staff)
    if notice.notice is not None and notice.notice.running:  # it ends with its period
        actions = [a for a in actions if a != "end_special"]
    response = Response(render_template(
        "division/case.html", hall=found, case=case, state_names=STATE_NAMES,
        actions=actions, lines=timeline_lines(history, names, found.timezone),
        last_event=history[-1].id if history else 0,
        divisions=casefile.other_divisions(db.session, case),
        special_kinds=cases.SPECIAL_KINDS, special_names=SPECIAL_NAMES,
        id_warnings=[_(w) for w in cases.id_warnings(case)],
        someone_elses=case.handler is not None and case.handler_id != staff.id,
        notice_panel=notice))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<hall>/cases/<int:case_id>/<action>")
@roles_required()
def act(hall: str, case_id: int, action: str):
    """One move on the case; a refusal is shown on the case's page, never as a 500."""
    chosen = ACTIONS.get(action)
    if chosen is None:
        abort(404)
    found = visible_hall(hall)
    _case(found, case_id)
    # 403 and 404 get the error page: not a message on a page one may not use.
    with refusals.answered_by(lambda error: _answer(found, case_id, error.status, error.code,
                                                    translate(error), "refused"),
                              error_page_for=(403, 404)):
        chosen(db.session, case_id, request.form, current_user.actor)
    return _answer(found, case_id, 200, "ok", DONE[action](), "ok")


def _answer(hall, case_id: int, status: int, code: str, message: str, kind: str):
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"code": code, "message": message}), status
    flash(message, kind)
    return redirect(url_for("division.case_page", hall=hall.code, case_id=case_id))


@bp.get("/<hall>/cases/<int:case_id>/receipt.pdf")
@roles_required()
def receipt(hall: str, case_id: int):
    """The acceptance receipt, printed at the window for the applicant: for those who may
    open the case's page (it carries the name and the access code to private tracking)."""
    found = visible_hall(hall)
    case = _case(found, case_id)
    pdf = printing.case_receipt_pdf(case, track_url=track_url(case.ticket))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="receipt-{case.case_no}.pdf"'
    # It carries the applicant's name and the access code: never kept in a shared cache.
    response.headers["Cache-Control"] = "no-store"
    return response
