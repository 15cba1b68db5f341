"""Taking a number (POST /tickets) and printing the ticket."""
from __future__ import annotations

import re

from flask import Response, current_app, jsonify, request, url_for
from flask_babel import gettext as _

from hall import board, issuing, numbers, printing
from hall.events import KIOSK

from .. import access_codes, devices
from ..extensions import db
from ..problems import problem
from .common import bp, parse_body
from .schemas import TicketRequest

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,64}$")


# A ticket's three addresses, built by Flask's router once per script root with stand-ins
# for the number and the code, then filled in: url_for was a twelfth of the kiosk's ticket.
_NUMBER, _CODE = "SERVICENO", "ACCESSCODE"


def _addresses() -> tuple[str, str, str]:
    """(tracking page, live ticket, PDF) with the stand-ins, for this app and script root."""
    templates = current_app.extensions.setdefault("hall.ticket_addresses", {})
    found = templates.get(request.script_root)
    if found is None:
        found = templates[request.script_root] = (
            url_for("tracking.ticket", service_no=_NUMBER),
            url_for("ticket.show", service_no=_NUMBER),
            url_for("api.ticket_pdf", service_no=_NUMBER, code=_CODE))
    return found


def track_path(ticket) -> str:
    return _addresses()[0].replace(_NUMBER, ticket.service_no)


def _base() -> str:
    return current_app.config["PUBLIC_BASE_URL"] or request.host_url.rstrip("/")


def track_url(ticket) -> str:
    """The tracking page (progress, cases, rating), opened with the access code."""
    return f"{_base()}{track_path(ticket)}?c={ticket.access_code}"


def ticket_url(ticket) -> str:
    """The address in the ticket's QR code: the live ticket on the phone (tracking/live.py),
    opened with the access code; it links on to the tracking page."""
    path = _addresses()[1].replace(_NUMBER, ticket.service_no)
    return f"{_base()}{path}?c={ticket.access_code}"


def pdf_url(ticket) -> str:
    return (_addresses()[2].replace(_NUMBER, ticket.service_no)
            .replace(_CODE, ticket.access_code))


def ticket_json(t: issuing.IssuedTicket) -> dict:
    return {
        "number": t.number,
        "service_no": t.service_no,
        "service_no_display": numbers.grouped(t.service_no),
        "access_code": t.access_code,
        "track_url": track_url(t),
        "ticket_url": ticket_url(t),
        "pdf_url": pdf_url(t),
        "hall": t.hall.code,
        "service": {"code": t.service.code, "name": t.service.name_zh,
                    "name_en": t.service.name_en, "prefix": t.service.prefix},
        "priority": t.priority_reason,
        "status": t.status,
        "issued_at": t.issued_at.isoformat(),
        "ahead": t.ahead,
        "wait_minutes": t.wait_minutes,
        # wait_minutes is null while no open window serves the service (no guess is made).
        "no_window_open": t.no_window_open,
    }


@bp.post("/tickets")
@devices.issue_limited
def take_ticket():
    """Issue a ticket, for a kiosk device (``Authorization: Device <token>``, or a trusted
    network). An Idempotency-Key header makes a retried request safe: the same key from the
    same device on the same day returns the same ticket, with another body a 422."""
    devices.require("kiosk")  # 401/403 before the body is even read
    key = request.headers.get("Idempotency-Key")
    if key is not None and not _IDEMPOTENCY_KEY.match(key):
        return problem(400, "invalid-idempotency-key",
                       _("Idempotency-Key must be 1 to 64 visible ASCII characters."))
    body = parse_body(TicketRequest)
    kiosk = devices.issuer(body.hall)
    issued = issuing.issue_ticket(
        db.session, body.hall, body.service,
        priority=body.priority.value if body.priority else None,
        request_key=key, source="api", actor=KIOSK, device=kiosk,
    )
    response = jsonify(ticket_json(issued))
    response.status_code = 201
    response.headers["Location"] = track_path(issued)
    response.headers["Cache-Control"] = "no-store"
    if issued.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.get("/tickets/<service_no>/ticket.pdf")
@devices.public_read
@access_codes.limited_failures
def ticket_pdf(service_no: str):
    """The printable 80 mm ticket; only with the ticket's access code, which it shows.
    The code goes through the same guard as tracking (``hall.web.access_codes``)."""
    number = numbers.parse_service_number(service_no)  # a mistyped one: 400 problem
    refusal = access_codes.refused(number)
    ticket = None if refusal else board.find_by_service_no(db.session, number)
    if refusal or not access_codes.verify(number, request.args.get("code", ""),
                                          ticket.access_code if ticket else None):
        # The same answer for an unknown number and a wrong code: a guess learns nothing.
        return problem(404, "ticket-not-found",
                       _("No ticket matches this service number and access code."))
    assert ticket is not None  # verified above
    ahead, wait = board.ticket_position(db.session, ticket)
    pdf = printing.ticket_pdf(ticket, ahead=ahead, wait_minutes=wait, track_url=ticket_url(ticket),
                              no_window_open=ticket.status == "waiting" and wait is None)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="ticket-{ticket.number}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response
