"""From committed events to Socket.IO: one thread per process sends the hall floor's events
to the displays and consoles in that hall's room, in sequence.

Events are handed over by the transaction that made them, after its commit, and sent from
here, so that a request never waits for a thousand sockets. Every message carries the
absolute waiting count of every service, read after the commit: a message may carry counts
a little newer than its own event, never older, so a display always converges on the truth.
The same code emits through Redis (``message_queue``) when several processes serve the hall.

Every batch also marks its halls' dashboards stale: ``DashboardPusher`` sends managers a
fresh snapshot at once, and then at most once per ``DASHBOARD_INTERVAL`` however many events
arrive, so a burst of calls costs a few snapshots, not one per event.
"""
from __future__ import annotations

import logging
import queue as queues
import threading
import time

from flask import Flask
from sqlalchemy import select

from hall import board, clock, dashboard, events
from hall.db import consistent_read
from hall.models import Hall
from hall.web.extensions import db

from hall.web.staff_sockets import NAMESPACE as STAFF_NAMESPACE
from hall.web.staff_sockets import dashboard_room
from hall.web.staff_sockets import room as staff_room

from .sockets import NAMESPACE, room

log = logging.getLogger(__name__)

# A service added or renamed reaches the displays' counts within this many seconds.
CATALOGUE_TTL = 30.0
# Seconds between two dashboard snapshots of a hall.
DASHBOARD_INTERVAL = 0.3
# Besides the floor, staff consoles follow cases and ratings (on their own namespace).
STAFF_KINDS = ("case.", "rating.")
# Devices (registered, locked, issuing unusually fast) change only the managers' dashboard.
DASHBOARD_KINDS = ("device.",)
CALL_KINDS = {"ticket.called", "ticket.recalled", "ticket.resumed"}
# What a floor event leaves a window showing; other events leave the window as it was.
_WINDOW_AFTER = {
    "ticket.called": lambda d: {"state": "open", "serving": d["number"]},
    "ticket.recalled": lambda d: {"state": "open", "serving": d["number"]},
    "ticket.resumed": lambda d: {"state": "open", "serving": d["number"]},
    "ticket.serving": lambda d: {"serving": d["number"]},
    "ticket.finished": lambda d: {"serving": None},
    "ticket.no_show": lambda d: {"serving": None},
    "ticket.no_show_undone": lambda d: {"serving": d["number"]},
    "ticket.held": lambda d: {"serving": None},
    "ticket.transferred": lambda d: {"serving": None},
    "window.opened": lambda d: {"state": "open"},
    "window.resumed": lambda d: {"state": "open"},
    # A window pauses only when nobody is at it: it shows no call until it is open again.
    "window.paused": lambda d: {"state": "paused", "serving": None},
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
        self.dashboards = DashboardPusher(app, socketio)

    def receive(self, event: dict) -> None:
        followed = STAFF_KINDS + DASHBOARD_KINDS
        if event.get("seq") is None and not event["kind"].startswith(followed):
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
        self.dashboards.stop(timeout)

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
            if event["kind"].startswith(DASHBOARD_KINDS):
                continue
            if event.get("seq") is None:  # a case or rating event: for staff only
                self.socketio.emit("case", staff_message(event), namespace=STAFF_NAMESPACE,
                                   to=staff_room(event["hall"]))
                continue
            waiting, names = counts[event["hall"]]
            name, body = message(event, waiting, names)
            self.socketio.emit(name, body, namespace=NAMESPACE, to=room(event["hall"]))
        self.dashboards.touch({e["hall"] for e in batch})

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


class DashboardPusher:
    """Sends a hall's dashboard snapshot to its managers when its events say it changed: the
    first change at once, the ones that follow gathered for ``DASHBOARD_INTERVAL``."""

    def __init__(self, app: Flask, socketio, interval: float = DASHBOARD_INTERVAL) -> None:
        self.app, self.socketio, self.interval = app, socketio, interval
        self._stale: set[str] = set()
        self._wake = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def touch(self, halls: set[str]) -> None:
        """The figures of these halls have changed."""
        with self._wake:
            if self._stopping:
                return
            self._stale |= halls
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="dashboard-pusher",
                                                daemon=True)
                self._thread.start()
            self._wake.notify()

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread; snapshots not yet sent are dropped (nobody will read them)."""
        with self._wake:
            self._stopping = True
            self._stale.clear()
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stale and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                halls, self._stale = self._stale, set()
            try:
                self._push(halls)
            except Exception:  # the next change must still go out
                log.exception("dashboard snapshot of %s failed", sorted(halls))
            with self._wake:  # gather what comes meanwhile, unless stopped
                self._wake.wait_for(lambda: self._stopping, timeout=self.interval)

    def _watched(self, halls: set[str]) -> set[str]:
        """The halls someone watches. With a message queue the watchers may be connected to
        another process, which this one cannot see: then every hall is sent."""
        if self.app.config.get("REDIS_URL"):
            return halls
        handler = self.socketio.server.namespace_handlers.get(STAFF_NAMESPACE)
        watched = getattr(handler, "watched_halls", None)
        return halls & watched() if watched else halls

    def _push(self, halls: set[str]) -> None:
        halls = self._watched(halls)
        if not halls:
            return
        bodies = {}
        with self.app.app_context():
            try:
                with consistent_read(db.session) as session:
                    for hall in session.scalars(select(Hall).where(Hall.code.in_(halls))):
                        bodies[hall.code] = dashboard.snapshot(session, hall).as_dict()
            finally:
                db.session.remove()
        for code, body in bodies.items():
            self.socketio.emit("dashboard", body, namespace=STAFF_NAMESPACE,
                               to=dashboard_room(code))
