"""The hall's door QR code of the day (远程取号): the manager prints it and hangs it at the
entrance; a visitor who queued from home scans it on arrival to be called. Its code changes
every day (``hall.remote.door_code``), so yesterday's print no longer works: print it each
morning."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

from hall import clock, printing
from remote.routes import door_url

from ..auth import roles_required, visible_hall

bp = Blueprint("door", __name__, url_prefix="/hall", template_folder="templates")


@bp.get("/<hall>/door")
@roles_required("manager")
def page(hall: str):
    """Today's door QR code of the manager's hall, to print."""
    found = visible_hall(hall)
    today = clock.local_date(clock.now(), found.timezone)
    base = current_app.config["PUBLIC_BASE_URL"] or request.host_url
    url = door_url(base, found.code, today, current_app.config["SECRET_KEY"])
    qr = printing.qr_svg(url, label=_("QR code: scan it when you arrive, to be called"))
    html = render_template("door/page.html", hall=found, day=today, url=url, qr=qr)
    return html, 200, {"Cache-Control": "no-store"}
