"""Cases (办件): matters that outlive the visit and go to a back-office division."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
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


# The clock runs in these states: the deadline job watches only them.
RUNNING_STATES = ("accepted", "in_progress")
# Still someone's work: the division inbox lists these.
OPEN_STATES = ("accepted", "in_progress", "awaiting_documents", "special_procedure", "decided",
               "ready")
_RUNNING_SQL = "state IN ('accepted', 'in_progress')"
_OPEN_SQL = ("state IN ('accepted', 'in_progress', 'awaiting_documents', 'special_procedure', "
             "'decided', 'ready')")


def running_clause():
    """``state IN (running states)`` written out as the partial indexes are: SQLite uses a
    partial index only when the query repeats its WHERE terms with literals, not parameters."""
    return text(f"cases.{_RUNNING_SQL}")


def open_clause():
    """``state IN (open states)``, literal, matching ``ix_cases_inbox``."""
    return text(f"cases.{_OPEN_SQL}")


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The case number (办件编号) staff and the applicant read: unique across halls, checkable
    # (hall.numbers.case_number); the id stays internal.
    case_no: Mapped[str] = mapped_column(String(16))
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service_items.id"))
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id"))
    state: Mapped[str] = mapped_column(String(20), default=CaseState.ACCEPTED.value)
    outcome: Mapped[str | None] = mapped_column(String(10))
    # The clerk who accepted it at the window owns the matter (首问负责制).
    first_owner_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    # The member of division staff working it (the person red marks are recorded against).
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    subject: Mapped[str] = mapped_column(String(200), default="")
    applicant_name: Mapped[str | None] = mapped_column(String(40))
    applicant_id_no: Mapped[str | None] = mapped_column(String(18))
    applicant_phone: Mapped[str | None] = mapped_column(String(20))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Derived from the case's events and the working-day calendar, cached for the inbox and
    # the deadline job; None while the clock is paused.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    yellow_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    warning: Mapped[str] = mapped_column(String(6), default="none")
    # Red is never forgotten (失职追究): kept after the case moves on.
    ever_red: Mapped[bool] = mapped_column(Boolean, default=False)
    red_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pause_kind: Mapped[str | None] = mapped_column(String(20))
    pause_reason: Mapped[str | None] = mapped_column(Text)
    missing_documents: Mapped[list] = mapped_column(JSON, default=list)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    extension_pending_days: Mapped[int | None] = mapped_column(Integer)
    extension_pending_reason: Mapped[str | None] = mapped_column(Text)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    hall: Mapped[Hall] = relationship()
    ticket: Mapped[Ticket] = relationship()
    service: Mapped[ServiceItem] = relationship()
    division: Mapped[Division] = relationship()
    first_owner: Mapped[Staff] = relationship(foreign_keys=[first_owner_id])
    handler: Mapped[Staff | None] = relationship(foreign_keys=[handler_id])

    __table_args__ = (
        CheckConstraint(
            "state IN ('accepted', 'in_progress', 'awaiting_documents', 'special_procedure', "
            "'decided', 'ready', 'closed', 'withdrawn')",
            name="state",
        ),
        CheckConstraint("outcome IS NULL OR outcome IN ('approved', 'rejected')", name="outcome"),
        CheckConstraint("warning IN ('none', 'yellow', 'red')", name="warning"),
        CheckConstraint("extension_days >= 0", name="extension_days"),
        # The division's inbox: its open cases by deadline; and a manager's, of every division.
        Index("ix_cases_inbox", "division_id", "due_at",
              sqlite_where=text(_OPEN_SQL), postgresql_where=text(_OPEN_SQL)),
        Index("ix_cases_hall_inbox", "hall_id", "due_at",
              sqlite_where=text(_OPEN_SQL), postgresql_where=text(_OPEN_SQL)),
        # The deadline job reads exactly these: running cases about to turn yellow or red.
        Index("ix_cases_to_yellow", "yellow_at",
              sqlite_where=text(f"warning = 'none' AND {_RUNNING_SQL}"),
              postgresql_where=text(f"warning = 'none' AND {_RUNNING_SQL}")),
        Index("ix_cases_to_red", "due_at",
              sqlite_where=text(f"warning <> 'red' AND {_RUNNING_SQL}"),
              postgresql_where=text(f"warning <> 'red' AND {_RUNNING_SQL}")),
        Index("ix_cases_ticket", "ticket_id"),
        # Results in the open (hall.results): an item's, and a hall's, decided cases by date.
        Index("ix_cases_service_decided", "service_id", "decided_at",
              sqlite_where=text("decided_at IS NOT NULL"),
              postgresql_where=text("decided_at IS NOT NULL")),
        Index("ix_cases_hall_decided", "hall_id", "decided_at",
              sqlite_where=text("decided_at IS NOT NULL"),
              postgresql_where=text("decided_at IS NOT NULL")),
        # An index rather than a constraint: SQLite adds it in place (migration 0009).
        Index("uq_cases_case_no", "case_no", unique=True),
    )
