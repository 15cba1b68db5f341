"""The append-only record of every change (who, when, what, why)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigId, UTCDateTime


class Event(Base):
    """One change of a ticket, case or window. Rows are never updated or deleted: the
    database refuses it (triggers in the migration), and the timeline, audit and statistics
    are all read from here."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    # An enquiry's events (issue 15: online questions, complaints and reports).
    enquiry_id: Mapped[int | None] = mapped_column(ForeignKey("enquiries.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # Who acted, readable without a join: a username, "kiosk" or "system".
    actor: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # Position in the hall's floor stream (ticket and window events); None for the rest.
    seq: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        # An index rather than a constraint: SQLite adds it in place, where a constraint
        # would mean rebuilding the table and losing its append-only triggers.
        Index("uq_events_hall_seq", "hall_id", "seq", unique=True),
        Index("ix_events_hall_at", "hall_id", "at"),
        Index("ix_events_ticket", "ticket_id"),
        Index("ix_events_case", "case_id"),
        Index("ix_events_enquiry", "enquiry_id"),
    )
