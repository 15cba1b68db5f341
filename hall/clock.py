"""The hall's notion of now, replaceable in tests and simulations."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Iterator
from zoneinfo import ZoneInfo

_source: Callable[[], datetime] = lambda: datetime.now(timezone.utc)


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return _source()


def local_date(at: datetime, tz: str) -> date:
    """The calendar date at ``at`` in the hall's time zone: numbering restarts on it."""
    return at.astimezone(ZoneInfo(tz)).date()


@contextmanager
def frozen(at: datetime) -> Iterator["FrozenClock"]:
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
