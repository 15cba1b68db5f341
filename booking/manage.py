"""One booking's page: opened with its access code (or by the browser that made it), showing
the codes, the slot, what to bring, the QR code and the PDF; moving and cancelling it up to
the hall's cut-off. An unknown booking and a wrong code get the same answer, word for word."""
from __future__ import annotations

import functools

from flask import Response, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale

from hall import booking_offer, booking_pdf, bookings, clock, printing, slots
from hall.booking_errors import BookingNotFound
from hall.errors import HallError
from hall.models import Booking, BookingStatus
from hall.web.access_codes import booking_guard
from hall.web.extensions import db
from hall.web.problems import translate

from . import bp
from .common import booking_limited, booking_url, forget, public_read, remember, remembered
from .routes import chosen_day

CODE_SHOWN = 32  # of a booking code in the address, what the access form repeats


def _find(hall: str, booking_code: str, access_code: str | None) -> Booking:
    """The booking, if the code is its own and it is of this hall (else BookingNotFound, the
    same as for a booking that does not exist)."""
    with booking_guard(booking_code):
        booking = bookings.find(db.session, booking_code, access_code)
    if booking.hall.code != hall:
        raise BookingNotFound()
    return booking


def _held(hall: str, booking_code: str) -> Booking | None:
    """The booking whose access code this browser holds, or None."""
    code = bookings.normalize_code(booking_code)
    access = remembered(code)
    if access is None:
        return None
    try:
        return _find(hall, code, access)
    except BookingNotFound:
        forget(code)
        return None


def _holding(view):
    """The view of a booking this browser holds the code of (``view(booking)``); for anyone
    else, the access-code form instead."""
    @functools.wraps(view)
    def held(hall: str, booking_code: str):
        booking = _held(hall, booking_code)
        if booking is None:
            return _access_form(hall, booking_code)
        return view(booking)
    return held


def _access_form(hall: str, booking_code: str, error: str | None = None, status: int = 200):
    return make_response(render_template(
        "booking/access.html", hall_code=hall, error=error,
        booking_code=bookings.normalize_code(booking_code)[:CODE_SHOWN]), status)


def _changeable(booking: Booking) -> bool:
    return (booking.status == BookingStatus.BOOKED.value
            and clock.now() <= bookings.cut_off(db.session, booking))


def _page(booking: Booking) -> dict:
    return {"booking": booking, "hall": booking.hall, "service": booking.service,
            "zone": slots.zone_of(booking.hall),
            "cut_off": bookings.cut_off(db.session, booking),
            "changeable": _changeable(booking)}


@bp.get("/<hall>/b/<booking_code>")
@public_read
@_holding
def show(booking: Booking):
    """The booking, for the browser holding its code; for anyone else the access-code form."""
    url = booking_url(booking.hall.code, booking.booking_code)
    return render_template("booking/booking.html", **_page(booking),
                           qr=printing.qr_svg(url), qr_text=url,
                           made=request.args.get("made") == "1",
                           done=request.args.get("done", "")[:16])


@bp.post("/<hall>/b/<booking_code>")
@booking_limited
def unlock(hall: str, booking_code: str):
    """The access code typed: this browser may open the booking from now on."""
    try:
        booking = _find(hall, booking_code, request.form.get("access_code", "")[:CODE_SHOWN])
    except BookingNotFound as error:
        return _access_form(hall, booking_code, translate(error), 404)
    remember(booking)
    return redirect(url_for("booking.show", hall=hall, booking_code=booking.booking_code), 303)


@bp.get("/<hall>/b/<booking_code>/pdf")
@public_read
@_holding
def pdf(booking: Booking):
    """The confirmation to print or keep, for the browser holding the code."""
    data = booking_pdf.booking_pdf(
        booking, url=booking_url(booking.hall.code, booking.booking_code),
        cut_off=bookings.cut_off(db.session, booking), locale=str(get_locale()))
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="booking-{booking.booking_code}.pdf"'})


@bp.get("/<hall>/b/<booking_code>/cancel")
@public_read
@_holding
def cancel_page(booking: Booking):
    """Are you sure? (a cancelled place goes to someone else at once)."""
    return render_template("booking/cancel.html", **_page(booking))


@bp.post("/<hall>/b/<booking_code>/cancel")
@booking_limited
@_holding
def cancel(booking: Booking):
    bookings.cancel(db.session, booking.booking_code, booking.access_code)
    return redirect(url_for("booking.show", hall=booking.hall.code,
                            booking_code=booking.booking_code, done="cancelled"), 303)


def _move_page(booking: Booking, error: str | None = None, status: int = 200):
    days = booking_offer.days(db.session, booking.hall, booking.service)
    return make_response(render_template(
        "booking/move.html", **_page(booking), days=days, day=chosen_day(days), error=error,
        day_link=lambda d: url_for("booking.move_page", hall=booking.hall.code,
                                   booking_code=booking.booking_code, day=d.isoformat())),
        status)


@bp.get("/<hall>/b/<booking_code>/move")
@public_read
@_holding
def move_page(booking: Booking):
    """The item's other slots to move to."""
    return _move_page(booking)


@bp.post("/<hall>/b/<booking_code>/move")
@booking_limited
@_holding
def move(booking: Booking):
    code, access, hall = booking.booking_code, booking.access_code, booking.hall.code
    start = booking_offer.slot_start(request.form.get("start"), booking.hall)
    try:
        bookings.move(db.session, code, access, start)
    except HallError as error:
        return _move_page(_find(hall, code, access), translate(error), error.status)
    return redirect(url_for("booking.show", hall=hall, booking_code=code, done="moved"), 303)
