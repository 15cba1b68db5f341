"""Administration of devices (/admin/devices): the kiosks, wall displays and rating tablets of
the halls an administrator runs; registering one (its token shown once), a one-time enrolment
link with its QR code for a browser device, hours of use, locking and revoking.

Secrets are shown on the page that made them, never again, and never kept in the session;
such a page is not cached. Every change is a CSRF-checked POST and an audited event.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hall import admin, devices, printing
from hall.errors import InvalidDevice
from hall.models import Device

from .. import refusals
from ..auth import roles_required
from ..extensions import db
from .common import bp


def _halls():
    return admin.halls_administered(db.session, current_user.staff)


def _list_page(values: dict | None = None, problem: str | None = None, status: int = 200):
    halls = _halls()
    chosen = request.args.get("hall", "")
    shown = [h for h in halls if not chosen or h.code == chosen]
    return render_template(
        "admin/devices.html", hall=current_user.hall, halls=halls, chosen=chosen,
        devices=devices.devices_of(db.session, shown), problem=problem,
        values=values or {"hall": current_user.hall.code, "kind": "kiosk"}), status


@bp.get("/devices")
@roles_required("admin")
def devices_page():
    return _list_page()


@bp.post("/devices")
@roles_required("admin")
def register_device():
    values = {f: request.form.get(f, "").strip() for f in ("hall", "kind", "name", "hours",
                                                            "window")}
    window = values["window"]
    with refusals.form_again(lambda problem: _list_page(values, problem)):
        if window and not window.isdigit():
            raise InvalidDevice("window")
        device, token = devices.register(db.session, values["hall"], kind=values["kind"],
                                         name=values["name"], hours=values["hours"],
                                         window_no=int(window) if window else None,
                                         actor=current_user.actor)
    return _device_page(device, token=token)


def _device(device_id: int) -> Device:
    device = db.session.get(Device, device_id)
    if device is None:
        abort(404)
    if not admin.administers(current_user.staff, device.hall):
        abort(403)
    return device


def enrolment_url(code: str) -> str:
    base = current_app.config["PUBLIC_BASE_URL"] or request.host_url.rstrip("/")
    return base + url_for("device_enrolment.page", code=code)


def _device_page(device: Device, *, token: str | None = None, link: str | None = None,
                 problem: str | None = None, status: int = 200):
    html = render_template(
        "admin/device.html", hall=device.hall, device=device, token=token, link=link,
        qr=printing.qr_svg(link) if link else None, problem=problem,
        hours=devices.hours_text(device))
    return html, status, {"Cache-Control": "no-store"}


@bp.get("/devices/<int:device_id>")
@roles_required("admin")
def device_page(device_id: int):
    return _device_page(_device(device_id))


def _move(device_id: int, move, done: str, **kwargs):
    """Apply one move to the device; back to its page with a message, or the refusal."""
    device = _device(device_id)
    with refusals.form_again(lambda problem: _device_page(_device(device_id), problem=problem)):
        move(db.session, device.id, actor=current_user.actor, **kwargs)
    flash(done, "ok")
    return redirect(url_for("admin.device_page", device_id=device.id))


@bp.post("/devices/<int:device_id>/lock")
@roles_required("admin")
def lock_device(device_id: int):
    return _move(device_id, devices.set_locked, _("The device is locked."), locked=True)


@bp.post("/devices/<int:device_id>/unlock")
@roles_required("admin")
def unlock_device(device_id: int):
    return _move(device_id, devices.set_locked, _("The device is unlocked."), locked=False)


@bp.post("/devices/<int:device_id>/revoke")
@roles_required("admin")
def revoke_device(device_id: int):
    return _move(device_id, devices.revoke, _("The device is revoked."))


@bp.post("/devices/<int:device_id>/hours")
@roles_required("admin")
def device_hours(device_id: int):
    device = _device(device_id)
    with refusals.form_again(lambda problem: _device_page(_device(device_id), problem=problem)):
        devices.set_hours(db.session, device.id, request.form.get("hours", ""),
                          actor=current_user.actor)
    flash(_("The hours of use are saved."), "ok")
    return redirect(url_for("admin.device_page", device_id=device.id))


@bp.post("/devices/<int:device_id>/enrolment")
@roles_required("admin")
def enrolment_link(device_id: int):
    """A one-time link (and its QR code) to open on the device's browser: shown here, once."""
    device = _device(device_id)
    with refusals.form_again(lambda problem: _device_page(_device(device_id), problem=problem)):
        device, code = devices.open_enrolment(
            db.session, device.id, hours=current_app.config["DEVICE_ENROL_HOURS"],
            actor=current_user.actor)
    return _device_page(device, link=enrolment_url(code))
