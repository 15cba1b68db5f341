"""Daily reports (日报), kept per hall and day once the day is closed."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, LargeBinary, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class DailyReport(Base):
    """The report of one hall's day, made once at closing (``hall.endofday``) and never
    rebuilt: what the hall printed that evening is what a manager downloads later."""

    __tablename__ = "daily_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    day: Mapped[date] = mapped_column(Date)  # the hall's local date
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    csv: Mapped[str] = mapped_column(Text)  # without the BOM, which is added on download
    # The day's totals as figures, for lists and for a month's summary without the PDFs.
    totals: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # One report per hall and day: closing a day twice finds it and does nothing.
    __table_args__ = (UniqueConstraint("hall_id", "day"),)
