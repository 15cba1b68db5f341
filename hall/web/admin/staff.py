"""Administration of staff accounts: a hall's people, adding one, their roles and division,
deactivating and reactivating, and a new password. Passwords are never shown or logged."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hall import admin
from hall.models import Division, Role, Staff

from .. import refusals
from ..auth import roles_required
from ..extensions import db
from .common import bp, managed_hall

ROLES = [r.value for r in Role]


def _divisions(hall) -> list[Division]:
    return list(db.session.scalars(select(Division).where(Division.hall_id == hall.id)
                                   .order_by(Division.code)))


def _list_page(hall, values: dict | None = None, problem: str | None = None, status: int = 200):
    return render_template("admin/staff_list.html", hall=hall,
                           people=admin.staff_of(db.session, hall),
                           divisions=_divisions(hall), roles=ROLES, problem=problem,
                           values=values or {"roles": ["clerk"]}), status


@bp.get("/halls/<hall>/staff")
@roles_required("admin")
def staff_list(hall: str):
    return _list_page(managed_hall(hall))


@bp.post("/halls/<hall>/staff")
@roles_required("admin")
def create_staff(hall: str):
    found = managed_hall(hall)
    values: dict[str, Any] = {f: request.form.get(f, "") for f in ("username", "name", "division")}
    values["roles"] = request.form.getlist("roles")
    with refusals.form_again(lambda problem: _list_page(found, values, problem)):
        staff = admin.create_staff(db.session, found.code,
                                   password=request.form.get("password", ""),
                                   actor=current_user.actor, **values)
    flash(_("%(username)s can now sign in.", username=staff.username), "ok")
    return redirect(url_for("admin.staff", username=staff.username))


def _person(username: str) -> Staff:
    staff = db.session.scalar(select(Staff).where(Staff.username == username))
    if staff is None:
        abort(404)
    if not admin.administers(current_user.staff, staff.hall):
        abort(403)
    return staff


def _page(staff: Staff, values: dict | None = None, problem: str | None = None,
          status: int = 200):
    values = values or {"name": staff.name, "roles": sorted(staff.roles),
                        "division": staff.division.code if staff.division else ""}
    from .assignments import staff_context

    return render_template("admin/staff.html", hall=staff.hall, person=staff, values=values,
                           divisions=_divisions(staff.hall), roles=ROLES,
                           problem=problem, **staff_context(staff)), status


@bp.get("/staff/<username>")
@roles_required("admin")
def staff(username: str):
    return _page(_person(username))


@bp.post("/staff/<username>")
@roles_required("admin")
def save_staff(username: str):
    person = _person(username)
    values: dict[str, Any] = {f: request.form.get(f, "") for f in ("name", "division")}
    values["roles"] = request.form.getlist("roles")
    with refusals.form_again(lambda problem: _page(_person(username), values, problem)):
        admin.edit_staff(db.session, username, actor=current_user.actor, **values)
    flash(_("%(username)s saved.", username=person.username), "ok")
    return redirect(url_for("admin.staff", username=username))


@bp.post("/staff/<username>/active")
@roles_required("admin")
def set_active(username: str):
    _person(username)
    active = request.form.get("active") == "1"
    with refusals.form_again(lambda problem: _page(_person(username), problem=problem)):
        admin.set_staff_active(db.session, username, active=active, actor=current_user.actor)
    flash(_("%(username)s can sign in again.", username=username) if active else
          _("%(username)s is deactivated and can no longer sign in.", username=username), "ok")
    return redirect(url_for("admin.staff", username=username))


@bp.post("/staff/<username>/password")
@roles_required("admin")
def reset_password(username: str):
    _person(username)
    password = request.form.get("password", "")
    if password != request.form.get("confirm", ""):
        return _page(_person(username), status=422,
                     problem=_("The two passwords differ; nothing was changed."))
    with refusals.form_again(lambda problem: _page(_person(username), problem=problem)):
        admin.reset_password(db.session, username, password=password, actor=current_user.actor)
    flash(_("New password set for %(username)s; tell it to them in person.",
            username=username), "ok")
    return redirect(url_for("admin.staff", username=username))
