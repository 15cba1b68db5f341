"""The ``/display`` Socket.IO namespace: read-only, one room per hall.

A client emits ``join`` with ``{"hall": "HQ"}`` and receives ``state`` at once: the whole
floor with the sequence number it reflects. Then it receives ``called`` and ``queue``
messages, each with the next number of the hall's floor sequence. A gap, or a reconnect,
and the client emits ``join`` again to re-sync. Nothing a display sends can change anything.

Only devices open this namespace (SPEC §7): a registered wall display (its token or its
enrolled browser's cookie) or a client on a trusted network; anyone else is refused at
``connect`` with the problem ``device-required``. A registered display follows only its own
hall. Joins are cheap and bounded (``snapshots``): a few at a time read the database, each
connection may ask only so often, and the floor is read once per change, not once per join.
"""
from __future__ import annotations

import re
import threading
import time
from collections import deque

from flask import request
from flask_socketio import ConnectionRefusedError, Namespace, emit, leave_room

from hall.errors import HallError
from hall.web import devices
from hall.web.live.rooms import DISPLAY_NAMESPACE, enter, floor_room
from hall.web.problems import translate

from .snapshots import Busy, FloorSnapshots

NAMESPACE = DISPLAY_NAMESPACE  # (hall/web/live/rooms.py)
# Who may follow a hall's floor: its wall displays, and its rating tablets, which follow their
# window to offer the visit it has just finished.
FOLLOWERS = ("display", "rating")
_HALL_CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
# A display joins once, and again after a gap or a reconnect: more than this in the window
# is not a display re-syncing, and is ignored.
JOINS, JOIN_WINDOW = 6, 10.0


room = floor_room


class DisplayNamespace(Namespace):
    def __init__(self, namespace: str) -> None:
        super().__init__(namespace)
        # The hall each connection follows. Kept here rather than read back from the room
        # table, which python-socketio iterates without a lock while others connect.
        self.following: dict[str, str] = {}
        self.snapshots = FloorSnapshots()
        self._joins: dict[str, deque] = {}
        self._lock = threading.Lock()

    def on_connect(self, auth=None):
        """A display device, or the problem (device-required, -locked, -outside-hours)."""
        try:
            devices.require(FOLLOWERS)
        except HallError as error:
            raise ConnectionRefusedError(error.code, {
                "code": error.code, "status": error.status,
                "title": translate(error)}) from None
        return True

    def on_disconnect(self, reason=None):
        self.following.pop(request.sid, None)
        with self._lock:
            self._joins.pop(request.sid, None)

    def _may_join(self, sid: str) -> bool:
        now = time.monotonic()
        with self._lock:
            recent = self._joins.setdefault(sid, deque(maxlen=JOINS))
            if len(recent) == JOINS and now - recent[0] < JOIN_WINDOW:
                return False
            recent.append(now)
            return True

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
            # Again at each join: a display locked or revoked meanwhile is refused, and a
            # registered display follows only its own hall.
            devices.require(FOLLOWERS, code)
        except HallError as error:
            emit("problem", {"code": error.code, "title": translate(error)})
            return
        if not self._may_join(request.sid):
            emit("problem", {"code": "too-many-requests"})
            return
        before = self.following.get(request.sid)
        if before is not None and before != code:
            leave_room(room(before))
        if not enter(room(code)):
            return
        self.following[request.sid] = code
        try:
            state = self.snapshots.state(code, windows or None)
        except Busy:
            emit("problem", {"code": "busy"})
            return
        except HallError as error:
            leave_room(room(code))
            self.following.pop(request.sid, None)
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

