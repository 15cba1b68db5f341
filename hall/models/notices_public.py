"""Public notice (公示) of a proposed result, and the objections raised against it.

A notice is the lawful pause of a case's clock (the case is in its special procedure
``public_notice`` while it runs): a short public text, from when to when, and how it ended.
Not ``hall.models.outbox``'s notifications, which are messages sent to one person.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy import text as sql  # ``text`` is a column here
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime
from .cases import Case
from .enquiries import Enquiry
from .org import Hall

NOTICE_UNITS = ("working", "calendar")
# How a notice ended: its period ran out (the job, or a manager after it), a manager cut it
# short with a reason, or the case left its special procedure (withdrawn) while it ran.
NOTICE_OUTCOMES = ("period_over", "cut_short", "case_closed")
_RUNNING = "ended_at IS NULL"


class PublicNotice(Base):
    __tablename__ = "public_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    # What is proposed, as the public reads it (e.g. "拟通过职称评审：张*，中级"): written by the
    # manager, who is told to mask names; the public page shows it as written.
    text: Mapped[str] = mapped_column(String(200))
    days: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(8))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(12))
    # Counted when the notice ends (the objections themselves are rows below).
    objections: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    hall: Mapped[Hall] = relationship()
    case: Mapped[Case] = relationship()

    __table_args__ = (
        CheckConstraint("unit IN ('working', 'calendar')", name="unit"),
        CheckConstraint("days BETWEEN 1 AND 30", name="days"),
        CheckConstraint("outcome IS NULL OR outcome IN ('period_over', 'cut_short', "
                        "'case_closed')", name="outcome"),
        # One running notice per case; the job reads the running ones by their end.
        Index("uq_public_notices_running_case", "case_id", unique=True,
              sqlite_where=sql(_RUNNING), postgresql_where=sql(_RUNNING)),
        Index("ix_public_notices_running", "ends_at",
              sqlite_where=sql(_RUNNING), postgresql_where=sql(_RUNNING)),
        Index("ix_public_notices_hall", "hall_id", "started_at"),
    )

    @property
    def running(self) -> bool:
        return self.ended_at is None


class NoticeObjection(Base):
    """An objection to a notice (异议), raised on the public page. It is a complaint: the
    complaint itself (who objects, what, the answer) is an ``Enquiry`` of the hall's
    complaints; this row ties it to the notice and the case, so that the notice's end counts
    it and the case's page lists it."""

    __tablename__ = "notice_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("public_notices.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    complaint_id: Mapped[int] = mapped_column(ForeignKey("enquiries.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)

    notice: Mapped[PublicNotice] = relationship()
    complaint: Mapped[Enquiry] = relationship()

    __table_args__ = (
        Index("ix_notice_objections_notice", "notice_id"),
        Index("ix_notice_objections_case", "case_id"),
    )
