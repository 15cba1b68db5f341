"""Booking, step by step: the hall, the item, the day and slot, the person; then to the
booking's own page (``booking/manage.py``), which this browser may open without the code."""
from __future__ import annotations

from flask import make_response, redirect, render_template, request, url_for

from hall import booking_offer, bookings, lookup, slots
from hall.booking_errors import InvalidBookingField, NotBookable
from hall.errors import HallError, InvalidIdNumber
from hall.web.extensions import db
from hall.web.problems import translate

from . import bp
from .common import booking_limited, public_read, remember

FIELD_MAX = 64  # what the form keeps of a field to show it again; the domain checks the rest


@bp.get("")
@public_read
def halls():
    """Which hall: every hall of the network, each a link to its items."""
    return render_template("booking/halls.html", halls=booking_offer.halls(db.session))


@bp.get("/<hall>")
@public_read
def services(hall: str):
    """The hall's items that take bookings."""
    found = lookup.get_hall(db.session, hall)
    return render_template("booking/services.html", hall=found,
                           services=booking_offer.bookable_services(db.session, found))


def _offer(hall: str, service: str):
    """The hall and item of the address, refused as the hall refuses when not bookable."""
    found = lookup.get_hall(db.session, hall)
    item = lookup.get_service(db.session, found, service)
    if not slots.bookable(db.session, item, slots.rules_of(db.session, found)):
        raise NotBookable(service=item.name_zh)
    return found, item


def chosen_day(days: list[booking_offer.Day]) -> booking_offer.Day | None:
    """The day asked for (``?day=``), else the first with a free place, else the first."""
    asked = request.args.get("day", "")
    for day in days:
        if day.day.isoformat() == asked:
            return day
    return next((d for d in days if d.free), days[0] if days else None)


@bp.get("/<hall>/s/<service>")
@public_read
def slots_page(hall: str, service: str):
    """The item's next open days, and the chosen day's slots with their free places."""
    found, item = _offer(hall, service)
    days = booking_offer.days(db.session, found, item)
    return render_template(
        "booking/slots.html", hall=found, service=item, days=days, day=chosen_day(days),
        day_link=lambda d: url_for("booking.slots_page", hall=found.code, service=item.code,
                                   day=d.isoformat()))


def _slot_of(found, item, raw: str | None) -> slots.Slot | None:
    """The offered slot starting at ``raw``, with its places now (None: not offered)."""
    at = booking_offer.slot_start(raw, found)
    if at is None:
        return None
    return next((s for d in booking_offer.days(db.session, found, item) for s in d.slots
                 if s.start == at), None)


def _form(found, item, slot, *, values: dict | None = None, error: str | None = None,
          field: str | None = None, status: int = 200):
    return make_response(render_template(
        "booking/form.html", hall=found, service=item, slot=slot, values=values or {},
        error=error, field=field, start=request.values.get("start", "")[:FIELD_MAX]), status)


@bp.get("/<hall>/s/<service>/book")
@public_read
def form(hall: str, service: str):
    """The person's form for one slot (a full or past slot says so and offers the others)."""
    found, item = _offer(hall, service)
    return _form(found, item, _slot_of(found, item, request.args.get("start")))


@bp.post("/<hall>/s/<service>/book")
@booking_limited
def book(hall: str, service: str):
    """Book the slot; then to the booking's page, which only this browser opens without the
    access code."""
    found, item = _offer(hall, service)
    raw = {k: request.form.get(k, "") for k in ("name", "phone", "id_number")}
    start = booking_offer.slot_start(request.form.get("start"), found)
    try:
        made = bookings.book(db.session, found.code, item.code, start, name=raw["name"],
                             phone=raw["phone"], id_number=raw["id_number"] or None)
    except HallError as error:
        field = (error.field if isinstance(error, InvalidBookingField) else
                 "id_number" if isinstance(error, InvalidIdNumber) else None)
        kept = {k: v[:FIELD_MAX] for k, v in raw.items()}
        return _form(found, item, _slot_of(found, item, request.form.get("start")), values=kept,
                     error=translate(error), field=field, status=error.status)
    remember(made)
    return redirect(url_for("booking.show", hall=found.code, booking_code=made.booking_code,
                            made=1), 303)
