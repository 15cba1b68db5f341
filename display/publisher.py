"""From committed events to Socket.IO: one thread per process sends the hall floor's events
to the displays and consoles in that hall's room, in sequence.

Events are handed over by the transaction that made them, after its commit, and sent from
here, so that a request never waits for a thousand sockets. Every message carries the
absolute waiting count of every service, read after the commit: a message may carry counts
a little newer than its own event, never older, so a display always converges on the truth.
The same code emits through Redis (``message_queue``) when several processes serve the hall.
"""
from __future__ import annotations

import logging
import queue as queues
import threading
import time

from flask import Flask
from sqlalchemy import select

from hall import board, clock, events
from hall.models import Hall
from hall.web.extensions import db

from hall.web.staff_sockets import NAMESPACE as STAFF_NAMESPACE
from hall.web.staff_sockets import room as staff_room

from .sockets import NAMESPACE, room

log = logging.getLogger(__name__)

# A service added or renamed reaches the displays' counts within this many seconds.
CATALOGUE_TTL = 30.0
# Besides the floor, staff consoles follow cases and ratings (on their own namespace).
STAFF_KINDS = ("case.", "rating.")
CALL_KINDS = {"ticket.called", "ticket.recalled", "ticket.resumed"}
# What a floor event leaves a window showing; other events leave the window as it was.
_WINDOW_AFTER = {
    "ticket.called": lambda d: {"state": "open", "serving": d["number"]},
    "ticket.recalled": lambda d: {"state": "open", "serving": d["number"]},
    "ticket.resumed": lambda d: {"state": "open", "serving": d["number"]},
    "ticket.serving": lambda d: {"serving": d["number"]},
    "ticket.finished": lambda d: {"serving": None},
    "ticket.no_show": lambda d: {"serving": None},
    "ticket.held": lambda d: {"serving": None},
    "ticket.transferred": lambda d: {"serving": None},
    "window.opened": lambda d: {"state": "open"},
    "window.resumed": lambda d: {"state": "open"},
    "window.paused": lambda d: {"state": "paused"},
    "window.closed": lambda d: {"state": "closed", "serving": None},
}


def staff_message(event: dict) -> dict:
    """A case or rating event as staff consoles receive it (names are never in events)."""
    data = event["data"]
    return {"id": event["id"], "hall": event["hall"], "kind": event["kind"],
            "at": event["at"], "case_id": event["case_id"], "ticket_id": event["ticket_id"],
            "state": data.get("state"), "warning": data.get("after"),
            "division": data.get("division")}


def message(event: dict, waiting: dict[str, int], names: dict[str, tuple[str, str]]) -> tuple[str, dict]:
    """(Socket.IO event name, payload) for one committed floor event."""
    data = event["data"]
    body = {"seq": event["seq"], "hall": event["hall"], "kind": event["kind"].split(".", 1)[1],
            "at": event["at"], "waiting": waiting}
    if "number" in data:
        body["number"] = data["number"]
    if "window_no" in data and event["kind"] in _WINDOW_AFTER:
        body["window"] = {"no": data["window_no"], **_WINDOW_AFTER[event["kind"]](data)}
    if "service" in data:
        body["service"] = data["service"]
        body["name"], body["name_en"] = names.get(data["service"], (data["service"],) * 2)
    if event["kind"] == "ticket.transferred":
        body.update(to_service=data.get("to_service"), to_window=data.get("to_window"))
    if event["kind"] in CALL_KINDS:
        body["window_no"] = data["window_no"]
        body["call_count"] = data.get("call_count", 1)
        return "called", body
    return "queue", body


class FloorPublisher:
    """Receives every committed event of this process and emits the floor ones."""

    def __init__(self, app: Flask, socketio) -> None:
        self.app, self.socketio = app, socketio
        self.inbox: queues.Queue = queues.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        with app.app_context():
            engine = db.engine
        self._unsubscribe = events.subscribe(self.receive, engine)
        self._catalogue: dict[str, tuple] = {}

    def receive(self, event: dict) -> None:
        if event.get("seq") is None and not event["kind"].startswith(STAFF_KINDS):
            return
        self.inbox.put(event)
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="floor-publisher",
                                                    daemon=True)
                    self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop receiving; send what was already received, then end the thread."""
        self._unsubscribe()
        if self._thread is not None:
            self.inbox.put(None)
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            batch = [self.inbox.get()]
            while len(batch) < 200:  # a burst is sent with one read of the counts per hall
                try:
                    batch.append(self.inbox.get_nowait())
                except queues.Empty:
                    break
            stop = None in batch
            batch = [e for e in batch if e is not None]
            try:
                self._send(batch)
            except Exception:  # the next batch must still go out
                log.exception("floor publisher failed to send %d events", len(batch))
            if stop:
                return

    def _send(self, batch: list[dict]) -> None:
        floor = [e for e in batch if e.get("seq") is not None]
        with self.app.app_context():
            counts = {code: self._counts(code) for code in {e["hall"] for e in floor}}
            db.session.remove()
        for event in batch:
            if event.get("seq") is None:  # a case or rating event: for staff only
                self.socketio.emit("case", staff_message(event), namespace=STAFF_NAMESPACE,
                                   to=staff_room(event["hall"]))
                continue
            waiting, names = counts[event["hall"]]
            name, body = message(event, waiting, names)
            self.socketio.emit(name, body, namespace=NAMESPACE, to=room(event["hall"]))

    def _counts(self, code: str) -> tuple[dict[str, int], dict[str, tuple[str, str]]]:
        """Waiting per service (zeros included) and the services' names: one count per
        batch, the list of services re-read every half minute."""
        known = self._catalogue.get(code)
        if known is None or known[0] < time.monotonic():
            hall = db.session.scalar(select(Hall).where(Hall.code == code))
            day = clock.local_date(clock.now(), hall.timezone)
            lines = board.service_lines(db.session, hall, day)
            names = {s.code: (s.name_zh, s.name_en) for s in lines}
            self._catalogue[code] = (time.monotonic() + CATALOGUE_TTL, hall.id, hall.timezone,
                                     names)
            return {s.code: s.waiting for s in lines}, names
        _expires, hall_id, timezone, names = known
        waiting = board.waiting_by_service(db.session, hall_id,
                                           clock.local_date(clock.now(), timezone))
        return {code: waiting.get(code, 0) for code in names}, names
