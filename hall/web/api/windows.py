"""A window's moves over the API, for clerks' devices: open, call, finish, transfer…

Each move is ``POST /api/v1/halls/<hall>/windows/<no>/<move>`` with an optional JSON body
(``hall.web.moves.MoveRequest``) and a clerk's bearer token.
"""
from __future__ import annotations

from flask import abort, jsonify, request
from pydantic import BaseModel, Field

from hall import floor, lookup, supervision
from hall.events import Actor
from hall.models import Ticket

from ..auth import api_staff, sees_hall
from ..extensions import db
from ..moves import MOVES, Move, MoveRequest, perform
from .common import bp, parse_body


def _move_request() -> MoveRequest:
    """The body if there is one; a move without a body is a move without options."""
    if not request.get_data(cache=True):
        return MoveRequest()
    return parse_body(MoveRequest)


def _view(hall: str, no: int) -> dict:
    return floor.window_view(db.session, lookup.get_window(db.session, hall, no))


def make_move_view(move: Move):
    def view(hall: str, no: int):
        staff = api_staff("clerk")
        body = _move_request()
        result = perform(db.session, move, hall, no, Actor.of(staff), body)
        if move.name == "call" and result is None:
            return "", 204  # nobody waits for this window
        window = _view(hall, no)
        if isinstance(result, Ticket):
            return jsonify({**floor.ticket_card(result), "window": window})
        return jsonify(window)
    view.__name__ = f"window_{move.name.replace('-', '_')}"
    view.__doc__ = move.summary
    return view


for _move in MOVES.values():
    bp.add_url_rule(f"/halls/<hall>/windows/<int:no>/{_move.name}",
                    view_func=make_move_view(_move), methods=["POST"])


class SupervisionRequest(BaseModel):
    """A manager's or administrator's move on a window worked by someone else."""

    reason: str = Field(min_length=1, max_length=200,
                        description="Why; recorded, and shown to the clerk")
    clerk: str | None = Field(default=None, max_length=40,
                              description="Reassign: the username of the clerk taking over")


@bp.post("/halls/<hall>/windows/<int:no>/force-close")
def window_force_close(hall: str, no: int):
    """Close a window for its clerk (managers, administrators of the hall); whoever was at
    it or held there goes back to waiting, place kept."""
    staff = api_staff("manager", "admin")
    body = parse_body(SupervisionRequest)
    supervision.force_close(db.session, hall, no, actor=Actor.of(staff), reason=body.reason)
    return jsonify(_view(hall, no))


@bp.post("/halls/<hall>/windows/<int:no>/reassign")
def window_reassign(hall: str, no: int):
    """Hand an open window, with whoever is at it, to another clerk who may work it."""
    staff = api_staff("manager", "admin")
    body = parse_body(SupervisionRequest)
    supervision.hand_over(db.session, hall, no, to_clerk=body.clerk or "",
                          actor=Actor.of(staff), reason=body.reason)
    return jsonify(_view(hall, no))


@bp.get("/halls/<hall>/windows/<int:no>")
def window_state(hall: str, no: int):
    """The window as its console shows it, for staff who may see its hall."""
    staff = api_staff()
    window = lookup.get_window(db.session, hall, no)
    if not sees_hall(staff, window.hall):
        abort(403)
    return jsonify(floor.window_view(db.session, window))
