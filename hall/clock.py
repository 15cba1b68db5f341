"""The hall's notion of now, replaceable in tests, demos and training rooms.

Three sources, one at a time:

- the real time (the default);
- a running clock that starts at a chosen instant and runs on from there: ``HALL_CLOCK``
  (SPEC §7) starts it for a whole process with :func:`start`; tests use
  :func:`running_from` for the length of one test;
- a frozen clock (:func:`frozen`) that stands still until a test advances it.

A running clock counts with the process's monotonic clock, so a change of the machine's time
never moves it backwards. ``since`` (a wall-clock epoch) lets the processes of one start
share one hall time: gunicorn's workers, or a worker restarted an hour later, begin where the
first process's clock is now instead of at the starting instant again.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def _real() -> datetime:
    return datetime.now(UTC)


_source: Callable[[], datetime] = _real
_started_at: datetime | None = None  # HALL_CLOCK's instant, while it drives this process


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return _source()


def local_date(at: datetime, tz: str) -> date:
    """The calendar date at ``at`` in the hall's time zone: numbering restarts on it."""
    return at.astimezone(ZoneInfo(tz)).date()


# -- a clock that starts at a chosen instant and runs on -------------------------------------

class RunningClock:
    """Now is ``at`` plus the time elapsed since the clock started (monotonic)."""

    def __init__(self, at: datetime, *, since: float | None = None) -> None:
        if at.tzinfo is None:
            raise ValueError("a hall clock needs an aware datetime")
        self.at = at.astimezone(UTC)
        elapsed = 0.0 if since is None else max(0.0, time.time() - since)
        self._origin = time.monotonic() - elapsed

    def now(self) -> datetime:
        return self.at + timedelta(seconds=time.monotonic() - self._origin)


def parse_setting(text: str) -> datetime:
    """``HALL_CLOCK``'s value: an ISO 8601 instant with its zone, e.g.
    ``2026-12-07T10:00:00+08:00``. A time without a zone is refused: it would mean a
    different instant on every machine."""
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"HALL_CLOCK={text!r} is not an ISO 8601 instant; write it like "
                         "2026-12-07T10:00:00+08:00") from None
    if at.tzinfo is None:
        raise ValueError(f"HALL_CLOCK={text!r} has no zone; write it like "
                         "2026-12-07T10:00:00+08:00")
    return at


def start(at: datetime, *, since: float | None = None) -> None:
    """Run this process's hall clock from ``at`` (``HALL_CLOCK``), for good."""
    global _source, _started_at
    _source, _started_at = RunningClock(at, since=since).now, at


def started_at() -> datetime | None:
    """The instant ``HALL_CLOCK`` started this process's clock at; None on the real time."""
    return _started_at


@contextmanager
def running_from(at: datetime) -> Iterator[RunningClock]:
    """Let the clock run from ``at`` for the duration (a test's own hall time)."""
    global _source
    clock = RunningClock(at)
    previous, _source = _source, clock.now
    try:
        yield clock
    finally:
        _source = previous


# -- a clock that stands still ---------------------------------------------------------------

@contextmanager
def frozen(at: datetime) -> Iterator[FrozenClock]:
    """Stop the clock at ``at`` (aware) for the duration; ``advance`` moves it on."""
    global _source
    clock = FrozenClock(at)
    previous, _source = _source, clock.now
    try:
        yield clock
    finally:
        _source = previous


class FrozenClock:
    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a frozen clock needs an aware datetime")
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at
