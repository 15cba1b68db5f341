"""The division's pre-review of applications sent online (网上申报预审, issue 15), beside its
cases and enquiries: the inbox by the five days' limit (yellow and red in colour and words),
each application with its form, its documents viewable inline, and the moves (accept, ask
once for documents, refuse with a reason); and the window's lookup by service number (a
citizen who applied online comes to the hall: the clerk sees the application and its files).

Every move is a form POST (CSRF-checked) into one move of ``hall.applications``, which checks
who may make it; a refusal comes back as a message on the application's page.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from hall import applications, casefile, files, kinds, numbers
from hall.application_errors import NoSuchApplication
from hall.errors import ConfirmationRequired, HallError
from hall.events import Actor
from hall.file_errors import FileNotFound
from hall.models import Application

from .. import refusals
from ..auth import roles_required, visible_hall
from ..extensions import db
from ..files import send_stored
from ..problems import translate
from .routes import bp


def _refuse(s, i: int, f: MultiDict, a: Actor) -> Application:
    if (f.get("confirm") or "") != "1":
        raise ConfirmationRequired()
    return applications.refuse(s, i, reason=f.get("reason", ""), actor=a)


# name -> (session, application id, form, actor) -> the application after the move
ACTIONS: dict[str, Callable[..., Application]] = {
    "accept": lambda s, i, f, a: applications.accept(s, i, note=f.get("note", ""), actor=a),
    "request_documents": lambda s, i, f, a: applications.request_documents(
        s, i, documents=(f.get("documents") or "").splitlines(), note=f.get("note", ""),
        actor=a),
    "refuse": _refuse,
}
DONE: dict[str, Callable[[], str]] = {
    "accept": lambda: _("Accepted: it is a case now, its time limit running."),
    "request_documents": lambda: _("The applicant was told what is missing; the clock "
                                   "stops until the documents are uploaded."),
    "refuse": lambda: _("Not accepted; the applicant reads the reason on the tracking page."),
}


def _application(hall, application_id: int, *, read_only: bool = False) -> Application:
    """The application, if it is this hall's and the viewer may work it (or, ``read_only``,
    see it: the hall's window clerks too)."""
    try:
        application = applications.get_application(db.session, application_id, lock=False)
    except NoSuchApplication:
        abort(404)
    if application.hall_id != hall.id:
        abort(404)
    allowed = applications.may_see if read_only else applications.may_work
    if not allowed(current_user.staff, application):
        abort(403)
    return application


@bp.get("/<hall>/applications")
@roles_required("division", "manager")
def applications_inbox(hall: str):
    """Applications waiting for pre-review, the nearest limit first; then those waiting for
    the applicant's documents."""
    found = visible_hall(hall)
    divisions = casefile.listable_divisions(db.session, found, current_user.staff)
    if not divisions:
        abort(403)
    chosen = next((d for d in divisions if d.code == request.args.get("division")), None)
    if chosen is None and len(divisions) == 1:
        chosen = divisions[0]
    rows = applications.inbox(db.session, found.id, division_id=chosen.id if chosen else None)
    response = Response(render_template(
        "division/applications.html", hall=found, rows=rows, divisions=divisions,
        chosen=chosen, states=kinds.APPLICATION_STATES, tab="applications"))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<hall>/applications/find")
@roles_required("clerk", "division", "manager")
def application_find(hall: str):
    """The window's lookup: the application with this service number, if it is this hall's
    and the viewer may see it."""
    found = visible_hall(hall)
    raw = request.args.get("service_no", "")
    application = applications.by_service_no(db.session, numbers.normalize(raw))
    if application is None or application.hall_id != found.id:
        return _page(found, None, problem=_("No application online has this service number."),
                     status=404, looked_for=raw[:32])
    if not applications.may_see(current_user.staff, application):
        abort(403)
    return _page(found, application)


@bp.get("/<hall>/applications/<int:application_id>")
@roles_required("clerk", "division", "manager")
def application_page(hall: str, application_id: int):
    found = visible_hall(hall)
    return _page(found, _application(found, application_id, read_only=True))


def _page(hall, application: Application | None, *, problem: str | None = None,
          status: int = 200, looked_for: str = "") -> Response:
    staff = current_user.staff
    response = Response(render_template(
        "division/application.html", hall=hall, application=application, problem=problem,
        looked_for=looked_for, states=kinds.APPLICATION_STATES,
        documents=applications.documents_of(db.session, application) if application else [],
        may_work=bool(application and applications.may_work(staff, application))),
        status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<hall>/applications/<int:application_id>/<action>")
@roles_required("division", "manager")
def application_act(hall: str, application_id: int, action: str):
    """One move of pre-review; a refusal is shown on the application's page."""
    found = visible_hall(hall)
    _application(found, application_id)
    chosen = ACTIONS.get(action)
    if chosen is None:
        abort(404)

    def refused(error: HallError) -> Response:
        return _page(found, _application(found, application_id), problem=translate(error),
                     status=error.status)

    with refusals.answered_by(refused, error_page_for=(403, 404)):
        chosen(db.session, application_id, request.form, current_user.actor)
    flash(DONE[action](), "ok")
    return redirect(url_for("division.application_page", hall=found.code,
                            application_id=application_id))


@bp.get("/<hall>/applications/<int:application_id>/files/<int:file_id>")
@roles_required("clerk", "division", "manager")
def application_file(hall: str, application_id: int, file_id: int):
    """A document, inline and sandboxed, to whoever may see the application."""
    found = visible_hall(hall)
    application = _application(found, application_id, read_only=True)
    try:
        stored = files.get(db.session, file_id, owner=applications.OWNER,
                           owner_id=application.id)
    except FileNotFound:
        abort(404)
    if not files.may_read(db.session, stored, staff=current_user.staff):
        abort(403)
    return send_stored(stored)
