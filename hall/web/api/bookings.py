"""Appointments over the API (SPEC §7): the free slots, booking, looking a booking up,
cancelling it, and checking in at the kiosk."""
from __future__ import annotations

from datetime import date

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from hall import bookings, checkin, slots
from hall.events import KIOSK
from hall.lookup import get_hall, get_service
from hall.models import Booking

from .. import devices
from ..access_codes import booking_guard
from ..extensions import db
from ..limits import per_address
from ..problems import problem
from .common import bp, parse_body
from .schemas import BookingRequest, CheckInRequest, MoveBookingRequest
from .tickets import ticket_json, track_url

booking_limited = per_address("BOOKING_RATE_LIMIT", scope="booking")
MAX_DAYS = 60


def booking_json(booking: Booking) -> dict:
    hall, service = booking.hall, booking.service
    zone = slots.zone_of(hall)
    return {
        "booking_code": booking.booking_code,
        "service_no": booking.service_no,
        "access_code": booking.access_code,
        "hall": hall.code,
        "service": {"code": service.code, "name": service.name_zh, "name_en": service.name_en},
        "start": booking.start.astimezone(zone).isoformat(),
        "end": booking.end.astimezone(zone).isoformat(),
        "status": booking.status,
        "cancel_until": bookings.cut_off(db.session, booking).astimezone(zone).isoformat(),
        "track_url": track_url(booking),
        "booking_url": url_for("api.get_booking", booking_code=booking.booking_code),
    }


def _query_date(name: str) -> date | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


@bp.get("/halls/<hall>/slots")
@devices.public_read
def free_slots(hall: str):
    """The slots of one item on the hall's open days, with the places still free."""
    first = _query_date("from")
    if request.args.get("from") and first is None:
        return problem(400, "invalid-date", _("from is a date such as 2026-12-07."))
    days_arg = request.args.get("days", "10")
    if not days_arg.isdigit() or not 1 <= int(days_arg) <= MAX_DAYS:
        return problem(400, "invalid-days",
                       _("days is a whole number from 1 to %(max)s.", max=MAX_DAYS))
    the_hall = get_hall(db.session, hall, typed=True)
    service = get_service(db.session, the_hall, request.args.get("service", ""), typed=True)
    found = slots.slots(db.session, the_hall, service, first, int(days_arg))
    response = jsonify({
        "hall": the_hall.code, "service": service.code,
        "slots": [{"start": s.start.isoformat(), "end": s.end.isoformat(), "free": s.free}
                  for s in found],
    })
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.post("/bookings")
@booking_limited
def make_booking():
    """Book a slot: 201 with the booking code, service number and access code; 409
    ``slot-full`` when the last place went a moment ago."""
    body = parse_body(BookingRequest)
    booking = bookings.book(db.session, body.hall, body.service, body.start, name=body.name,
                            phone=body.phone, id_number=body.id_number)
    response = jsonify(booking_json(booking))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_booking", booking_code=booking.booking_code)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/bookings/<booking_code>")
@booking_limited
def get_booking(booking_code: str):
    """The booking, with ``X-Access-Code``; the same 404 for an unknown code and a wrong
    access code."""
    with booking_guard(booking_code):
        booking = bookings.find(db.session, booking_code, request.headers.get("X-Access-Code"))
    response = jsonify(booking_json(booking))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.delete("/bookings/<booking_code>")
@booking_limited
def cancel_booking(booking_code: str):
    """Cancel, with ``X-Access-Code``, until the hall's cut-off (then 409 ``past-cut-off``)."""
    with booking_guard(booking_code):
        bookings.cancel(db.session, booking_code, request.headers.get("X-Access-Code"))
    return "", 204


@bp.patch("/bookings/<booking_code>")
@booking_limited
def move_booking(booking_code: str):
    """Move the booking to another slot (``{"start": …}``), with ``X-Access-Code``, until the
    cut-off; the booking code and access code stay, the place is taken before the old one is
    given back."""
    body = parse_body(MoveBookingRequest)
    with booking_guard(booking_code):
        booking = bookings.move(db.session, booking_code,
                                request.headers.get("X-Access-Code"), body.start)
    response = jsonify(booking_json(booking))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/check-ins")
@devices.issue_limited
def check_in():
    """A kiosk checks an appointment in: 201 with the ticket, as ``POST /tickets`` answers."""
    devices.require("kiosk")
    body = parse_body(CheckInRequest)
    kiosk = devices.issuer(body.hall)
    issued = checkin.check_in(db.session, body.hall, body.booking_code, device=kiosk,
                              actor=KIOSK)
    response = jsonify(ticket_json(issued))
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response

