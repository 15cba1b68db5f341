"""Follow-ups of poor ratings: the manager's list, and closing one with a note."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hall import ratings
from hall.errors import HallError
from hall.models import Rating, Ticket

from .auth import roles_required, visible_hall
from .extensions import db
from .problems import translate

bp = Blueprint("followups", __name__, url_prefix="/hall")


@bp.get("/<hall>/followups")
@roles_required("manager")
def index(hall: str):
    """Open follow-ups first, by deadline; the last closed ones below."""
    found = visible_hall(hall)
    rows = db.session.execute(
        select(Rating, Ticket.number, Ticket.service_no)
        .join(Ticket, Ticket.id == Rating.ticket_id)
        .where(Rating.hall_id == found.id, Rating.followup != "none")
        .order_by((Rating.followup == "closed"), Rating.followup_due_at)
        .limit(200)
    ).all()
    return render_template("followups/index.html", hall=found, rows=rows,
                           levels=ratings.LEVELS)


@bp.post("/<hall>/followups/<int:rating_id>/close")
@roles_required("manager")
def close(hall: str, rating_id: int):
    visible_hall(hall)  # another hall's manager: 403, before anything is looked up
    try:
        ratings.close_followup(db.session, rating_id, note=request.form.get("note", ""),
                               actor=current_user.actor)
        flash(_("Follow-up closed."), "ok")
    except HallError as error:
        flash(translate(error), "refused")
    return redirect(url_for("followups.index", hall=hall))
