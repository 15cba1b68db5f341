"""The division's questions, complaints and reports (issue 15), beside its cases: the inbox by
the time limit running (yellow and red marked in colour and words), and each enquiry with what
was sent, the thread, the moves its state allows, and its history with who acted.

Every move is a form POST (CSRF-checked) into one move of ``hall.enquiries``, which checks
who may make it; a refusal comes back as a message on the enquiry's page.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from hall import casefile, enquiries, enquiry_inbox, files, kinds, qa
from hall.enquiry_errors import NoSuchEnquiry
from hall.errors import ConfirmationRequired
from hall.events import Actor
from hall.file_errors import FileNotFound
from hall.models import Enquiry, Staff

from .. import refusals
from ..auth import roles_required, visible_hall
from ..event_words import hall_names
from ..extensions import db
from ..files import send_stored
from ..problems import translate
from .case_actions import timeline_lines
from .routes import bp

STATE_NAMES = {code: words.title for code, words in kinds.ENQUIRY_STATE_WORDS.items()}


def _text(form: MultiDict, name: str) -> str:
    return (form.get(name) or "").strip()


def _days(form: MultiDict) -> int:
    try:
        return int(_text(form, "days"))
    except ValueError:
        return 0


def _confirmed(form: MultiDict) -> None:
    """A move that cannot be undone (declining, concluding) is made only with its box ticked."""
    if _text(form, "confirm") != "1":
        raise ConfirmationRequired()


def _decline(s, i: int, f: MultiDict, a: Actor) -> Enquiry:
    _confirmed(f)
    return enquiries.decline(s, i, reason=f.get("reason", ""), actor=a)


def _conclude(s, i: int, f: MultiDict, a: Actor) -> Enquiry:
    _confirmed(f)
    return enquiries.conclude(s, i, note=f.get("note", ""), actor=a)


# name -> (session, enquiry id, form, actor) -> what the move changed
ACTIONS: dict[str, Callable[..., object]] = {
    "reply": lambda s, i, f, a: enquiries.reply(s, i, body=f.get("body", ""), actor=a,
                                                internal=_text(f, "internal") == "1"),
    "accept": lambda s, i, f, a: enquiries.accept(s, i, note=f.get("note", ""), actor=a),
    "decline": _decline,
    "conclude": _conclude,
    "close": lambda s, i, f, a: enquiries.close(s, i, note=_text(f, "note"), actor=a),
    "request_extension": lambda s, i, f, a: enquiries.request_extension(
        s, i, days=_days(f), reason=_text(f, "reason"), actor=a),
    "decide_extension": lambda s, i, f, a: enquiries.decide_extension(
        s, i, approve=_text(f, "approve") == "1", note=_text(f, "note"), actor=a),
    # the public Q&A (issue 15): the text as the staff edited it
    "publish": lambda s, i, f, a: qa.publish(s, i, question=f.get("question", ""),
                                             answer=f.get("answer", ""), actor=a),
    "withdraw": lambda s, i, f, a: qa.withdraw(s, i, actor=a),
}
DONE: dict[str, Callable[[], str]] = {
    "reply": lambda: _("Your message is in the thread."),
    "accept": lambda: _("Accepted; the time limit to conclude runs from now."),
    "decline": lambda: _("Not accepted; the citizen reads the reason in the thread."),
    "conclude": lambda: _("Concluded; the citizen reads the result in the thread."),
    "close": lambda: _("Closed."),
    "request_extension": lambda: _("The extension was asked for; a manager decides."),
    "decide_extension": lambda: _("The extension was decided."),
    "publish": lambda: _("Published in the public Q&A; anyone can find it now."),
    "withdraw": lambda: _("Withdrawn from the public Q&A."),
}
# The moves each state allows (the domain checks again; this only decides what is offered).
_BY_STATE = {
    "open": ("reply",),
    "answered": ("reply", "close"),
    "submitted": ("reply", "accept", "decline"),
    "accepted": ("reply", "conclude", "request_extension"),
}


def actions_for(enquiry: Enquiry, staff: Staff) -> list[str]:
    offered = list(_BY_STATE.get(enquiry.state, ()))
    if enquiry.extension_pending_days or enquiry.extension_days or not enquiry.extension_limit:
        offered = [a for a in offered if a != "request_extension"]
    if not enquiries.may_work(staff, enquiry):
        return []
    if enquiry.extension_pending_days and enquiries.is_manager_for(staff, enquiry):
        offered.append("decide_extension")
    return offered


def publishing(enquiry: Enquiry, staff: Staff) -> dict | None:
    """The public Q&A's form for an answered question: what is published (if anything) and
    the text to start from; None where nothing may be published."""
    if (enquiry.kind != "consultation" or enquiry.state not in qa.PUBLISHABLE_STATES
            or not enquiries.may_work(staff, enquiry)):
        return None
    published = qa.of_enquiry(db.session, enquiry)
    question, answer = qa.draft(db.session, enquiry)
    return {"published": published if published is not None and published.live else None,
            "question": question, "answer": answer,
            "question_max": qa.QUESTION_MAX, "answer_max": qa.ANSWER_MAX}


def _enquiry(hall, enquiry_id: int) -> Enquiry:
    """The enquiry, if it is this hall's and the viewer may work it."""
    try:
        enquiry = enquiries.get_enquiry(db.session, enquiry_id, lock=False)
    except NoSuchEnquiry:
        abort(404)
    if enquiry.hall_id != hall.id:
        abort(404)
    if not enquiries.may_work(current_user.staff, enquiry):
        abort(403)
    return enquiry


