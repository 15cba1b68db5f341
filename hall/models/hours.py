"""Opening hours (开放时间): a hall's spans per weekday, and its dated exceptions."""
from __future__ import annotations

from datetime import date, time

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class OpeningHours(Base):
    """One span of a weekday in which the hall is open, e.g. Monday 09:00–12:00. A weekday
    with no span is a closed day. Whether a date is a working day at all is the working-day
    calendar's say (``hall.hours``)."""

    __tablename__ = "opening_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 Monday … 6 Sunday
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)

    __table_args__ = (
        UniqueConstraint("hall_id", "weekday", "opens"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("opens < closes", name="span"),
    )


class OpeningException(Base):
    """A dated exception set by an administrator: the hall closed all day (``opens`` and
    ``closes`` empty, one row), or open with special hours (a row per span)."""

    __tablename__ = "opening_exceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    day: Mapped[date] = mapped_column(Date)  # the hall's local date
    opens: Mapped[time | None] = mapped_column(Time)
    closes: Mapped[time | None] = mapped_column(Time)
    note: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        UniqueConstraint("hall_id", "day", "opens"),
        CheckConstraint("(opens IS NULL) = (closes IS NULL)", name="closed_or_span"),
        CheckConstraint("opens IS NULL OR opens < closes", name="span"),
    )
