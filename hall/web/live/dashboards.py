"""Managers' dashboards: a hall's snapshot when its events say it changed, gathered.

A snapshot is built only by a process that has a manager watching that hall, and sent only to
that process's own watchers (``ignore_queue``). With several processes (``REDIS_URL``), the
process whose move changed a hall tells its own pusher at once and says so on a Redis channel
(beside ``SOCKETIO_CHANNEL``), and every other process that watches the hall builds its own:
one Redis message per batch of events, instead of every process building every hall it
moved, watched or not (a snapshot is 15-40 ms of a worker's loop, every
``DASHBOARD_INTERVAL``).
"""
from __future__ import annotations

import logging
import threading
import uuid

from flask import Flask
from sqlalchemy import select

from hall import dashboard
from hall.db import consistent_read
from hall.models import Hall
from hall.web.extensions import db

from .channel import SUBSCRIBE_SECONDS, HallChannel
from .rooms import STAFF_NAMESPACE, dashboard_room

log = logging.getLogger(__name__)

# Seconds between two dashboard snapshots of a hall.
DASHBOARD_INTERVAL = 0.3
CHANNEL_SUFFIX = ":dashboards"  # the Redis channel (beside SOCKETIO_CHANNEL) of changed halls


class DashboardPusher:
    """Sends a hall's dashboard snapshot to its managers when its events say it changed: the
    first change at once, the ones that follow gathered for ``DASHBOARD_INTERVAL``."""

    def __init__(self, app: Flask, socketio, interval: float = DASHBOARD_INTERVAL) -> None:
        self.app, self.socketio, self.interval = app, socketio, interval
        self._stale: set[str] = set()
        self._wake = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._listener: threading.Thread | None = None
        self.hall_channel = HallChannel(app.config, CHANNEL_SUFFIX, "dashboards")
        self.snapshots = 0  # built, for tests and benchmarks
        self.origin = uuid.uuid4().hex  # this process's name on the channel

    def touch(self, halls: set[str]) -> None:
        """The figures of these halls have changed (in this process's moves): this process's
        watchers at once, and with Redis every other process's."""
        if not halls:
            return
        self.changed(halls)
        if self.hall_channel.url:
            try:
                self.hall_channel.publish({"from": self.origin, "halls": sorted(halls)})
            except Exception:  # the next change tells them again
                log.exception("could not announce changed halls to the dashboards")

    def listen(self) -> None:
        """(Before a first watch in this process) hear the changes of every process: the
        snapshot the watcher is sent next is read after this, so nothing is missed."""
        if not self.hall_channel.url:
            return
        with self._wake:
            if self._listener is None:
                self._listener = threading.Thread(target=self._listen, name="dashboard-listen",
                                                  daemon=True)
                self._listener.start()
        self.hall_channel.subscribed.wait(SUBSCRIBE_SECONDS)

    def changed(self, halls) -> None:
        """The figures of these halls have changed somewhere."""
        with self._wake:
            if self._stopping:
                return
            self._stale |= set(halls)
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
        """The halls some connection of this process watches."""
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
                        self.snapshots += 1
            finally:
                db.session.remove()
        for code, body in bodies.items():
            # This process's watchers only: every watching process sends its own.
            self.socketio.emit("dashboard", body, namespace=STAFF_NAMESPACE,
                               to=dashboard_room(code), ignore_queue=True)

    def _listen(self) -> None:
        """Hear which halls changed in the other processes, for this process's watchers."""
        self.hall_channel.listen(self._heard, lambda: self._stopping)

    def _heard(self, said: dict) -> None:
        if said["from"] != self.origin:  # this process's own: already in hand
            self.changed(said["halls"])
