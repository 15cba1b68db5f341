"""Managers' dashboards: a hall's snapshot when its events say it changed, gathered."""
from __future__ import annotations

import logging
import threading

from flask import Flask
from sqlalchemy import select

from hall import dashboard
from hall.db import consistent_read
from hall.models import Hall
from hall.web.extensions import db

from .rooms import STAFF_NAMESPACE, dashboard_room

log = logging.getLogger(__name__)

# Seconds between two dashboard snapshots of a hall.
DASHBOARD_INTERVAL = 0.3


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
