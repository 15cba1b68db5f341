"""Administration of halls, their windows (and the items each may serve) and divisions.

Each form posts to the domain; a refusal shows the page again with the message and what was
typed (422), a success redirects with a message.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hall import admin
from hall.errors import HallError
from hall.models import Division, ServiceItem, Window

from .. import refusals
from ..auth import roles_required
from ..extensions import db
from .common import bp, managed_hall, problem_page

HALL_FIELDS = ("name_zh", "name_en", "level", "parent", "address_zh", "address_en", "phone",
               "notice_unit")


def _hall_values(hall) -> dict:
    return {"name_zh": hall.name_zh, "name_en": hall.name_en, "level": hall.level,
            "parent": hall.parent.code if hall.parent else "", "address_zh": hall.address_zh or "",
            "address_en": hall.address_en or "", "phone": hall.phone or "",
            "notice_unit": hall.notice_unit}


def _form(*fields: str) -> dict:
    return {f: request.form.get(f, "") for f in fields}


# -- halls ---------------------------------------------------------------------------------------

def _halls_page(**context):
    staff = current_user.staff
    context.setdefault("values", {"level": "city", "timezone": "Asia/Shanghai",
                                  "parent": staff.hall.code})
    return render_template("admin/halls.html", hall=staff.hall,
                           halls=admin.halls_administered(db.session, staff),
                           may_create_hall=admin.administers(staff, None), **context)


@bp.get("/halls")
@roles_required("admin")
def halls():
    return _halls_page()


@bp.post("/halls")
@roles_required("admin")
def create_hall():
    """A new hall (provincial administrators only): code, node number and zone are final."""
    if not admin.administers(current_user.staff, None):
        abort(403)
    values = _form("code", "node_no", "timezone", *HALL_FIELDS)
    with refusals.form_again(lambda problem: _halls_page(problem=problem, values=values)):
        hall = admin.create_hall(db.session, code=values["code"], node_no=values["node_no"],
                                 timezone_name=values["timezone"].strip() or "Asia/Shanghai",
                                 actor=current_user.actor,
                                 **{f: values[f] for f in HALL_FIELDS})
    flash(_("Hall %(hall)s created.", hall=hall.code), "ok")
    return redirect(url_for("admin.edit_hall", hall=hall.code))


def _hall_page(hall, **context):
    context.setdefault("values", _hall_values(hall))
    return render_template("admin/hall.html", hall=hall,
                           halls=admin.halls_administered(db.session, current_user.staff),
                           **context)


@bp.get("/halls/<hall>")
@roles_required("admin")
def edit_hall(hall: str):
    return _hall_page(managed_hall(hall))


@bp.post("/halls/<hall>")
@roles_required("admin")
def save_hall(hall: str):
    found = managed_hall(hall)
    values = _form(*HALL_FIELDS)
    def refused(error: HallError):
        db.session.refresh(found)
        return problem_page("admin/hall.html", error, hall=found, values=values,
                            halls=admin.halls_administered(db.session, current_user.staff))

    with refusals.answered_by(refused):
        admin.edit_hall(db.session, found.code, actor=current_user.actor, **values)
    flash(_("Hall %(hall)s saved.", hall=found.code), "ok")
    return redirect(url_for("admin.edit_hall", hall=found.code))


# -- windows -------------------------------------------------------------------------------------

def _items(hall) -> list[ServiceItem]:
    return list(db.session.scalars(select(ServiceItem).where(ServiceItem.hall_id == hall.id)
                                   .order_by(ServiceItem.sort_order, ServiceItem.code)))


def _windows_page(hall, **context):
    context.setdefault("values", {"no": (max((w.no for w in hall.windows), default=0) + 1)})
    context.setdefault("chosen", set())
    return render_template("admin/windows.html", hall=hall, windows=hall.windows,
                           items=_items(hall), **context)


@bp.get("/halls/<hall>/windows")
@roles_required("admin")
def windows(hall: str):
    return _windows_page(managed_hall(hall))


@bp.post("/halls/<hall>/windows")
@roles_required("admin")
def add_window(hall: str):
    found = managed_hall(hall)
    values = _form("no", "name_zh", "name_en")
    services = request.form.getlist("services")
    with refusals.form_again(lambda problem: _windows_page(found, problem=problem, values=values,
                                                         chosen=set(services))):
        window = admin.add_window(db.session, found.code, no=values["no"],
                                  name_zh=values["name_zh"], name_en=values["name_en"],
                                  services=services, actor=current_user.actor)
    flash(_("Window %(window)s added.", window=window.no), "ok")
    return redirect(url_for("admin.window", hall=found.code, no=window.no))


def _window_or_404(hall, no: int) -> Window:
    window = db.session.scalar(select(Window).where(Window.hall_id == hall.id, Window.no == no))
    if window is None:
        abort(404)
    return window


def _window_page(hall, window, **context):
    context.setdefault("values", {"name_zh": window.name_zh or "", "name_en": window.name_en or ""})
    context.setdefault("chosen", {i.code for i in window.services})
    from .assignments import window_context

    return render_template("admin/window.html", hall=hall, window=window, items=_items(hall),
                           **window_context(window), **context)


@bp.get("/halls/<hall>/windows/<int:no>")
@roles_required("admin")
def window(hall: str, no: int):
    found = managed_hall(hall)
    return _window_page(found, _window_or_404(found, no))


@bp.post("/halls/<hall>/windows/<int:no>")
@roles_required("admin")
def save_window(hall: str, no: int):
    """The window's names and the items it serves, in one form."""
    found = managed_hall(hall)
    window = _window_or_404(found, no)
    values = _form("name_zh", "name_en")
    services = request.form.getlist("services")
    if not services:
        return _window_page(found, window, values=values, chosen=set(), problem=_(
            "Choose at least one item, or take the window out of service.")), 422
    with refusals.form_again(lambda problem: _window_page(
            found, _window_or_404(found, no), problem=problem, values=values,
            chosen=set(services))):
        admin.edit_window(db.session, found.code, no, services=services,
                          actor=current_user.actor, **values)
    flash(_("Window %(window)s saved.", window=no), "ok")
    return redirect(url_for("admin.window", hall=found.code, no=no))


