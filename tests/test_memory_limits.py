"""The rate limiter's in-process storage: right counts, expired ones swept, and no timer
thread started per request (hall/web/memory_limits.py)."""
from __future__ import annotations

import threading

import pytest
from limits import parse
from limits.storage import memory as library_memory
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from hall.web import memory_limits
from hall.web.extensions import limiter
from hall.web.memory_limits import SweptMemoryStorage


def _timers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if isinstance(t, threading.Timer) and t.is_alive()]


def test_the_hall_counts_in_the_swept_storage_without_redis(app):
    assert app.config["RATELIMIT_STORAGE_URI"] == "hall-memory://"
    with app.app_context():
        assert isinstance(limiter.storage, SweptMemoryStorage)


def test_counting_starts_no_timer_thread():
    storage = SweptMemoryStorage()
    storage.timer.join(1)  # the library's first one, cancelled at once
    before = _timers()
    fixed, moving = FixedWindowRateLimiter(storage), MovingWindowRateLimiter(storage)
    item = parse("1000 per minute")
    for n in range(300):
        assert fixed.hit(item, "203.0.113.7", f"scope-{n % 7}")
        assert moving.hit(item, "device", str(n % 3))
    assert _timers() == before  # the library's MemoryStorage leaves one behind every 10 ms


def test_limits_hold_and_expired_counts_are_swept(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(library_memory.time, "time", lambda: now[0])
    storage = SweptMemoryStorage()
    fixed, moving = FixedWindowRateLimiter(storage), MovingWindowRateLimiter(storage)
    two = parse("2 per minute")
    for limiter_ in (fixed, moving):
        assert limiter_.hit(two, "phone", "a") and limiter_.hit(two, "phone", "a")
        assert not limiter_.hit(two, "phone", "a")  # the third within the minute is refused
    for n in range(50):
        fixed.hit(two, "phone", f"gone-{n}")
    assert len(storage.storage) > 50

    now[0] += 61  # every window has ended; the next count sweeps (no more than once a second)
    storage._next_sweep = 0
    assert fixed.hit(two, "phone", "a") and moving.hit(two, "phone", "a")
    assert not any(key.endswith(tuple(f"gone-{n}" for n in range(50))) for key in storage.storage)
    assert len(storage.storage) == 1 and len(storage.events) == 1  # only the new counts


def test_a_sweep_is_due_at_most_once_a_second(monkeypatch):
    storage, sweeps = SweptMemoryStorage(), []
    monkeypatch.setattr(storage, "_MemoryStorage__expire_events", lambda: sweeps.append(1))
    item = parse("1000 per minute")
    storage._next_sweep = 0
    for _ in range(100):
        FixedWindowRateLimiter(storage).hit(item, "phone", "a")
    assert len(sweeps) == 1
    assert storage._next_sweep - memory_limits.time.monotonic() == pytest.approx(
        memory_limits.SWEEP_SECONDS, abs=0.5)
