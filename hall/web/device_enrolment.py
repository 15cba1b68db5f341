"""Enrolling a browser as a device: the one-time link an administrator made for it
(/admin/devices), opened on the device itself.

Opening the link shows which device this browser is about to become; pressing the button
(a POST, so that a link preview or a scanner fetching the address does not use it up) sets the
long-lived device cookie and uses the link up. No sign-in: the link is the proof.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for

from hall import devices as registry
from hall.errors import EnrolmentInvalid

from . import devices
from .extensions import db, limiter

bp = Blueprint("device_enrolment", __name__, url_prefix="/devices")

# A code is 192 random bits: the limit only keeps a noisy client from costing queries.
limited = limiter.shared_limit(lambda: current_app.config["PUBLIC_RATE_LIMIT"],
                               scope="enrolment")


def start_page(device) -> str | None:
    """Where the device starts: its kiosk, its display, or its window's rating tablet."""
    hall = device.hall.code
    if device.kind == "kiosk":
        return url_for("kiosk.home", hall=hall)
    if device.kind == "display":
        return url_for("display.board", hall=hall)
    if device.window_no:
        return url_for("rating_device.show", hall=hall, window_no=device.window_no)
    return None


def _page(device, *, enrolled: bool = False, status: int = 200):
    html = render_template("devices/enrol.html", device=device, enrolled=enrolled,
                           start=start_page(device) if enrolled else None)
    return html, status, {"Cache-Control": "no-store"}


@bp.get("/enrol/<code>")
@limited
def page(code: str):
    device = registry.awaiting_enrolment(db.session, code)
    if device is None:
        raise EnrolmentInvalid()
    return _page(device)


@bp.post("/enrol/<code>")
@limited
def enrol(code: str):
    device, secret = registry.enrol(db.session, code, address=request.remote_addr or "")
    response = current_app.make_response(_page(device, enrolled=True))
    devices.set_cookie(response, secret)
    return response
