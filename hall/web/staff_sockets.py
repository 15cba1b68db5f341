"""The ``/staff`` Socket.IO namespace: live case and rating events for signed-in staff.

A connection without a signed-in session is refused. Staff follow their own hall; a provincial
manager may ``join`` another. Managers may also ``watch_dashboard`` halls they see: they get a
``dashboard`` snapshot at once and then after every burst of the hall's events (sent by the
publisher to the room ``dashboard:<hall>``). A window console ``follow_floor``s its hall: a
``state`` snapshot of the floor at once, then the displays' ``called``, ``queue`` and
``counts`` messages with the same sequence numbers, so a clerk's PC needs no display
registration to stay live. Like displays, staff consoles send nothing that changes anything:
every move goes through a form or the API.
"""
from __future__ import annotations

import time

from flask import current_app, request
from flask_login import current_user
from flask_socketio import Namespace, emit, join_room, leave_room

from hall import dashboard, floor, queue
from hall.db import consistent_read
from hall.errors import HallError

from .auth import sees_hall
from .extensions import db
from .live.rooms import STAFF_NAMESPACE, console_room, dashboard_room, enter, staff_room

NAMESPACE = STAFF_NAMESPACE  # (hall/web/live/rooms.py)
room = staff_room
# A console asks for the floor once, and again after a gap or a reconnect: one snapshot a
# second per connection is plenty, and keeps a looping script off the database.
FOLLOW_EVERY = 1.0


class StaffNamespace(Namespace):
    def __init__(self, namespace: str = NAMESPACE) -> None:
        super().__init__(namespace)
        self.following: dict[str, str] = {}
        # The halls whose dashboard each connection watches (a province page: several).
        self.dashboards: dict[str, set[str]] = {}
        self.floors: dict[str, tuple[str, float]] = {}  # sid → (hall, last snapshot at)

    def on_connect(self, auth=None):
        if not current_user.is_authenticated:
            return False  # refused: nothing here is public
        code = current_user.hall.code
        join_room(room(code))
        self.following[request.sid] = code
        return True

    def on_disconnect(self, reason=None):
        self.following.pop(request.sid, None)
        self.dashboards.pop(request.sid, None)
        self.floors.pop(request.sid, None)

    def watched_halls(self) -> set[str]:
        """The halls some connection of this process watches the dashboard of."""
        return {code for codes in list(self.dashboards.values()) for code in codes}

    def on_watch_dashboard(self, data):
        """Follow a hall's dashboard (managers who see the hall): the room first, then the
        snapshot, so that nothing committed in between is missed."""
        code = data.get("hall") if isinstance(data, dict) else None
        if not current_user.is_authenticated or not current_user.has_role("manager"):
            emit("problem", {"code": "forbidden"})
            return
        try:
            with consistent_read(db.session) as session:
                hall = queue.get_hall(session, code if isinstance(code, str) else "")
                if not sees_hall(current_user.staff, hall):
                    emit("problem", {"code": "forbidden"})
                    return
                # hear every process's changes before the snapshot is read (hall/web/live/
                # dashboards.py): the next change after it must reach this watcher
                current_app.extensions["floor_publisher"].dashboards.listen()
                if not enter(dashboard_room(hall.code)):
                    return
                self.dashboards.setdefault(request.sid, set()).add(hall.code)
                body = dashboard.snapshot(session, hall).as_dict()
        except HallError as error:
            emit("problem", {"code": error.code})
            return
        emit("dashboard", body)

    def on_join(self, data):
        """Follow another hall, for those who may see it."""
        code = data.get("hall") if isinstance(data, dict) else None
        try:
            hall = queue.get_hall(db.session, code if isinstance(code, str) else "")
        except HallError as error:
            emit("problem", {"code": error.code})
            return
        if not current_user.is_authenticated or not sees_hall(current_user.staff, hall):
            emit("problem", {"code": "forbidden"})
            return
        before = self.following.get(request.sid)
        if before and before != hall.code:
            leave_room(room(before))
        if not enter(room(hall.code)):
            return
        self.following[request.sid] = hall.code
        emit("joined", {"hall": hall.code})

    def on_follow_floor(self, data):
        """Follow a hall's floor as its window consoles do (staff who see the hall): the room
        first, then the snapshot, so that nothing committed in between is missed."""
        code = data.get("hall") if isinstance(data, dict) else None
        if not current_user.is_authenticated:
            emit("problem", {"code": "forbidden"})
            return
        before = self.floors.get(request.sid)
        now = time.monotonic()
        if before is not None and now - before[1] < FOLLOW_EVERY:
            emit("problem", {"code": "too-many-requests"})
            return
        try:
            with consistent_read(db.session) as session:
                hall = queue.get_hall(session, code if isinstance(code, str) else "")
                if not sees_hall(current_user.staff, hall):
                    emit("problem", {"code": "forbidden"})
                    return
                if before is not None and before[0] != hall.code:
                    leave_room(console_room(before[0]))
                if not enter(console_room(hall.code)):
                    return
                self.floors[request.sid] = (hall.code, now)
                state = floor.floor_state(session, hall)
        except HallError as error:
            emit("problem", {"code": error.code})
            return
        emit("state", state)

    def trigger_event(self, event, *args):
        if event in ("connect", "disconnect", "join", "watch_dashboard", "follow_floor"):
            return super().trigger_event(event, *args)
        return None
