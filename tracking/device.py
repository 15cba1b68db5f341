"""The rating device on a window's counter (评价器): a tablet facing the visitor.

It offers the visit the clerk finished last at that window, until the window calls the next
visitor or a few minutes have passed, and takes one press: no code to type, because the
device itself is the proof that the visitor stood at that window. It shows the queue number
and the service, never a name.

The page follows its window live (``tracking/static/device.js``: the hall's ``/display``
events, then this same page fetched again), so it never offers a visit other than the one
just finished; without JavaScript it is a plain page the visitor reloads. No timed refresh."""
from __future__ import annotations

from flask import make_response, render_template, request
from flask_babel import gettext

from hall import clock, ratings
from hall.errors import AlreadyRated, HallError, NotRateableHere
from hall.events import Actor
from hall.lookup import get_window
from hall.web import devices
from hall.web.extensions import db
from hall.web.problems import translate

from . import device_bp as bp
from .words import say

DEVICE = Actor("rating-device")


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<hall>/<int:window_no>")
def show(hall: str, window_no: int):
    """The visit to rate now, or a quiet page until the window finishes one."""
    devices.require("rating", hall, window_no=window_no)
    window = get_window(db.session, hall, window_no)
    ticket = ratings.last_visit_at_window(db.session, hall, window_no)
    if ticket is not None and not ratings.rateable(db.session, ticket):
        ticket = None  # rated already: wait for the next visitor
    return _page(window, ticket)


@bp.post("/<hall>/<int:window_no>")
def rate(hall: str, window_no: int):
    tablet = devices.require("rating", hall, window_no=window_no)
    window = get_window(db.session, hall, window_no)
    try:
        ratings.rate_at_window(db.session, hall, window_no, _int(request.form.get("ticket")),
                               level=_int(request.form.get("level")),
                               comment=request.form.get("comment", ""), actor=DEVICE,
                               device=tablet)
    except (AlreadyRated, NotRateableHere) as error:
        return _page(window, None, message=translate(error), status=409)
    except HallError as error:
        return _page(window, None, message=translate(error), status=error.status)
    return _page(window, None, message=gettext("Thank you for rating the service."))


def _page(window, ticket, *, message: str | None = None, status: int = 200):
    # Seconds the offer has left, for the script to take it off the screen on time (the
    # server's clock, not the tablet's).
    left = (max(0, int((ratings.offer_ends_at(ticket) - clock.now()).total_seconds()) + 1)
            if ticket is not None else None)
    return make_response(render_template(
        "tracking/device.html", window=window, hall=window.hall, ticket=ticket, message=message,
        levels=sorted(ratings.LEVELS.items(), reverse=True), say=say, offer_seconds=left),
        status)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
