"""Queueing from home over the API (远程取号): join today's queue of an item, and arrive at
the hall with the door QR's code of the day."""
from __future__ import annotations

from flask import current_app, jsonify

from hall import remote
from hall.events import KIOSK

from .. import devices
from ..extensions import db
from ..limits import per_address
from .common import bp, parse_body
from .schemas import ArrivalRequest, RemoteTicketRequest
from .tickets import ticket_json

remote_limited = per_address("REMOTE_RATE_LIMIT", scope="remote")
arrival_limited = per_address("TRACK_RATE_LIMIT", scope="track")


@bp.post("/remote-tickets")
@remote_limited
def join_remotely():
    """201 with the ticket, as ``POST /tickets`` answers, and ``"away": true``: it is called
    once its holder has arrived (``POST /arrivals``). 409 ``remote-full``,
    ``already-queued``, ``hall-closed``; 422 ``invalid-field`` (phone)."""
    body = parse_body(RemoteTicketRequest)
    issued = remote.join(db.session, body.hall, body.service, phone=body.phone)
    response = jsonify({**ticket_json(issued), "away": True})
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/arrivals")
@arrival_limited
def arrive():
    """200 ``{"number", "service_no", "away": false}``, also when it had arrived before.
    Without ``door_code`` only from a kiosk device of the hall (else 401 device-required). 409
    ``door-code-wrong`` (not today's code of that hall), ``not-remote``, ``not-waiting``,
    ``other-day``; 404 for an unknown number or a wrong access code."""
    body = parse_body(ArrivalRequest)
    kiosk = None
    if body.door_code is None:
        # Only a kiosk of the hall vouches that the visitor is there without the door's code.
        kiosk = devices.require("kiosk", body.hall)
    arrival = remote.arrive(db.session, body.hall, body.service_no, body.access_code,
                            door_code=body.door_code, secret=current_app.config["SECRET_KEY"],
                            actor=KIOSK if kiosk is not None else remote.VISITOR, device=kiosk)
    ticket = arrival.ticket
    response = jsonify({"number": ticket.number, "service_no": ticket.service_no,
                        "away": False, "already": arrival.already})
    response.headers["Cache-Control"] = "no-store"
    return response
