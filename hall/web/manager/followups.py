"""Follow-ups of poor ratings: the manager's list, and closing one with a note.

Each line has what the call-back needs: the case or visit it is about (linked), the
applicant's telephone when they gave one (staff only; the public pages mask it), and how the
follow-up stands against its 15 working days.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from hall import ratings
from hall.models import Case, Rating, Ticket

from .. import refusals
from ..auth import roles_required, visible_hall
from ..extensions import db

bp = Blueprint("followups", __name__, url_prefix="/hall", template_folder="templates")


def _rows(hall_id: int):
    """Open follow-ups first, by deadline, then the last closed ones; each with its visit,
    its case if any, and a telephone to call back (the case's, else any case of the visit)."""
    other = aliased(Case)
    phone_of_visit = (select(func.max(other.applicant_phone))
                      .where(other.ticket_id == Ticket.id).scalar_subquery())
    return db.session.execute(
        select(Rating, Ticket, Case, func.coalesce(Case.applicant_phone, phone_of_visit))
        .join(Ticket, Ticket.id == Rating.ticket_id)
        .outerjoin(Case, Case.id == Rating.case_id)
        .where(Rating.hall_id == hall_id, Rating.followup != "none")
        .order_by((Rating.followup == "closed"), Rating.followup_due_at)
        .limit(200)
    ).all()


@bp.get("/<hall>/followups")
@roles_required("manager")
def index(hall: str):
    """Open follow-ups first, by deadline; the last closed ones below."""
    found = visible_hall(hall)
    return render_template("followups/index.html", hall=found, rows=_rows(found.id),
                           levels=ratings.LEVELS)


@bp.post("/<hall>/followups/<int:rating_id>/close")
@roles_required("manager")
def close(hall: str, rating_id: int):
    visible_hall(hall)  # another hall's manager: 403, before anything is looked up
    with refusals.flashed():
        ratings.close_followup(db.session, rating_id, note=request.form.get("note", ""),
                               actor=current_user.actor)
        flash(_("Follow-up closed."), "ok")
    return redirect(url_for("followups.index", hall=hall))
