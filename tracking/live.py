"""The live ticket on the visitor's phone, ``/t/<service number>`` (#14.5).

The ticket's QR opens it with the access code (``?c=``); typed by hand, the code goes in the
form's body. The page shows where the visit stands as the server sees it now, so it is right
without JavaScript (a button reads it again); with JavaScript it follows the ticket over the
``/ticket`` namespace (hall/web/ticket_sockets.py) and, a few people before the turn and at
the call, vibrates, chimes and shows a notification where the visitor allowed it.

Nothing is shown without the code: the page is the visitor's own, like the private tracking
view, and every lookup goes through the same guard (``tracking.lookup``).
"""
from __future__ import annotations

from flask import current_app, make_response, render_template, request

from hall import remote, ticket_states
from hall.errors import InvalidServiceNumber
from hall.web.extensions import csrf, db
from hall.web.problems import translate

from . import ticket_bp as bp
from .lookup import find, limited, refusal_text
from .routes import booked_page


@bp.after_request
def _private(response):
    response.headers["Cache-Control"] = "no-store"  # the code is in the page
    response.headers["Referrer-Policy"] = "no-referrer"  # and may be in the address
    return response


@bp.get("/<service_no>")
@limited
def show(service_no: str):
    return _page(service_no, request.args.get("c", ""))


@bp.post("/<service_no>")
@csrf.exempt  # reads only, like the private tracking view: the code stays out of the address
@limited
def show_private(service_no: str):
    return _page(service_no, request.form.get("code", ""))


def _page(raw: str, code: str):
    code = code.strip().upper()[:64]
    if not code:
        return _ask(raw)
    try:
        found = find(raw, code)
    except InvalidServiceNumber as error:
        return _ask(raw, translate(error), 400)
    if found.booking is not None:  # booked, not checked in: no place in a queue yet
        return booked_page(found, code)
    if not found.found:
        return _ask(raw, refusal_text(found), 404)
    ticket = found.ticket
    state = ticket_states.read(db.session, [ticket.id])[ticket.id]
    held = remote.held_until(db.session, ticket) if state.away else None
    return render_template(
        "tracking/live_ticket.html", ticket=ticket, hall=ticket.hall, state=state, code=code,
        notify_ahead=current_app.config["NOTIFY_AHEAD"], held_until=held)


def _ask(raw: str, error: str | None = None, status: int = 200):
    return make_response(render_template("tracking/live_ask.html", service_no=raw[:40],
                                         error=error), status)
