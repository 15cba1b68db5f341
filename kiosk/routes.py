"""Kiosk pages. They work without JavaScript; the script only refreshes counts and prints."""
from __future__ import annotations

import math
import re
import uuid
from zoneinfo import ZoneInfo

from flask import current_app, make_response, render_template, request, url_for
from flask_babel import force_locale

from hall import board, bookings, checkin, clock, hours, issuing, lookup, numbers, printing, remote
from hall.booking_errors import BookingNotFound, BookingRefused
from hall.errors import N_, HallClosed, HallError, UnknownHall
from hall.events import KIOSK
from hall.issuing import IssuedTicket
from hall.models import PriorityReason
from hall.remote_errors import RemoteRefused, RemoteTicketNotFound
from hall.web import devices
from hall.web.api.tickets import pdf_url, ticket_url
from hall.web.extensions import db
from hall.web.i18n import canonical
from hall.web.problems import translate

from . import attempts, bp

PRIORITY_CHOICES = [r.value for r in PriorityReason]
# The on-screen keypad: the letters and digits booking codes are made of (no 0/O, 1/I/L),
# digits first as on a phone, eight keys a row.
KEYPAD = [numbers.ACCESS_CODE_ALPHABET[i:i + 8]
          for i in range(0, len(numbers.ACCESS_CODE_ALPHABET), 8)]
# Refusals a visitor must understand whichever language the kiosk speaks: said in both.
IN_BOTH_LANGUAGES = (HallClosed, BookingRefused, BookingNotFound)


