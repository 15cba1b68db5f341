"""The ``/staff`` Socket.IO namespace: live case and rating events for signed-in staff.

A connection without a signed-in session is refused. Staff follow their own hall; a provincial
manager may ``join`` another. Like displays, staff consoles send nothing that changes anything:
every move goes through a form or the API.
"""
from __future__ import annotations

from flask import request
from flask_login import current_user
from flask_socketio import Namespace, emit, join_room, leave_room

from hall import queue
from hall.errors import HallError

from .auth import sees_hall
from .extensions import db

NAMESPACE = "/staff"


def room(hall_code: str) -> str:
    return f"staff:{hall_code}"


class StaffNamespace(Namespace):
    def __init__(self, namespace: str = NAMESPACE) -> None:
        super().__init__(namespace)
        self.following: dict[str, str] = {}

    def on_connect(self, auth=None):
        if not current_user.is_authenticated:
            return False  # refused: nothing here is public
        code = current_user.hall.code
        join_room(room(code))
        self.following[request.sid] = code
        return True

    def on_disconnect(self, reason=None):
        self.following.pop(request.sid, None)

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
        join_room(room(hall.code))
        self.following[request.sid] = hall.code
        emit("joined", {"hall": hall.code})

    def trigger_event(self, event, *args):
        if event in ("connect", "disconnect", "join"):
            return super().trigger_event(event, *args)
        return None
