"""The moves a window can make, as the API and the console both offer them.

One table, so that a move means the same thing whether a clerk presses a button or a
device calls the API: what it needs from the request, and which engine function it is.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from hall import queue
from hall.events import Actor
from hall.models import Ticket, Window


def _blank_is_none(value):
    """An empty form field means "not given"."""
    return None if value == "" else value


# The constraints apply to a value that was given; an empty field becomes None and skips
# them. Values are checked as sent, not trimmed first, so that what the OpenAPI document
# publishes is exactly what the server takes (the console trims what a clerk typed).
Number = Annotated[Annotated[str, StringConstraints(to_upper=True, max_length=8,
                                                     pattern=r"^([A-Za-z]\d{3,4})?$")]
                   | None, BeforeValidator(_blank_is_none)]
Text = Annotated[Annotated[str, StringConstraints(max_length=200)] | None,
                 BeforeValidator(_blank_is_none)]
Code = Annotated[Annotated[str, StringConstraints(max_length=16, pattern=r"^[A-Za-z0-9_-]*$")]
                 | None, BeforeValidator(_blank_is_none)]
WindowNo = Annotated[Annotated[int, Field(ge=1, le=999)] | None, BeforeValidator(_blank_is_none)]


class MoveRequest(BaseModel):
    """What a move may carry; each move reads the fields it needs."""

    model_config = ConfigDict(extra="ignore")

    number: Number = Field(default=None, description=(
        "For call: call this number instead of the next. For resume: the held number. For "
        "undo-no-show: the number just marked as a no-show. For other moves: the number the "
        "clerk's screen shows, refused if it is no longer the window's (a stale screen can't "
        "finish the wrong visitor)."))
    reason: Text = Field(default=None, description="Why (pause and hold: required; transfer)")
    service: Code = Field(default=None, description="Transfer: the service to send them to")
    window: WindowNo = Field(default=None, description="Transfer: the window to send them to")


@dataclass(frozen=True)
class Move:
    name: str
    summary: str
    run: Callable[..., Ticket | Window | None]
    moves_ticket: bool = True


def _call(s, hall, no, actor, m: MoveRequest):
    if m.number:
        return queue.call_ticket(s, hall, no, m.number, actor=actor)
    return queue.call_next(s, hall, no, actor=actor)


MOVES: dict[str, Move] = {move.name: move for move in [
    Move("open", "Open the window and bind the caller to it",
         lambda s, h, n, a, m: queue.open_window(s, h, n, actor=a), moves_ticket=False),
    Move("pause", "Pause the window, with a reason",
         lambda s, h, n, a, m: queue.pause_window(s, h, n, actor=a, reason=m.reason or ""),
         moves_ticket=False),
    Move("close", "Close the window and release the clerk",
         lambda s, h, n, a, m: queue.close_window(s, h, n, actor=a), moves_ticket=False),
    Move("call", "Call the next visitor, or a given number", _call),
    Move("recall", "Call the same visitor again",
         lambda s, h, n, a, m: queue.recall(s, h, n, actor=a, number=m.number)),
    Move("no-show", "The called visitor did not come",
         lambda s, h, n, a, m: queue.mark_no_show(s, h, n, actor=a, number=m.number)),
    Move("undo-no-show", "Take back a no-show pressed by mistake (within 30 seconds, if nothing "
         "else happened at the window since)",
         lambda s, h, n, a, m: queue.undo_no_show(s, h, n, m.number or "", actor=a)),
    Move("start", "The visitor is at the window",
         lambda s, h, n, a, m: queue.start_serving(s, h, n, actor=a, number=m.number)),
    Move("finish", "Done at the window",
         lambda s, h, n, a, m: queue.finish(s, h, n, actor=a, number=m.number)),
    Move("hold", "Park the visitor here and free the window",
         lambda s, h, n, a, m: queue.hold(s, h, n, actor=a, number=m.number, reason=m.reason)),
    Move("resume", "Bring back a visitor held here",
         lambda s, h, n, a, m: queue.resume(s, h, n, m.number or "", actor=a)),
    Move("transfer", "Send the visitor to another service or window, keeping their place",
         lambda s, h, n, a, m: queue.transfer(s, h, n, actor=a, to_service=m.service,
                                              to_window=m.window, number=m.number,
                                              reason=m.reason)),
]}


def perform(session, move: Move, hall: str, window_no: int, actor: Actor,
            request: MoveRequest) -> Ticket | Window | None:
    return move.run(session, hall, window_no, actor, request)