@bp.context_processor
def _hall_clock():
    """The clock in the kiosk's bar shows the hall's time (HALL_CLOCK, zone), not the
    browser's: the page carries it, the script runs it on."""
    def kiosk_clock(hall) -> dict:
        local = clock.now().astimezone(ZoneInfo(hall.timezone if hall else "Asia/Shanghai"))
        return {"ms": int(local.timestamp() * 1000), "text": local.strftime("%Y-%m-%d %H:%M"),
                "offset": int(local.utcoffset().total_seconds() // 60)}
    return {"kiosk_clock": kiosk_clock}


def _kiosk_lang() -> str | None:
    """The kiosk's language lives in its links only, so the next visitor starts in Chinese."""
    return "en" if canonical(request.values.get("lang")) == "en" else None


def _screen() -> dict:
    """How this visitor asked the kiosk to speak (language, large type for elderly visitors,
    适老化) and when it goes back to the start: in the links and the page only, never in a
    cookie, so the next visitor always starts in Chinese at normal size."""
    lang, large = _kiosk_lang(), request.values.get("large") == "1"
    return {"lang": lang, "large": large, "idle_seconds": current_app.config["KIOSK_IDLE_SECONDS"],
            # the query that keeps both in the kiosk's own links
            "screen": {"lang": lang, "large": "1" if large else None}}


@bp.errorhandler(HallError)
def _refused(error: HallError):
    hall_code = request.view_args.get("hall") if request.view_args else None
    if isinstance(error, UnknownHall):
        hall_code = None  # no start screen to go back to
    checking_in = request.endpoint == "kiosk.check_in"
    html = render_template("kiosk/refused.html", message=translate(error), hall_code=hall_code,
                           status=error.status, checking_in=checking_in and hall_code,
                           also=_in_both_languages(error)[1:]
                           if isinstance(error, IN_BOTH_LANGUAGES) else [], **_screen())
    headers = {"Cache-Control": "no-store"}
    if isinstance(error, checkin.TooManyCodes):
        headers["Retry-After"] = str(error.seconds)
    return html, error.status, headers


def _in_both_languages(error: HallError) -> list[tuple[str, str]]:
    """The refusal in the kiosk's language first, then in the other one: a closed hall
    must be understood by whoever stands in front of it."""
    order = ("en", "zh_CN") if _kiosk_lang() == "en" else ("zh_CN", "en")
    said = []
    for locale in order:
        with force_locale(locale):
            said.append(("en" if locale == "en" else "zh-CN", translate(error)))
    return said


def _closed(found) -> tuple[HallClosed | None, int | None]:
    """Why no ticket can be taken now, if none can (opening hours, SPEC §7); else in how
    many seconds the last ticket of the span goes, when the start screen must show it."""
    now = clock.now()
    opening = hours.of(db.session, found)
    until = opening.tickets_until(now)
    if until is None:
        return HallClosed(opening.next_opening(now), found.timezone), None
    return None, math.ceil((until - now).total_seconds())


@bp.get("/<hall>")
def home(hall: str):
    """The service buttons, each with the number of people waiting; outside opening hours,
    when the hall opens again instead, and nothing to press."""
    devices.require("kiosk", hall)  # a screen that is no kiosk of this hall says so at once
    found = lookup.get_hall(db.session, hall)
    closed, closing_in = _closed(found)
    snapshot = board.queue_snapshot(db.session, found)
    response = make_response(render_template(
        "kiosk/home.html", snapshot=snapshot, hall=snapshot.hall,
        request_key=uuid.uuid4().hex, priorities=PRIORITY_CHOICES, closed=closed,
        closed_words=_in_both_languages(closed) if closed else [], closing_in=closing_in,
        **_screen(),
    ))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<hall>/tickets")
@devices.issue_limited
def take(hall: str):
    """Issue the ticket and show it; the page's request key makes a double tap harmless."""
    kiosk = devices.issuer(hall)
    service = (request.form.get("service") or "").strip()
    if not service:
        raise HallError(N_("Please choose a service."))
    priority = request.form.get("priority") or None
    if priority not in (None, *PRIORITY_CHOICES):
        priority = None
    key = request.form.get("request_key") or None
    if key is not None:
        # One tap of one button on one rendering of the page: repeating it returns the same
        # ticket, while choosing another service after all gets a ticket for that one.
        key = f"kiosk:{key[:32]}:{service[:16]}:{priority or ''}"
    ticket = issuing.issue_ticket(db.session, hall, service, priority=priority,
                                  request_key=key, source="kiosk", actor=KIOSK, device=kiosk)
    return _ticket_page(ticket)


@bp.get("/<hall>/appointment")
def appointment(hall: str):
    """"I have an appointment" (我有预约): a field that the QR scanner types into (the
    booking confirmation's code or its address), and a keypad to type the code by touch."""
    devices.require("kiosk", hall)
    found = lookup.get_hall(db.session, hall)
    closed, _ = _closed(found)
    if closed is not None:
        raise closed
    response = make_response(render_template(
        "kiosk/appointment.html", hall=found, keypad=KEYPAD,
        home=url_for("kiosk.home", hall=found.code, **_screen()["screen"]), **_screen()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<hall>/check-ins")
@devices.issue_limited
def check_in(hall: str):
    """Check the appointment in and show its ticket, as a kiosk ticket is shown; a refused
    code is counted against the kiosk (``attempts``) and nothing is written."""
    kiosk = devices.require("kiosk", hall)
    code = request.form.get("code")
    if not bookings.normalize_code(code):
        raise HallError(N_("Please scan the QR code of your booking or type its code."))
    attempts.require_left(kiosk)
    remote_ticket = _LIVE_TICKET.search(code or "")
    if remote_ticket is not None:  # the QR of a ticket taken from home: its visitor is here
        return _arrived(hall, kiosk, *remote_ticket.groups())
    devices.issuer(hall)  # a check-in is a ticket: the kiosk's issuing pace counts it
    try:
        ticket = checkin.check_in(db.session, hall, code, device=kiosk, actor=KIOSK)
    except (BookingRefused, BookingNotFound):
        attempts.count_refused(kiosk)
        raise
    return _ticket_page(ticket)


# The live ticket's address, as the QR of a remote ticket carries it: /t/<number>?c=<code>.
_LIVE_TICKET = re.compile(r"/t/([0-9]{14}[0-9Xx])\?c=([A-Za-z0-9]{1,12})")


def _arrived(hall: str, kiosk, service_no: str, access_code: str):
    """A remote ticket's visitor scanned its QR at the kiosk: the kiosk, inside the hall,
    vouches that they are here (no door code), and call-next may call them from now on."""
    try:
        arrival = remote.arrive(db.session, hall, service_no, access_code, door_code=None,
                                secret=current_app.config["SECRET_KEY"], actor=KIOSK,
                                device=kiosk)
    except (RemoteRefused, RemoteTicketNotFound):
        attempts.count_refused(kiosk)
        raise
    ticket = arrival.ticket
    response = make_response(render_template(
        "kiosk/arrived.html", ticket=ticket, hall=ticket.hall, already=arrival.already,
        return_seconds=current_app.config["KIOSK_RETURN_SECONDS"],
        home=url_for("kiosk.home", hall=ticket.hall.code), **_screen()))
    response.headers["Cache-Control"] = "no-store"
    return response


def _ticket_page(ticket: IssuedTicket):
    """The ticket on screen, with its QR code and its PDF to print: 201."""
    response = make_response(render_template(
        "kiosk/ticket.html", ticket=ticket, hall=ticket.hall,
        qr=printing.qr_svg(ticket_url(ticket)), pdf=pdf_url(ticket), **_screen(),
        return_seconds=current_app.config["KIOSK_RETURN_SECONDS"],
        autoprint=current_app.config["KIOSK_AUTOPRINT"],
        home=url_for("kiosk.home", hall=ticket.hall.code),
    ), 201)
    # The page shows the access code: never keep it in a cache the next visitor could reach.
    response.headers["Cache-Control"] = "no-store"
    return response