@bp.get("/<hall>/enquiries")
@roles_required("division", "manager")
def enquiries_inbox(hall: str):
    """Questions, complaints and reports owing the division something, the nearest limit
    first; then answered questions the citizen wrote to again."""
    found = visible_hall(hall)
    divisions = casefile.listable_divisions(db.session, found, current_user.staff)
    if not divisions:
        abort(403)
    chosen = next((d for d in divisions if d.code == request.args.get("division")), None)
    if chosen is None and len(divisions) == 1:
        chosen = divisions[0]
    rows = enquiry_inbox.inbox(db.session, found.id, division_id=chosen.id if chosen else None,
                               limit=enquiry_inbox.LIMIT + 1)
    response = Response(render_template(
        "division/enquiries.html", hall=found, rows=rows[:enquiry_inbox.LIMIT],
        more=len(rows) > enquiry_inbox.LIMIT, limit=enquiry_inbox.LIMIT, divisions=divisions,
        chosen=chosen, state_names=STATE_NAMES, kind_names=kinds.ENQUIRY_KIND_NAMES,
        tab="enquiries", counts=tab_counts(found, chosen.id if chosen else None)))
    response.headers["Cache-Control"] = "no-store"
    return response


def tab_counts(hall, division_id: int | None) -> dict[str, int]:
    """The count on the inbox's tab of questions and complaints."""
    return {"enquiries": enquiry_inbox.inbox_count(db.session, hall.id, division_id)}


@bp.get("/<hall>/enquiries/<int:enquiry_id>")
@roles_required("division", "manager")
def enquiry_page(hall: str, enquiry_id: int):
    """What was sent, the thread with the internal notes, the moves, the history."""
    found = visible_hall(hall)
    return _page(found, _enquiry(found, enquiry_id))


def _page(hall, enquiry: Enquiry, *, problem: str | None = None, action: str | None = None,
          status: int = 200) -> Response:
    """The enquiry's page; after a refused move, with the refusal beside its form and what
    was typed kept (nothing was written)."""
    history = enquiry_inbox.history(db.session, enquiry)
    names = hall_names(db.session, [enquiry.hall_id])[enquiry.hall_id]
    kept = {k: v[:4000] for k, v in request.form.items()} if problem else {}
    response = Response(render_template(
        "division/enquiry.html", hall=hall, enquiry=enquiry, state_names=STATE_NAMES,
        kind_names=kinds.ENQUIRY_KIND_NAMES, units=kinds.DAY_UNITS,
        thread=enquiries.thread(db.session, enquiry, staff=True),
        attachments=enquiries.attachments_of(db.session, enquiry),
        actions=actions_for(enquiry, current_user.staff), problem=problem,
        publishing=publishing(enquiry, current_user.staff),
        problem_action=action, kept=kept,
        lines=timeline_lines(history, names, hall.timezone)), status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<hall>/enquiries/<int:enquiry_id>/<action>")
@roles_required("division", "manager")
def enquiry_act(hall: str, enquiry_id: int, action: str):
    """One move on the enquiry; a refusal is shown on its page, never as a 500."""
    found = visible_hall(hall)
    _enquiry(found, enquiry_id)  # who may see it first: an unknown action says nothing more
    chosen = ACTIONS.get(action)
    if chosen is None:
        abort(404)
    with refusals.answered_by(lambda error: _page(
            found, _enquiry(found, enquiry_id), problem=translate(error), action=action,
            status=error.status), error_page_for=(403, 404)):
        chosen(db.session, enquiry_id, request.form, current_user.actor)
    flash(DONE[action](), "ok")
    return redirect(url_for("division.enquiry_page", hall=found.code, enquiry_id=enquiry_id))


@bp.get("/<hall>/enquiries/<int:enquiry_id>/files/<int:file_id>")
@roles_required("division", "manager")
def enquiry_file(hall: str, enquiry_id: int, file_id: int):
    """An attachment, shown inline and sandboxed, to whoever may work the enquiry."""
    found = visible_hall(hall)
    enquiry = _enquiry(found, enquiry_id)
    try:
        stored = files.get(db.session, file_id, owner=enquiries.OWNER, owner_id=enquiry.id)
    except FileNotFound:
        abort(404)
    if not files.may_read(db.session, stored, staff=current_user.staff):
        abort(403)
    return send_stored(stored)
