"""The ``/ticket`` Socket.IO namespace: a visitor's phone follows its own ticket (SPEC §7).

Public: no device and no sign-in, but nothing without the ticket's access code. The client
emits ``follow`` ``{"service_no", "access_code"}`` and receives ``state`` (the ticket's
status, people ahead, likely wait, the window once called, and ``seq``) at once, then a
``ticket`` message of the same shape with the next ``seq`` whenever any of it changes. A
gap in ``seq``, or a reconnect after the phone slept, and the client emits ``follow`` again:
the ``state`` it gets is the whole truth, so nothing has to be replayed.

A wrong code gets ``error`` ``{"code": "not-found"}`` and nothing else, word for word what an
unknown number gets. Every code goes through the same guard as the tracking pages
(``hall.web.access_codes``: per address, per address and number, per number), and every
``follow`` spends one lookup of the tracking budget (``TRACK_RATE_LIMIT``); a connection may
follow a few tickets (a family's), no more.
"""
from __future__ import annotations

import time
from collections import deque

from flask import request
from flask_socketio import Namespace, emit

from hall import board, numbers
from hall.errors import InvalidServiceNumber

from . import access_codes, limits
from .extensions import db
from .live.rooms import TICKET_NAMESPACE

NAMESPACE = TICKET_NAMESPACE
NOT_FOUND = {"code": "not-found"}
# Tickets one connection may follow: a parent with a child's and a grandparent's ticket.
MAX_TICKETS = 5
# Follows per connection in this many seconds: a phone re-syncs after a gap or a reconnect,
# a script looping over codes does not get far.
FOLLOWS, FOLLOW_WINDOW = 10, 10.0


class TicketNamespace(Namespace):
    def __init__(self, watch, namespace: str = NAMESPACE) -> None:
        super().__init__(namespace)
        self.watch = watch
        self._follows: dict[str, deque] = {}

    def on_connect(self, auth=None):
        return True

    def on_disconnect(self, reason=None):
        self._follows.pop(request.sid, None)
        self.watch.forget(request.sid)

    def on_follow(self, data=None):
        service_no = data.get("service_no") if isinstance(data, dict) else None
        code = data.get("access_code") if isinstance(data, dict) else None
        if not isinstance(service_no, str) or not isinstance(code, str) or len(code) > 64:
            emit("error", {"code": "invalid-request",
                           "title": 'follow needs {"service_no": …, "access_code": …}'})
            return
        if not self._may_follow(request.sid):
            emit("error", {"code": "too-many-requests", "retry_after": int(FOLLOW_WINDOW)})
            return
        wait = limits.refused("TRACK_RATE_LIMIT", access_codes.SCOPE)
        if wait is not None:
            emit("error", {"code": "too-many-requests", "retry_after": wait})
            return
        try:
            number = numbers.parse_service_number(service_no)
        except InvalidServiceNumber:
            # A number of the wrong shape is no ticket: the same answer as an unknown one.
            emit("error", NOT_FOUND)
            return
        if access_codes.refused(number) is not None:
            emit("error", NOT_FOUND)
            return
        try:
            ticket = board.find_by_service_no(db.session, number)
            known = (ticket.id, ticket.hall.code, ticket.access_code) if ticket else None
        finally:
            db.session.remove()
        if not access_codes.verify(number, code, known[2] if known else None):
            emit("error", NOT_FOUND)
            return
        assert known is not None
        if not self.watch.follow(request.sid, known[0], known[1], MAX_TICKETS):
            emit("error", {"code": "too-many-tickets", "max": MAX_TICKETS})

    def _may_follow(self, sid: str) -> bool:
        now = time.monotonic()
        recent = self._follows.setdefault(sid, deque(maxlen=FOLLOWS))
        if len(recent) == FOLLOWS and now - recent[0] < FOLLOW_WINDOW:
            return False
        recent.append(now)
        return True

    def trigger_event(self, event, *args):
        """Only these events exist; anything else a client sends is ignored."""
        if event in ("connect", "disconnect", "follow"):
            return super().trigger_event(event, *args)
        return None

