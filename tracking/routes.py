"""Tracking pages. A number alone shows where the visit stands; nothing personal is shown
without the access code printed on the ticket."""
from __future__ import annotations

import hmac

from flask import make_response, render_template, request

from hall import board, timeline
from hall.errors import InvalidServiceNumber
from hall.models import Ticket
from hall.web.extensions import db
from hall.web.problems import translate

from . import bp


def _no_store(html: str, status: int = 200):
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _form(error: str | None = None, value: str = "", status: int = 200):
    return _no_store(render_template("tracking/lookup.html", error=error, value=value), status)


@bp.get("")
def lookup():
    return _form()


@bp.post("")
def lookup_submit():
    """The typed number: a mistyped one is caught by its check character at once."""
    raw = request.form.get("service_no", "")
    return _show(raw, request.form.get("code", ""))


@bp.get("/<service_no>")
def ticket(service_no: str):
    return _show(service_no, request.args.get("c", ""))


def _show(raw: str, code: str):
    try:
        found = board.find_by_service_no(db.session, raw)
    except InvalidServiceNumber as error:
        return _form(translate(error), raw, 400)
    if found is None:
        return _form(_not_found(), raw, 404)
    return _no_store(render_template(
        "tracking/ticket.html", ticket=found, hall=found.hall, verified=_verified(found, code),
        steps=timeline.for_ticket(db.session, found),
        ahead=board.ticket_position(db.session, found)[0],
    ))


def _verified(ticket: Ticket, code: str) -> bool:
    return bool(code) and hmac.compare_digest(ticket.access_code.encode(),
                                              code.strip().upper().encode())


def _not_found() -> str:
    from flask_babel import gettext

    return gettext("No visit has this service number. Please check it against your ticket.")
