"""Which windows each clerk may work: a form on the window's administration page (its clerks)
and one on a clerk's page (their windows), both posting to ``hall.assignments``."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hall import access, admin, assignments, lookup
from hall.models import Role, Staff, StaffRole

from .. import refusals
from ..auth import roles_required
from ..extensions import db
from .common import bp, managed_hall


def clerks_of_hall(hall) -> list[Staff]:
    """The hall's active clerks, who may be given windows."""
    return list(db.session.scalars(
        select(Staff).join(StaffRole).where(Staff.hall_id == hall.id, Staff.active,
                                            StaffRole.role == Role.CLERK.value)
        .order_by(Staff.username)))


def window_context(window) -> dict:
    """What the window's page shows of its clerks."""
    return {"hall_clerks": clerks_of_hall(window.hall),
            "assigned": {s.username for s in access.clerks_of(db.session, window)}}


def staff_context(person) -> dict:
    """What a person's page shows of their windows."""
    return {"assignable": person.has_role(Role.CLERK),
            "hall_windows": person.hall.windows,
            "their_windows": {w.no for w in access.windows_of(db.session, person)}}


@bp.post("/halls/<hall>/windows/<int:no>/clerks")
@roles_required("admin")
def set_window_clerks(hall: str, no: int):
    found = managed_hall(hall)
    lookup.get_window(db.session, found.code, no)  # unknown: 404
    with refusals.flashed():
        assignments.set_window_clerks(db.session, found.code, no, request.form.getlist("clerks"),
                                      actor=current_user.actor)
        flash(_("The clerks of window %(window)s are saved.", window=no), "ok")
    return redirect(url_for("admin.window", hall=found.code, no=no, _anchor="clerks"))


@bp.post("/staff/<username>/windows")
@roles_required("admin")
def set_staff_windows(username: str):
    person = db.session.scalar(select(Staff).where(Staff.username == username))
    if person is None:
        abort(404)
    if not admin.administers(current_user.staff, person.hall):
        abort(403)
    with refusals.flashed():
        assignments.set_staff_windows(db.session, person.username,
                                      request.form.getlist("windows"), actor=current_user.actor)
        flash(_("The windows of %(username)s are saved.", username=person.username), "ok")
    return redirect(url_for("admin.staff", username=person.username, _anchor="windows"))
