"""Questions, complaints and reports (administrators, issue 15): a hall's time limits per kind
(to respond, to conclude, in working or calendar days, and the one extension a manager may
grant), and the topics one may write about, each with the division that answers it. Each change
is one operation of ``hall.enquiry_admin``, audited; a changed limit applies to enquiries sent
from then on."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hall import enquiry_admin, kinds
from hall import enquiry_deadlines as limits
from hall.models import Division
from hall.models.enquiries import KINDS, UNITS

from .. import refusals
from ..auth import roles_required
from ..extensions import db
from .common import bp, managed_hall


def _page(hall, *, rule_kind: str | None = None, rule_values: dict | None = None,
          rule_problem: str | None = None, topic_values: dict | None = None,
          topic_problem: str | None = None):
    rules = limits.rules_of(db.session, hall.id)
    shown = {k: {**vars(enquiry_admin.values_of(rules[k])),
                 **(rule_values if k == rule_kind and rule_values else {})} for k in KINDS}
    divisions = db.session.scalars(select(Division).where(Division.hall_id == hall.id)
                                   .order_by(Division.code)).all()
    return render_template(
        "admin/enquiries.html", hall=hall, kinds=KINDS, units=UNITS, rules=shown,
        rule_kind=rule_kind, rule_problem=rule_problem, kind_names=kinds.ENQUIRY_KIND_NAMES,
        unit_names=kinds.DAY_UNITS, ranges=limits.RANGES,
        topics=enquiry_admin.topics(db.session, hall.id), divisions=divisions,
        topic_values=topic_values or {}, topic_problem=topic_problem)


@bp.get("/halls/<hall>/enquiries")
@roles_required("admin")
def enquiries_page(hall: str):
    return _page(managed_hall(hall))


@bp.post("/halls/<hall>/enquiries/rules/<kind>")
@roles_required("admin")
def save_enquiry_rule(hall: str, kind: str):
    """One kind's time limits; a field the form does not send stays as it is."""
    found = managed_hall(hall)
    values = {name: request.form[name].strip()[:12] for name in enquiry_admin.FIELDS
              if name in request.form}
    with refusals.form_again(lambda problem: _page(found, rule_kind=kind, rule_values=values,
                                                   rule_problem=problem)):
        changed = enquiry_admin.set_rule(db.session, found.code, kind, values,
                                         actor=current_user.actor)
    flash(_("Time limits saved; they apply to what is sent from now on.") if changed
          else _("Nothing was changed."), "ok")
    return redirect(url_for("admin.enquiries_page", hall=found.code, _anchor=f"rule-{kind}"))


@bp.post("/halls/<hall>/enquiries/topics")
@roles_required("admin")
def save_enquiry_topic(hall: str):
    """Add a topic, or change one (by its code)."""
    found = managed_hall(hall)
    form = request.form
    code, division = form.get("code", "").strip()[:16], form.get("division", "")[:16]
    name_zh, name_en = form.get("name_zh", "")[:80], form.get("name_en", "")[:160]
    chosen = [k for k in form.getlist("kinds") if k in KINDS]
    active, order = form.get("active") == "1", form.get("sort_order", "0").strip()[:6]
    values = {"code": code, "name_zh": name_zh, "name_en": name_en, "division": division,
              "kinds": chosen, "active": active, "sort_order": order}
    with refusals.form_again(lambda problem: _page(found, topic_values=values,
                                                   topic_problem=problem)):
        enquiry_admin.set_topic(db.session, found.code, code, name_zh=name_zh,
                                name_en=name_en, division=division, kinds=chosen,
                                active=active, sort_order=int(order) if order.isdigit() else 0,
                                actor=current_user.actor)
    flash(_("Topic %(code)s saved.", code=code.upper()), "ok")
    return redirect(url_for("admin.enquiries_page", hall=found.code, _anchor="topics"))
