"""The ``/display`` Socket.IO namespace: read-only, one room per hall.

A client emits ``join`` with ``{"hall": "HQ"}`` and receives ``state`` at once: the whole
floor with the sequence number it reflects. Then it receives ``called`` and ``queue``
messages, each with the next number of the hall's floor sequence. A gap, or a reconnect,
and the client emits ``join`` again to re-sync. Nothing a display sends can change anything.
"""
from __future__ import annotations

import re

from flask import request
from flask_socketio import Namespace, emit, join_room, leave_room

from hall import floor, queue
from hall.db import consistent_read
from hall.errors import HallError
from hall.web.extensions import db
from hall.web.problems import translate

NAMESPACE = "/display"
_HALL_CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


def room(hall_code: str) -> str:
    return f"hall:{hall_code}"


class DisplayNamespace(Namespace):
    def __init__(self, namespace: str) -> None:
        super().__init__(namespace)
        # The hall each connection follows. Kept here rather than read back from the room
        # table, which python-socketio iterates without a lock while others connect.
        self.following: dict[str, str] = {}

    def on_connect(self, auth=None):
        return True  # displays need no login: what they receive is public

    def on_disconnect(self, reason=None):
        self.following.pop(request.sid, None)

    def on_join(self, data):
        """Follow a hall: leave any other, then the snapshot. The room is joined before the
        snapshot is read, so no event committed after it can be missed. ``windows`` (a list
        of numbers) makes the snapshot's recent calls those of that group of windows."""
        code = data.get("hall") if isinstance(data, dict) else None
        windows = data.get("windows") if isinstance(data, dict) else None
        valid_windows = windows is None or (
            isinstance(windows, list) and len(windows) <= 999
            and all(isinstance(n, int) and 0 < n < 1000 for n in windows))
        if not isinstance(code, str) or not _HALL_CODE.match(code) or not valid_windows:
            emit("problem", {"code": "invalid-request",
                             "title": 'join needs {"hall": code, "windows": [numbers]?}'})
            return
        try:
            with consistent_read(db.session) as session:
                hall = queue.get_hall(session, code)
                before = self.following.get(request.sid)
                if before is not None and before != code:
                    leave_room(room(before))
                join_room(room(code))
                self.following[request.sid] = code
                state = floor.floor_state(session, hall, windows=windows or None)
        except HallError as error:
            emit("problem", {"code": error.code, "title": translate(error)})
            return
        emit("state", state)

    def on_sync(self, data):
        """Ask for a fresh snapshot (after a gap in the sequence)."""
        self.on_join(data)

    def trigger_event(self, event, *args):
        """Only the events above exist; anything else a client sends is ignored."""
        if event in ("connect", "disconnect", "join", "sync"):
            return super().trigger_event(event, *args)
        return None

