"""How a hall takes bookings (administrators): its rules, each item's places per slot (by
hand, computed from the windows, or closed to booking), the places that result now, the slots
over-full after a change, and the next open days' slots with the places taken. Each change is
one domain operation (``hall.booking_admin``), audited."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hall import booking_admin, slots
from hall.lookup import get_service

from .. import refusals
from ..auth import roles_required
from ..extensions import db
from .common import bp, managed_hall


def _grid(item: booking_admin.ItemPlaces) -> tuple[list, list, dict]:
    """The item's coming slots as a table: its days, the times of day, and each cell."""
    days = sorted({s.start.date() for s in item.slots})
    times = sorted({s.start.time() for s in item.slots})
    cells = {(s.start.date(), s.start.time()): s for s in item.slots}
    return days, times, cells


def _page(hall, *, rules_values: dict | None = None, rules_problem: str | None = None,
          places_values: dict | None = None, places_problem: str | None = None):
    listed = booking_admin.items(db.session, hall)
    wanted = request.args.get("item", "")[:16]
    chosen = next((i for i in listed if i.service.code == wanted), None) or next(
        (i for i in listed if i.places > 0), listed[0] if listed else None)
    rules = slots.rules_of(db.session, hall)
    rules_values = {**{name: str(getattr(rules, name)) for name in booking_admin.RULES},
                    **(rules_values or {})}
    days, times, cells = _grid(chosen) if chosen else ([], [], {})
    html = render_template(
        "admin/booking.html", hall=hall, items=listed, chosen=chosen, days=days, times=times,
        cells=cells, rules_values=rules_values, rules_problem=rules_problem,
        rule_names=booking_admin.RULES, places_values=places_values or {},
        places_problem=places_problem, overfull=[i for i in listed if i.overfull],
        modes=(booking_admin.COMPUTED, booking_admin.BY_HAND, booking_admin.CLOSED))
    return html


@bp.get("/halls/<hall>/booking")
@roles_required("admin")
def booking_page(hall: str):
    return _page(managed_hall(hall))


@bp.post("/halls/<hall>/booking")
@roles_required("admin")
def save_booking_rules(hall: str):
    """The hall's booking rules; one the form does not send (a page loaded before it had
    the field) stays as it is."""
    found = managed_hall(hall)
    values = {name: request.form[name].strip()[:12] for name in booking_admin.RULES
              if name in request.form}
    with refusals.form_again(lambda problem: _page(found, rules_values=values,
                                                   rules_problem=problem)):
        changed = booking_admin.set_rules(db.session, found.code, values,
                                          actor=current_user.actor)
    flash(_("Booking rules of %(hall)s saved.", hall=found.code) if changed
          else _("Nothing was changed."), "ok")
    return redirect(url_for("admin.booking_page", hall=found.code))


@bp.post("/halls/<hall>/booking/<service>")
@roles_required("admin")
def save_places(hall: str, service: str):
    """One item's places per slot."""
    found = managed_hall(hall)
    item = get_service(db.session, found, service)
    values = {"service": item.code, "mode": request.form.get("mode", "")[:16],
              "places": request.form.get("places", "").strip()[:12]}
    with refusals.form_again(lambda problem: _page(found, places_values=values,
                                                   places_problem=problem)):
        changed = booking_admin.set_places(db.session, found.code, item.code, values["mode"],
                                           values["places"], actor=current_user.actor)
    flash(_("Places of %(item)s saved.", item=item.code) if changed
          else _("Nothing was changed."), "ok")
    return redirect(url_for("admin.booking_page", hall=found.code, item=item.code,
                            _anchor="booking-items"))
