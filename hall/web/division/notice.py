"""Public notice (公示) on the case's page: a manager of the case's hall puts the case under
notice, or ends a notice early saying why; the objections received are listed on the page
(``templates/division/_notice.html``). The domain checks who acts (``hall.notices_public``).
"""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hall import cases, notices_public
from hall.notice_errors import NoticeNotRunning

from .. import refusals
from ..auth import roles_required, visible_hall
from ..extensions import db
from ..templating import local_time
from .routes import bp


def _case(hall, case_id: int):
    """The hall's case (404 for another hall's); who may act on it is the domain's rule."""
    case = cases.get_case(db.session, case_id, lock=False)
    if case.hall_id != hall.id:
        abort(404)
    return case


@bp.post("/<hall>/cases/<int:case_id>/notice")
@roles_required("manager")
def put_under_notice(hall: str, case_id: int):
    found = visible_hall(hall)
    _case(found, case_id)
    with refusals.flashed():
        notice = notices_public.put_under_notice(
            db.session, case_id, text=request.form.get("text", ""),
            days=request.form.get("days", ""), actor=current_user.actor)
        flash(_("The case is under public notice until %(until)s; its clock is stopped.",
                until=local_time(notice.ends_at, found.timezone)), "ok")
    return redirect(url_for("division.case_page", hall=found.code, case_id=case_id))


@bp.post("/<hall>/cases/<int:case_id>/notice/end")
@roles_required("manager")
def end_notice(hall: str, case_id: int):
    """End the case's running notice: early, with a reason; or once its period is over."""
    found = visible_hall(hall)
    case = _case(found, case_id)
    shown = notices_public.panel(db.session, case, current_user.staff).notice
    with refusals.flashed():
        if shown is None or not shown.running:
            raise NoticeNotRunning()
        ended = notices_public.end_notice(db.session, shown.id, actor=current_user.actor,
                                          reason=request.form.get("reason", ""))
        flash(_("The public notice has ended (%(n)s objections received); the clock runs "
                "again.", n=ended.objections), "ok")
    return redirect(url_for("division.case_page", hall=found.code, case_id=case_id))
