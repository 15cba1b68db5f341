"""The notifications that need a manager's look: those of the hall that failed after every
try, and those still not sent NOTIFY_STUCK_MINUTES after they were written (a gateway down, a
sender not running). Each with its tries and the gateway's last error, and "send again"
(``hall.outbox.retry``: a manager of this hall only, audited).

Recipients are shown masked: enough to tell two apart and to recognise a number the visitor
reads out, not a list of the hall's visitors' mobile numbers.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hall import clock, kinds, outbox, privacy

from .. import refusals
from ..auth import roles_required, visible_hall
from ..extensions import db

bp = Blueprint("notifications", __name__, url_prefix="/hall", template_folder="templates")


def shown_recipient(recipient: str) -> str:
    return recipient if "@" in recipient else privacy.mask_phone(recipient)


@bp.get("/<hall>/notifications")
@roles_required("manager")
def index(hall: str):
    found = visible_hall(hall)
    stuck = timedelta(minutes=current_app.config["NOTIFY_STUCK_MINUTES"])
    rows = outbox.attention(db.session, found.id, clock.now(), stuck)
    response = Response(render_template(
        "notifications/index.html", hall=found, rows=rows,
        attempts=outbox.attempts_of(db.session, [r.id for r in rows]),
        stuck_minutes=current_app.config["NOTIFY_STUCK_MINUTES"],
        name_of=kinds.notice_name, statuses=kinds.NOTIFICATION_STATUSES,
        recipient=shown_recipient))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<hall>/notifications/<int:notification_id>/retry")
@roles_required("manager")
def retry(hall: str, notification_id: int):
    visible_hall(hall)  # another hall's manager: 403, before anything is looked up
    with refusals.flashed():
        outbox.retry(db.session, notification_id, actor=current_user.actor,
                     hall_code=hall)
        flash(_("The notification will be sent again."), "ok")
    return redirect(url_for("notifications.index", hall=hall))
