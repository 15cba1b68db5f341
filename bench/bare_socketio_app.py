"""The baseline for ``bench/display_latency.py``: the least a broadcast to displays can cost
on our stack.

Flask + Flask-SocketIO, served exactly as ``run.py`` serves the hall (gunicorn, one gevent
worker, Flask-SocketIO in gevent mode: bench/gunicorn_bare.conf.py; no access log), with a
``/display`` namespace whose ``join`` puts the client
in room ``hall:HQ`` and answers a small ``state``, and ``POST /call`` that emits one ``called``
message to that room, right in the request, with the same payload as the hall's (copied from a
real one: same fields, same size). No database, no publisher thread, no ``queue`` messages:
whatever the hall's delivery costs beyond this is the hall's own work.

Run: ``PORT=5002 .venv/bin/python bench/bare_socketio_app.py`` (the benchmark starts it itself).
"""
from __future__ import annotations

import itertools
import os
from datetime import UTC, datetime

from bare_app import _mode, serve
from flask import Flask, jsonify, request
from flask_socketio import Namespace, SocketIO, emit, join_room

# A real ``called`` message of the demo hall HQ (window 3 calls A001), as hall/live.py
# builds it: the waiting count of each of the hall's 14 services rides along on every message.
CALLED = {
    "seq": 3, "hall": "HQ", "kind": "called", "at": "2026-11-22T05:40:43.663121+00:00",
    "waiting": {"EXAM": 0, "TITLE": 0, "TRANSFER": 0, "AGENCY": 0, "ARCHIVE": 0, "SKILL": 0,
                "INSURE": 0, "WAGE": 0, "CERT": 0, "CONTRACT": 0, "ARMY": 0, "CONSULT": 0,
                "RECRUIT": 0, "ARCHPROOF": 0},
    "number": "A001", "window": {"no": 3, "state": "open", "serving": "A001"},
    "service": "EXAM", "name": "公务员考试录用资格复审",
    "name_en": "Civil service recruitment examination: qualification review",
    "window_no": 3, "call_count": 1,
}
NAMESPACE, ROOM = "/display", "hall:HQ"

app = Flask(__name__)
# The hall's own settings (hall/web/__init__.py). With BARE_MESSAGE_QUEUE (a Redis URL, and
# BARE_WORKERS=2 for gunicorn) the broadcast goes through Redis to every process, as the
# hall's does with REDIS_URL; without, none, as the hall's default.
socketio = SocketIO(app, async_mode=_mode(), cors_allowed_origins=[],
                    logger=False, engineio_logger=False,
                    message_queue=os.environ.get("BARE_MESSAGE_QUEUE") or None,
                    channel=os.environ.get("BARE_CHANNEL", "bare-socketio"))
_seq = itertools.count(CALLED["seq"])  # next() on a count is atomic under the GIL


class BareDisplay(Namespace):
    """Join the one hall's room and answer a snapshot, as the hall's namespace does."""

    def on_connect(self, auth=None):
        return True

    def on_join(self, data):
        join_room(ROOM)
        emit("state", {"hall": "HQ", "seq": 0})  # a token snapshot: joins are not measured


socketio.on_namespace(BareDisplay(NAMESPACE))


@app.get("/health")
def health():
    return jsonify({"ok": True})


@app.post("/call")
def call():
    """Broadcast a ``called`` message for the number in the body: ``{"number": "B001"}``."""
    number = request.get_json()["number"]
    body = {**CALLED, "seq": next(_seq), "number": number,
            "at": datetime.now(UTC).isoformat(),
            "window": {**CALLED["window"], "serving": number}}
    socketio.emit("called", body, namespace=NAMESPACE, to=ROOM)
    return jsonify(body)


if __name__ == "__main__":
    serve("bare_socketio_app:app")
