"""Window consoles: the clerk's page at a window, and the list of a hall's windows.

Every move is a form POST (CSRF-checked) that works without JavaScript; the page's script
sends the same forms with ``Accept: application/json`` and updates itself from the answer and
from the hall's live events.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import ValidationError

from hall import access, board, casefile, cases, clock, floor, lookup, numbers, queue, supervision
from hall.errors import N_
from hall.models import Case, Ticket, Window

from .. import refusals
from ..auth import home_for, roles_required, visible_hall
from ..extensions import db
from ..moves import MOVES, MoveRequest, perform
from ..problems import translate
from ..templating import local_time

# Its templates and script are in this package (templates/console, static/console.js).
bp = Blueprint("console", __name__, url_prefix="/hall", template_folder="templates",
               static_folder="static", static_url_path="/static/console")

# Offered as the clerk types why a visitor is held (any other reason may be typed).
HOLD_REASONS = (N_("Fetching a document"), N_("Copying documents"), N_("Filling in a form"),
                N_("Waiting for a colleague's answer"))


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.get("/")
@roles_required()
def home():
    return redirect(home_for(current_user.staff))


@bp.get("/<hall>/windows")
@roles_required()
def windows(hall: str):
    """Every window of the hall: its state, its clerk, whom it serves."""
    found = visible_hall(hall)
    lines = board.window_lines(db.session, found)
    mine = next((w for w in found.windows if w.clerk_id == current_user.id), None)
    return render_template("console/windows.html", hall=found, lines=lines, mine=mine)


@bp.get("/<hall>/windows/<int:no>")
@roles_required()
def window(hall: str, no: int):
    """The console of one window; its moves are offered to the clerk who works it."""
    visible_hall(hall)
    window = lookup.get_window(db.session, hall, no)
    view = floor.window_view(db.session, window)
    day = queue.today(window.hall)
    return render_template("console/window.html", hall=window.hall, window=window, view=view,
                           mine=window.clerk_id == current_user.id,
                           can_open=current_user.has_role("clerk") and access.may_work_window(
                               db.session, window, current_user.id),
                           may_supervise=_may_supervise(window),
                           clerks=access.clerks_of(db.session, window),
                           services=board.service_lines(db.session, window.hall, day),
                           other_windows=[w for w in window.hall.windows if w.no != no],
                           may_accept=_may_accept(window),
                           accepted=casefile.accepted_at_window(db.session, window),
                           hold_reasons=[_(why) for why in HOLD_REASONS],
                           now=clock.now().isoformat())


def _may_supervise(window: Window) -> bool:
    """A manager or administrator who may close the window for its clerk or hand it over."""
    return bool(current_user.roles & access.SUPERVISORS) and access.sees_hall(
        current_user.actor, window.hall)


@bp.post("/<hall>/windows/<int:no>/force-close")
@roles_required("manager", "admin")
def force_close(hall: str, no: int):
    """Close the window for its clerk; its visitors go back to waiting, places kept."""
    visible_hall(hall)
    with refusals.answered_by(_refusal(hall, no)):
        supervision.force_close(db.session, hall, no, actor=current_user.actor,
                                reason=request.form.get("reason", ""))
    return _supervised(hall, no, _("Window %(no)s closed; its visitors are back in line.", no=no))


@bp.post("/<hall>/windows/<int:no>/reassign")
@roles_required("manager", "admin")
def reassign(hall: str, no: int):
    """Hand the window, with whoever is at it, to another clerk who may work it."""
    visible_hall(hall)
    with refusals.answered_by(_refusal(hall, no)):
        window = supervision.hand_over(db.session, hall, no, actor=current_user.actor,
                                       to_clerk=request.form.get("clerk", ""),
                                       reason=request.form.get("reason", ""))
    return _supervised(hall, no, _("Window %(no)s handed over to %(name)s.", no=no,
                                   name=window.clerk.name if window.clerk else "?"))


def _supervised(hall: str, no: int, message: str):
    if _wants_json():
        view = floor.window_view(db.session, lookup.get_window(db.session, hall, no))
        return jsonify({"window": view, "message": message})
    flash(message, "ok")
    return redirect(url_for("console.window", hall=hall, no=no))


def _may_accept(window: Window) -> bool:
    """The visitor's matter can become a case: its item has a division and a time limit."""
    ticket = db.session.get(Ticket, window.current_ticket_id) if window.current_ticket_id else None
    return bool(ticket and ticket.service.division_id and ticket.service.time_limit_days)


