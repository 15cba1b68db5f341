"""Public views kept rendered in the process, each as long as what it was built from holds.

The public page of a visit (what a QR scan without the code opens, the most-read page of the
hall) is the same for every reader until the visit or one of its cases records an event. So
it is kept, per address and language, with the stamp it was rendered for (``progress.stamp``:
the visit's status and its last event), and served again while one indexed query finds the
same stamp: a change made by any process is seen at once. The hall's queue is kept the same
way for its floor sequence, a Q&A search for the hall's Q&A sequence (``hall.qa.STAMP``), and
``hall.web.kept`` keeps whole answers with this class. ``TTL`` bounds what no stamp marks (a
renamed service item or division, an edited guide). Views with the access code are never kept.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from flask import current_app

SIZE = 10_000  # views kept per process
TTL = 60.0     # seconds


class Views:
    def __init__(self, size: int = SIZE, ttl: float = TTL) -> None:
        self.size, self.ttl = size, ttl
        self._kept: dict[tuple, tuple[tuple, float, object]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple, stamp: tuple, render: Callable[[], object]):
        """The view kept for ``key`` if rendered for ``stamp``, else ``render()`` kept."""
        view = self.peek(key, stamp)
        if view is None:
            view = render()
            self.put(key, stamp, view)
        return view

    def peek(self, key: tuple, stamp: tuple):
        """The view kept for ``key`` if it was rendered for ``stamp`` and is fresh, else None."""
        kept = self._kept.get(key)
        if kept is not None and kept[0] == stamp and kept[1] > time.monotonic():
            return kept[2]
        return None

    def put(self, key: tuple, stamp: tuple, view: object) -> None:
        with self._lock:
            self._kept.pop(key, None)
            self._kept[key] = (stamp, time.monotonic() + self.ttl, view)
            while len(self._kept) > self.size:
                self._kept.pop(next(iter(self._kept)))  # the oldest kept


def views() -> Views:
    """This app's views (per app, so that apps on different databases never share one)."""
    return current_app.extensions.setdefault("tracking_views", Views())
