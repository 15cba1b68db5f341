"""Cases (办件): matters that outlive the visit and go to a back-office division."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime
from .catalogue import ServiceItem
from .org import Division, Hall, Staff
from .tickets import Ticket


class CaseState(str, enum.Enum):
    ACCEPTED = "accepted"                  # accepted at a window, in the division's inbox
    IN_PROGRESS = "in_progress"            # taken up by division staff
    AWAITING_DOCUMENTS = "awaiting_documents"  # 补正: clock paused until supplied
    SPECIAL_PROCEDURE = "special_procedure"    # public notice, expert review: clock paused
    DECIDED = "decided"                    # approved or rejected, with a reason
    READY = "ready"                        # result ready for pick-up
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class CaseOutcome(str, enum.Enum):
    APPROVED = "approved"
    REJECTED = "rejected"


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service_items.id"))
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id"))
    state: Mapped[str] = mapped_column(String(20), default=CaseState.ACCEPTED.value)
    outcome: Mapped[str | None] = mapped_column(String(10))
    first_owner_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    applicant_name: Mapped[str | None] = mapped_column(String(40))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Derived from the case's events and the working-day calendar; cached here for the inbox.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    hall: Mapped[Hall] = relationship()
    ticket: Mapped[Ticket] = relationship()
    service: Mapped[ServiceItem] = relationship()
    division: Mapped[Division] = relationship()
    first_owner: Mapped[Staff] = relationship()

    __table_args__ = (
        CheckConstraint(
            "state IN ('accepted', 'in_progress', 'awaiting_documents', 'special_procedure', "
            "'decided', 'ready', 'closed', 'withdrawn')",
            name="state",
        ),
        CheckConstraint("outcome IS NULL OR outcome IN ('approved', 'rejected')", name="outcome"),
        Index("ix_cases_division_due", "division_id", "state", "due_at"),
    )