@bp.get("/<hall>/windows/<int:no>/state")
@roles_required()
def window_state(hall: str, no: int):
    """The console's data, for its script to refresh after a live event."""
    visible_hall(hall)
    return jsonify(floor.window_view(db.session, lookup.get_window(db.session, hall, no)))


@bp.post("/<hall>/windows/<int:no>/accept")
@roles_required("clerk")
def accept(hall: str, no: int):
    """Accept the matter of the visitor at the window as a case (受理); the visit ends and
    the clerk prints the acceptance receipt from the list of today's cases."""
    visible_hall(hall)
    form = request.form
    with refusals.answered_by(_refusal(hall, no)):
        case = cases.accept(
            db.session, hall, no, actor=current_user.actor,
            applicant_name=form.get("applicant_name", ""), subject=form.get("subject", ""),
            applicant_id_no=form.get("applicant_id_no"),
            applicant_phone=form.get("applicant_phone"), number=form.get("number") or None)
    message = accepted_message(case)
    warnings = [_(w) for w in cases.id_warnings(case)]
    if _wants_json():
        view = floor.window_view(db.session, lookup.get_window(db.session, hall, no))
        return jsonify({"window": view, "message": " ".join([message, *warnings]), "case": {
            "id": case.id, "case_no": case.case_no, "warnings": warnings,
            "due_at": case.due_at.isoformat() if case.due_at else None,
            "provisional": case.due_provisional,
            "receipt_url": url_for("division.receipt", hall=hall, case_id=case.id)}})
    flash(message, "ok")
    for warning in warnings:  # looked at again, never a refusal
        flash(warning, "info")
    return redirect(url_for("console.window", hall=hall, no=no))


def accepted_message(case: Case) -> str:
    """What the clerk tells the applicant: the case number and the deadline."""
    due = local_time(case.due_at, case.hall.timezone)
    no = numbers.grouped(case.case_no)
    if case.due_provisional:
        return _("Case %(no)s accepted. Due by %(due)s (provisional).", no=no, due=due)
    return _("Case %(no)s accepted. Due by %(due)s.", no=no, due=due)


@bp.post("/<hall>/windows/<int:no>/<move>")
@roles_required("clerk")
def move(hall: str, no: int, move: str):
    """Make one move at the window (the engine checks that this clerk works it)."""
    chosen = MOVES.get(move)
    if chosen is None:
        abort(404)
    visible_hall(hall)
    try:
        # What a clerk typed, trimmed (" a012 " is A012); the API takes values as sent.
        form = MoveRequest.model_validate({k: v.strip() for k, v in request.form.items()})
    except ValidationError as error:
        return _refused(hall, no, 422, "invalid-request", _invalid_fields(error))
    with refusals.answered_by(_refusal(hall, no)):
        result = perform(db.session, chosen, hall, no, current_user.actor, form)
    message = _done_message(chosen.name, result)
    if _wants_json():
        view = floor.window_view(db.session, lookup.get_window(db.session, hall, no))
        body = {"window": view, "message": message}
        if isinstance(result, Ticket):
            body["ticket"] = floor.ticket_card(result)
        return jsonify(body)
    flash(message, "info" if chosen.name == "call" and result is None else "ok")
    return redirect(url_for("console.window", hall=hall, no=no))


def _refusal(hall: str, no: int):
    """How the console answers a refused move (``refusals.answered_by``)."""
    return lambda error: _refused(hall, no, error.status, error.code, translate(error))


def _refused(hall: str, no: int, status: int, code: str, message: str):
    if _wants_json():
        return jsonify({"code": code, "message": message}), status
    flash(message, "refused")
    return redirect(url_for("console.window", hall=hall, no=no))


def _invalid_fields(error: ValidationError) -> str:
    fields = ", ".join(str(e["loc"][0]) for e in error.errors())
    return _("Please check: %(fields)s", fields=fields)


def _done_message(move: str, result) -> str:
    number = result.number if isinstance(result, Ticket) else None
    if move == "call" and result is None:
        return _("Nobody is waiting for this window.")
    messages = {
        "open": _("Window opened."), "pause": _("Window paused."), "close": _("Window closed."),
        "call": _("Calling %(number)s.", number=number),
        "recall": _("Calling %(number)s again.", number=number),
        "no-show": _("%(number)s marked as a no-show.", number=number),
        "undo-no-show": _("%(number)s is called at the window again: the no-show was taken "
                          "back.", number=number),
        "start": _("Serving %(number)s.", number=number),
        "finish": _("%(number)s finished.", number=number),
        "hold": _("%(number)s held.", number=number),
        "resume": _("%(number)s called back.", number=number),
        "transfer": _("%(number)s transferred.", number=number),
    }
    return messages[move]
