"""The floor as joining displays receive it: built once per hall and floor sequence, at most a
few builds at a time (#11.3).

A display that joins needs the whole floor. Read for each join, a thousand displays joining at
once (after a restart, or a flood) held a thousand database connections and starved the
kiosks. Here a join reads only the hall's floor sequence (one indexed row, the connection
given back at once); while that number has not moved, the floor is the one already built for
it. At most ``BUILDS`` joins use the database at the same time, whatever the number of
sockets; the others wait their turn without holding a connection.

A snapshot is also dropped after ``KEEP_SECONDS``: a renamed service or a new window does not
move the floor sequence, and should still reach a display that joins.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from contextlib import contextmanager

from sqlalchemy import bindparam, select

from hall import floor, queue
from hall.db import consistent_read
from hall.errors import UnknownHall
from hall.models import Hall
from hall.web.extensions import db

BUILDS = 2          # joins reading the database at once
KEEP = 64           # snapshots kept (halls × groups of windows)
KEEP_SECONDS = 30.0
WAIT_SECONDS = 10.0  # a join waits this long for its turn, then is told the hall is busy

_SEQ = select(Hall.floor_seq).where(Hall.code == bindparam("code"))


class Busy(Exception):
    """Too many joins are waiting for the database: try again shortly."""


class FloorSnapshots:
    def __init__(self, builds: int = BUILDS) -> None:
        self._turns = threading.BoundedSemaphore(builds)
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple, tuple[float, dict]] = OrderedDict()
        self._building: dict[tuple, threading.Event] = {}
        self.built = 0  # snapshots read from the database, for tests and logs

    def state(self, code: str, windows: list[int] | None) -> dict:
        """The floor of hall ``code`` as of now, or newer (UnknownHall if there is none;
        Busy when the database is too busy with other joins)."""
        with self._turn():
            with db.engine.connect() as connection:
                seq = connection.execute(_SEQ, {"code": code}).scalar()
        if seq is None:
            raise UnknownHall(hall=code)
        key = (code, seq, tuple(windows) if windows else None)
        kept = self._kept_state(key)
        if kept is not None:
            return kept
        with self._lock:  # one build per snapshot: the others wait for it
            building = self._building.get(key)
            if building is None:
                self._building[key] = threading.Event()
        if building is not None:
            building.wait(WAIT_SECONDS)
            kept = self._kept_state(key)
            if kept is not None:
                return kept
        try:
            with self._turn():
                state = self._build(code, windows)
            with self._lock:
                expires = time.monotonic() + KEEP_SECONDS
                # Kept under the sequence asked for as well: a snapshot newer than a join's
                # sequence number serves it just as well (the room was joined before).
                for seq_key in {key, (code, state["seq"], key[2])}:
                    self._kept[seq_key] = (expires, state)
                while len(self._kept) > KEEP:
                    self._kept.popitem(last=False)
                self.built += 1
            return state
        finally:
            if building is None:
                with self._lock:
                    self._building.pop(key).set()

    def _kept_state(self, key: tuple) -> dict | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is None or kept[0] <= time.monotonic():
                return None
            self._kept.move_to_end(key)
            return kept[1]

    @contextmanager
    def _turn(self):
        """One of the few turns at the database that joins may take at once."""
        if not self._turns.acquire(timeout=WAIT_SECONDS):
            raise Busy()
        try:
            yield
        finally:
            self._turns.release()

    def _build(self, code: str, windows: list[int] | None) -> dict:
        try:
            with consistent_read(db.session) as session:
                hall = queue.get_hall(session, code)
                return floor.floor_state(session, hall, windows=windows)
        finally:
            db.session.remove()  # the connection goes back before the snapshot is sent
