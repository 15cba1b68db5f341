"""Daily reports (日报), kept per hall and day once the day is closed."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class DailyReport(Base):
    """One version of the report of one hall's day. Version 1 is made when the day is closed
    (``hall.endofday``); a manager's re-run adds the next version and never replaces one:
    what the hall printed that evening stays downloadable beside what was made later."""

    __tablename__ = "daily_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    day: Mapped[date] = mapped_column(Date)  # the hall's local date
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    csv: Mapped[str] = mapped_column(Text)  # without the BOM, which is added on download
    # The day's totals as figures, for lists and for a month's summary without the PDFs.
    totals: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Who re-ran it and why; empty for the version made at closing.
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reason: Mapped[str | None] = mapped_column(String(200))

    # A day is closed once it has a report (version 1); closing it again finds it.
    __table_args__ = (
        UniqueConstraint("hall_id", "day", "version"),
        CheckConstraint("version >= 1", name="version"),
    )
