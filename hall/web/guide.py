"""The public service guide (办事指南, 服务承诺) of a hall: every item offered, with what to
bring, the steps, the time limit in working days, the fees and the windows. No sign-in;
Chinese first, English with ``?lang=en``; the same in JSON at /api/v1/halls/<hall>/guide."""
from __future__ import annotations

from flask import Blueprint, render_template

from hall import forms, lookup
from hall import guide as guides

from . import devices
from .extensions import db
from .files import send_stored

bp = Blueprint("guide", __name__, url_prefix="/guide")


@bp.get("/<hall>")
@devices.public_read
def page(hall: str):
    found = lookup.get_hall(db.session, hall)
    response = render_template("guide/page.html", hall=found,
                               entries=guides.guide(db.session, found))
    # Public and the same for everyone: a short cache is fine, an administrator's change
    # shows within a minute.
    return response, 200, {"Cache-Control": "public, max-age=60"}


@bp.get("/<hall>/<item>/forms/<int:file_id>")
@devices.public_read
def form_download(hall: str, item: str, file_id: int):
    """A blank form of the item, for anybody: public, sent as a download with the headers
    every stored file has (its own type, no sniffing, a sandbox)."""
    found = lookup.get_hall(db.session, hall)
    return send_stored(forms.public_form(db.session, found, item, file_id), attachment=True,
                       public=True)
