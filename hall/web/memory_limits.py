"""The rate limiter's in-process storage (``hall-memory://``, the default without Redis).

It is the ``limits`` library's ``MemoryStorage`` with one change: how expired counts are
swept away. The library starts a new ``threading.Timer`` of 10 ms whenever the last one
has run, on the request that counts, and each timer walks every key: under gevent a new
greenlet a hundred times a second, and a walk that grows with the number of addresses
counted (phones polling). ``bench/rate_limits.py``: at 500 counts a second, 22% of a core
with 20,000 addresses counted, against 4.8% here.

The sweep is only housekeeping: every read of a count checks its expiry itself
(``get``), and a moving window compares timestamps, so a count is right whether or not it
was swept. Here the request that counts sweeps, at most once per ``SWEEP_SECONDS``, in
place: no thread, and a walk over the keys once a second instead of a hundred times.
"""
from __future__ import annotations

import threading
import time

from limits.storage import MemoryStorage

SWEEP_SECONDS = 1.0


class SweptMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = ["hall-memory"]  # registered with ``limits`` when this class is made

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()  # the library's first timer; no other is started
        self._next_sweep = time.monotonic() + SWEEP_SECONDS
        self._sweeping = threading.Lock()

    # Called by MemoryStorage before every count it changes (its private name, overridden
    # here; the test in tests/test_memory_limits.py fails if a new version of the library
    # stops calling it, or starts timers again).
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now < self._next_sweep or not self._sweeping.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]
        finally:
            self._sweeping.release()
