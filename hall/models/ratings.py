"""Ratings of the service (好差评), and the follow-up every poor one opens."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime
from .cases import Case
from .tickets import Ticket


class Rating(Base):
    """One rating of a visit (ticket) or of a case, given once by the visitor.

    Levels: 5 very satisfied (非常满意) … 1 very dissatisfied (非常不满意). A rating of 2 or
    less opens a follow-up that a manager must close within its time limit, watched yellow and
    red like a case."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    level: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(500), default="")
    channel: Mapped[str] = mapped_column(String(10), default="tracking")
    # The rating tablet it was given on (None: the tracking page, or a trusted network).
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The clerk (first owner) or division the rating is about, for the statistics.
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    division_id: Mapped[int | None] = mapped_column(ForeignKey("divisions.id"))
    followup: Mapped[str] = mapped_column(String(6), default="none")
    followup_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    followup_yellow_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    followup_warning: Mapped[str] = mapped_column(String(6), default="none")
    followup_note: Mapped[str] = mapped_column(String(1000), default="")
    followup_closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    followup_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    ticket: Mapped[Ticket] = relationship()
    case: Mapped[Case | None] = relationship()

    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5", name="level"),
        CheckConstraint("followup IN ('none', 'open', 'closed')", name="followup"),
        CheckConstraint("followup_warning IN ('none', 'yellow', 'red')", name="followup_warning"),
        CheckConstraint("channel IN ('tracking', 'window')", name="channel"),
        # Once per visit, and once per case.
        Index("uq_ratings_visit", "ticket_id", unique=True,
              sqlite_where=text("case_id IS NULL"), postgresql_where=text("case_id IS NULL")),
        Index("uq_ratings_case", "case_id", unique=True,
              sqlite_where=text("case_id IS NOT NULL"),
              postgresql_where=text("case_id IS NOT NULL")),
        Index("ix_ratings_open_followups", "hall_id", "followup_due_at",
              sqlite_where=text("followup = 'open'"), postgresql_where=text("followup = 'open'")),
    )
