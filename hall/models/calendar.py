"""The working-day calendar: the official notice of each year, and local overrides."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class CalendarDay(Base):
    """A day that is not what its weekday says: a holiday on a weekday, or a working day on
    a weekend (调休). ``hall_id`` None: the national calendar; otherwise a local override."""

    __tablename__ = "calendar_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id"))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(60), default="")

    __table_args__ = (
        CheckConstraint("kind IN ('holiday', 'workday')", name="kind"),
        # NULLs are distinct in unique constraints: one index for the nation, one per hall.
        Index("uq_calendar_days_national", "day", unique=True,
              sqlite_where=text("hall_id IS NULL"), postgresql_where=text("hall_id IS NULL")),
        Index("uq_calendar_days_local", "hall_id", "day", unique=True,
              sqlite_where=text("hall_id IS NOT NULL"),
              postgresql_where=text("hall_id IS NOT NULL")),
    )


class CalendarYear(Base):
    """Whether a year's official holiday notice has been entered. Deadlines that reach into a
    year without one are counted on weekdays and marked provisional."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    official: Mapped[bool] = mapped_column(Boolean, default=False)
    # The notice it comes from, e.g. 国办发明电〔2025〕7号, or "chinesecalendar 1.11.0".
    notice: Mapped[str] = mapped_column(String(200), default="")
    entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