@bp.post("/halls/<hall>/windows/<int:no>/disable")
@roles_required("admin")
def disable_window(hall: str, no: int):
    """Out of service: the window serves no item, so nobody can be called there."""
    found = managed_hall(hall)
    window = _window_or_404(found, no)
    with refusals.form_again(lambda problem: _window_page(found, window, problem=problem)):
        admin.set_window_services(db.session, found.code, no, [], actor=current_user.actor)
    flash(_("Window %(window)s is out of service.", window=no), "ok")
    return redirect(url_for("admin.window", hall=found.code, no=no))


# -- divisions -----------------------------------------------------------------------------------

def _divisions(hall) -> list[Division]:
    return list(db.session.scalars(select(Division).where(Division.hall_id == hall.id)
                                   .order_by(Division.code)))


@bp.get("/halls/<hall>/divisions")
@roles_required("admin")
def divisions(hall: str):
    found = managed_hall(hall)
    return render_template("admin/divisions.html", hall=found, divisions=_divisions(found),
                           values={})


@bp.post("/halls/<hall>/divisions")
@roles_required("admin")
def create_division(hall: str):
    found = managed_hall(hall)
    values = _form("code", "name_zh", "name_en", "phone")
    with refusals.answered_by(lambda error: problem_page(
            "admin/divisions.html", error, hall=found, divisions=_divisions(found),
            values=values)):
        division = admin.create_division(db.session, found.code, actor=current_user.actor,
                                         **values)
    flash(_("Division %(division)s created.", division=division.name_zh), "ok")
    return redirect(url_for("admin.divisions", hall=found.code))


@bp.get("/halls/<hall>/divisions/<code>")
@roles_required("admin")
def division(hall: str, code: str):
    found = managed_hall(hall)
    row = next((d for d in _divisions(found) if d.code == code), None) or abort(404)
    return render_template("admin/division.html", hall=found, division=row,
                           values={"name_zh": row.name_zh, "name_en": row.name_en,
                                   "phone": row.phone or ""})


@bp.post("/halls/<hall>/divisions/<code>")
@roles_required("admin")
def save_division(hall: str, code: str):
    found = managed_hall(hall)
    values = _form("name_zh", "name_en", "phone")
    def refused(error: HallError):
        db.session.rollback()
        row = next((d for d in _divisions(found) if d.code == code), None) or abort(404)
        return problem_page("admin/division.html", error, hall=found, division=row,
                            values=values)

    with refusals.answered_by(refused):
        admin.edit_division(db.session, found.code, code, actor=current_user.actor, **values)
    flash(_("Division %(division)s saved.", division=code), "ok")
    return redirect(url_for("admin.divisions", hall=found.code))
