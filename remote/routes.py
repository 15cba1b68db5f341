"""The pages of queueing from home: the hall's queues with a form to join one, and the page
the door's QR code opens to say "I am here".

The browser remembers the remote tickets it took (in its session, with their access codes),
so at the door one tap checks them in; another phone types the service number and access
code instead. Joining is limited per address (REMOTE_RATE_LIMIT), arriving like every public
lookup (TRACK_RATE_LIMIT).
"""
from __future__ import annotations

from datetime import date

from flask import current_app, make_response, redirect, render_template, request, session, url_for

from hall import clock, hours, remote
from hall.errors import HallClosed, HallError
from hall.lookup import get_hall
from hall.remote_errors import DoorCodeWrong
from hall.web.devices import public_read
from hall.web.extensions import db
from hall.web.limits import per_address
from hall.web.problems import translate

from . import bp

SESSION_KEY = "remote_tickets"
KEPT = 10  # a browser remembers its last remote tickets, no more

join_limited = per_address("REMOTE_RATE_LIMIT", scope="remote")
arrive_limited = per_address("TRACK_RATE_LIMIT", scope="track")


@bp.after_request
def _private(response):
    response.headers["Cache-Control"] = "no-store"  # counts change; codes may be shown
    response.headers["Referrer-Policy"] = "no-referrer"  # the door code is in the address
    return response


@bp.get("/<hall>")
@public_read
def queues(hall: str):
    return _queues_page(hall)


@bp.post("/<hall>")
@join_limited
def join(hall: str):
    """Join the chosen queue: to the live ticket page, or the form again with the refusal."""
    try:
        issued = remote.join(db.session, hall, request.form.get("service", "")[:32],
                             phone=request.form.get("phone", "")[:40])
    except HallError as error:
        return _queues_page(hall, error=translate(error), status=error.status,
                            phone=request.form.get("phone", "")[:20],
                            chosen=request.form.get("service", "")[:32])
    kept = [t for t in session.get(SESSION_KEY, []) if t.get("id") != issued.id]
    kept.append({"id": issued.id, "service_no": issued.service_no, "code": issued.access_code})
    session[SESSION_KEY] = kept[-KEPT:]
    return redirect(url_for("ticket.show", service_no=issued.service_no, c=issued.access_code))


def _queues_page(hall_code: str, *, error: str | None = None, status: int = 200,
                 phone: str = "", chosen: str = ""):
    the_hall = get_hall(db.session, hall_code, typed=True)
    now = clock.now()
    opening = hours.of(db.session, the_hall)
    closed = None
    if not opening.takes_tickets(now):
        closed = translate(HallClosed(opening.next_opening(now), the_hall.timezone))
    offers = [] if closed else remote.offers(db.session, the_hall)
    return make_response(render_template(
        "remote/queues.html", hall=the_hall, offers=offers, closed=closed, error=error,
        phone=phone, chosen=chosen), status)


# -- at the door ----------------------------------------------------------------------------------

@bp.get("/<hall>/here/<door_code>")
@arrive_limited
def here(hall: str, door_code: str):
    return _here_page(hall, door_code)


@bp.post("/<hall>/here/<door_code>")
@arrive_limited
def arrive(hall: str, door_code: str):
    """Check in a remote ticket: one of this browser's (``ticket``: its service number), or
    one typed (service number and access code). To the live ticket page when done."""
    service_no = request.form.get("service_no", "")[:64]
    code = request.form.get("code", "")[:64]
    held = next((t for t in session.get(SESSION_KEY, [])
                 if t.get("service_no") == request.form.get("ticket")), None)
    if held is not None:
        service_no, code = held["service_no"], held["code"]
    try:
        arrival = remote.arrive(db.session, hall, service_no, code, door_code=door_code[:64],
                                secret=current_app.config["SECRET_KEY"])
    except HallError as error:
        return _here_page(hall, door_code, error=translate(error), status=error.status,
                          service_no=service_no if held is None else "")
    ticket = arrival.ticket
    return redirect(url_for("ticket.show", service_no=ticket.service_no, c=ticket.access_code))


def _here_page(hall_code: str, door_code: str, *, error: str | None = None,
               status: int = 200, service_no: str = ""):
    the_hall = get_hall(db.session, hall_code, typed=True)
    today = clock.local_date(clock.now(), the_hall.timezone)
    if not remote.is_door_code(current_app.config["SECRET_KEY"], the_hall.code, today,
                               door_code):
        wrong = translate(DoorCodeWrong())
        return make_response(render_template("remote/wrong_door.html", hall=the_hall,
                                             error=wrong), 409)
    remembered = {t.get("id"): t for t in session.get(SESSION_KEY, [])}
    held = remote.held_today(db.session, the_hall, [i for i in remembered if isinstance(i, int)])
    return make_response(render_template(
        "remote/here.html", hall=the_hall, door_code=door_code, held=held, error=error,
        service_no=service_no), status)


def door_url(base: str, hall_code: str, day: date, secret: str) -> str:
    """The address in the hall's door QR code on ``day`` (the manager's page, ``flask
    door-code``)."""
    return f"{base.rstrip('/')}/queue/{hall_code}/here/{remote.door_code(secret, hall_code, day)}"
