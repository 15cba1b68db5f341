"""Administration of the catalogue: each service item, its guide (documents, procedure, fees,
legal basis) and its time limits. A new time limit applies to cases accepted from then on."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hall import admin, forms
from hall.models import Division, ServiceItem

from .. import refusals
from ..auth import roles_required
from ..extensions import db
from ..files import accepts_uploads, read_upload
from .common import bp, managed_hall

TEXT_FIELDS = ("prefix", "name_zh", "name_en", "division", "time_limit_days",
               "legal_limit_days", "standard_minutes", "documents", "procedure", "fees_zh",
               "fees_en", "legal_basis_zh", "legal_basis_en", "sort_order")


def _values(item: ServiceItem) -> dict:
    """The item as its form shows it: guide lines as ``中文 | English`` text."""
    return {"code": item.code, "prefix": item.prefix, "name_zh": item.name_zh,
            "name_en": item.name_en, "division": item.division.code if item.division else "",
            "time_limit_days": item.time_limit_days, "legal_limit_days": item.legal_limit_days,
            "standard_minutes": item.standard_minutes,
            "documents": admin.guide_text(item.documents),
            "procedure": admin.guide_text(item.procedure), "fees_zh": item.fees_zh,
            "fees_en": item.fees_en, "legal_basis_zh": item.legal_basis_zh or "",
            "legal_basis_en": item.legal_basis_en or "", "sort_order": item.sort_order,
            "active": item.active, "results_public": item.results_public,
            "apply_online": item.apply_online}


def _submitted() -> tuple[dict, dict]:
    """What was typed (to show again) and the same as the domain takes it."""
    values: dict[str, Any] = {f: request.form.get(f, "") for f in ("code", *TEXT_FIELDS)}
    values["active"] = request.form.get("active") == "on"
    values["results_public"] = request.form.get("results_public") == "on"
    values["apply_online"] = request.form.get("apply_online") == "on"
    fields: dict[str, Any] = {f: values[f] for f in TEXT_FIELDS}
    fields.update(active=values["active"], results_public=values["results_public"],
                  apply_online=values["apply_online"],
                  documents=admin.guide_lines(values["documents"]),
                  procedure=admin.guide_lines(values["procedure"]))
    return values, fields


def _page(hall, item: ServiceItem | None, values: dict, problem: str | None = None,
          status: int = 200, *, form_problem: str | None = None, form_label: str = ""):
    divisions = list(db.session.scalars(select(Division).where(Division.hall_id == hall.id)
                                        .order_by(Division.code)))
    return render_template("admin/service.html", hall=hall, item=item, values=values,
                           divisions=divisions, prefixes=admin.PREFIXES, problem=problem,
                           max_limit=admin.MAX_LIMIT_DAYS,
                           forms=forms.forms_of(db.session, item) if item else [],
                           form_problem=form_problem, form_label=form_label), status


def _item_or_404(hall, code: str) -> ServiceItem:
    item = db.session.scalar(select(ServiceItem).where(ServiceItem.hall_id == hall.id,
                                                       ServiceItem.code == code))
    if item is None:
        abort(404)
    return item


@bp.get("/halls/<hall>/services")
@roles_required("admin")
def services(hall: str):
    found = managed_hall(hall)
    items = list(db.session.scalars(select(ServiceItem).where(ServiceItem.hall_id == found.id)
                                    .order_by(ServiceItem.sort_order, ServiceItem.code)))
    return render_template("admin/services.html", hall=found, items=items)


@bp.get("/halls/<hall>/services/new")
@roles_required("admin")
def new_service(hall: str):
    return _page(managed_hall(hall), None, {"time_limit_days": 0, "standard_minutes": 10,
                                           "active": True, "fees_zh": "不收费",
                                           "fees_en": "Free of charge"})


@bp.post("/halls/<hall>/services/new")
@roles_required("admin")
def create_service(hall: str):
    found = managed_hall(hall)
    values, fields = _submitted()
    with refusals.form_again(lambda problem: _page(found, None, values, problem)):
        item = admin.create_service(db.session, found.code, code=values["code"],
                                    actor=current_user.actor, **fields)
    flash(_("Service item %(service)s created. Give it a window to be served.",
            service=item.code), "ok")
    return redirect(url_for("admin.service", hall=found.code, code=item.code))


@bp.get("/halls/<hall>/services/<code>")
@roles_required("admin")
def service(hall: str, code: str):
    found = managed_hall(hall)
    item = _item_or_404(found, code)
    return _page(found, item, _values(item))


@bp.post("/halls/<hall>/services/<code>")
@roles_required("admin")
def save_service(hall: str, code: str):
    """Save the item and its guide; cases already accepted keep their time limit."""
    found = managed_hall(hall)
    _item_or_404(found, code)
    values, fields = _submitted()
    values["code"] = code
    with refusals.form_again(lambda problem: _page(found, _item_or_404(found, code), values,
                                                  problem)):
        admin.edit_service(db.session, found.code, code, actor=current_user.actor, **fields)
    flash(_("Service item %(service)s saved.", service=code), "ok")
    return redirect(url_for("admin.service", hall=found.code, code=code))


# -- blank forms of the item (表格下载, issue 15) ---------------------------------------------

@bp.post("/halls/<hall>/services/<code>/forms")
@roles_required("admin")
@accepts_uploads
def add_form(hall: str, code: str):
    """Upload a blank form (a PDF) for the item's guide; audited."""
    found = managed_hall(hall)
    item = _item_or_404(found, code)
    label = request.form.get("label", "")

    def again(problem: str):
        return _page(found, item, _values(item), form_problem=problem, form_label=label)

    with refusals.form_again(again):
        filename, data = read_upload(request.files.get("file"))
        form = forms.add_form(db.session, found.code, code, label=label, filename=filename,
                              data=data, actor=current_user.actor)
    flash(_("The form %(label)s is offered in the guide.", label=form.label), "ok")
    return redirect(url_for("admin.service", hall=found.code, code=code) + "#forms")


@bp.post("/halls/<hall>/services/<code>/forms/<int:file_id>/remove")
@roles_required("admin")
def remove_form(hall: str, code: str, file_id: int):
    """Take a blank form off the guide; audited."""
    found = managed_hall(hall)
    _item_or_404(found, code)
    with refusals.flashed():
        form = forms.remove_form(db.session, found.code, file_id, actor=current_user.actor)
        flash(_("The form %(label)s was removed from the guide.", label=form.label), "ok")
    return redirect(url_for("admin.service", hall=found.code, code=code) + "#forms")
