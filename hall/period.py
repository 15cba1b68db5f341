"""A period of a hall's local days, and the few SQL expressions SQLite and PostgreSQL write
differently: what ``hall.stats`` and ``hall.booking_figures`` count with.

Local hours and months: PostgreSQL converts with the hall's time zone; SQLite has no time
zones, so it shifts by the zone's offset at the start of the period (exact for the halls'
Asia/Shanghai, which has no summer time).
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, cast, func
from sqlalchemy.orm import Session

from .models import Hall

# -- the period and the SQL that differs between databases ---------------------------------------

@dataclass(frozen=True)
class Period:
    """Local days ``first`` … ``last`` (inclusive) of a hall, and their bounds in UTC."""

    hall_id: int
    tz: str
    first: date
    last: date

    @classmethod
    def day(cls, hall: Hall, day: date) -> Period:
        return cls(hall.id, hall.timezone, day, day)

    @classmethod
    def days(cls, hall: Hall, first: date, last: date) -> Period:
        return cls(hall.id, hall.timezone, first, last)

    @classmethod
    def month(cls, hall: Hall, year: int, month: int) -> Period:
        first = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        return cls(hall.id, hall.timezone, first, following - timedelta(days=1))

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), ZoneInfo(self.tz)).astimezone(UTC)

    @property
    def end(self) -> datetime:
        following = self.last + timedelta(days=1)
        return datetime.combine(following, time(), ZoneInfo(self.tz)).astimezone(UTC)

    @property
    def offset_minutes(self) -> int:
        offset = self.start.astimezone(ZoneInfo(self.tz)).utcoffset()
        assert offset is not None  # a ZoneInfo always has one
        return int(offset.total_seconds() // 60)


def on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


B = TypeVar("B", bound=Callable)


def built_once(build: B) -> B:
    """Keep the statements a builder makes, by its arguments (whether on PostgreSQL, the
    period, flags), for builders whose statement depends on nothing else. A manager's
    dashboard asks for the same day's figures every few tenths of a second while the hall
    moves, and building these statements, then computing their cache keys, was most of a
    snapshot (~40 ms): a statement used again is neither built nor keyed again (SQLAlchemy
    keeps a statement's cache key on it)."""
    return functools.lru_cache(maxsize=64)(build)  # type: ignore[return-value]


class Sql:
    """The few expressions SQLite and PostgreSQL write differently."""

    def __init__(self, session: Session | bool, period: Period) -> None:
        """``session``: the session the expressions are for, or whether it is PostgreSQL's."""
        self.pg = session if isinstance(session, bool) else on_postgresql(session)
        self.period = period

    def seconds(self, start, end):
        """``end - start`` in seconds (a float; NULL if either is NULL)."""
        if self.pg:
            return func.extract("epoch", end - start)
        # julianday is a float of days: rounded to the millisecond, 20 minutes are 1200
        # seconds and not 1199.9999 (which would fall into the 10–20 minute bucket).
        return func.round((func.julianday(end) - func.julianday(start)) * 86400.0, 3)

    def _local(self, column):
        # Stored as naive UTC: read it as UTC, then see it in the hall's zone.
        return func.timezone(self.period.tz, func.timezone("UTC", column))

    def hour(self, column):
        if self.pg:
            return cast(func.extract("hour", self._local(column)), Integer)
        shift = f"{self.period.offset_minutes:+d} minutes"
        return cast(func.strftime("%H", column, shift), Integer)

    def month(self, column):
        """'YYYY-MM' of the local date."""
        if self.pg:
            return func.to_char(self._local(column), "YYYY-MM")
        shift = f"{self.period.offset_minutes:+d} minutes"
        return func.strftime("%Y-%m", column, shift)
