"""Applying online (网上申报, issue 15): an application for a service item, its documents
(``hall.files``, owner ``application``), its pre-review (预审) by the item's division, and the
case it becomes once accepted.

An application is not yet a case: it carries a service number and an access code from the
hall's daily visit counter (as a ticket, a booking or an enquiry does), and the five working
days the law gives the office to say what is missing (``hall.prereview``). Accepted, it
becomes a case (``cases``) with a visit record (a ticket of source ``online``) under the same
service number, so the window, the division and the tracking page find one visitor.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime
from .cases import Case
from .catalogue import ServiceItem
from .org import Division, Hall, Staff


class ApplicationState(str, enum.Enum):
    SUBMITTED = "submitted"                    # waiting for pre-review (the five days run)
    AWAITING_DOCUMENTS = "awaiting_documents"  # 补正告知 sent: the applicant re-uploads
    ACCEPTED = "accepted"                      # 受理: it became a case
    REFUSED = "refused"                        # 不予受理, with a reason
    WITHDRAWN = "withdrawn"                    # the applicant withdrew it


# The pre-review limit runs in this state only (the deadline job reads these).
PENDING_SQL = "state = 'submitted'"
_OPEN_SQL = "state IN ('submitted', 'awaiting_documents')"
_STATES_SQL = ("state IN ('submitted', 'awaiting_documents', 'accepted', 'refused', "
               "'withdrawn')")
OPEN_STATES = ("submitted", "awaiting_documents")
ENDED_STATES = ("accepted", "refused", "withdrawn")


def open_clause():
    """``state IN (open states)`` written out as the partial index is (SQLite uses a partial
    index only when the query repeats its terms as literals)."""
    return text(f"applications.{_OPEN_SQL}")


class Application(Base):
    """One application sent online, with the form's values and the declaration."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service_items.id"))
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id"))
    service_no: Mapped[str] = mapped_column(String(16), unique=True)
    access_code: Mapped[str] = mapped_column(String(12))
    applicant_name: Mapped[str] = mapped_column(String(40))
    applicant_id_no: Mapped[str | None] = mapped_column(String(18))
    phone: Mapped[str] = mapped_column(String(11))
    # The item's form fields as filled in, by the field's name (``ServiceItem.apply_fields``).
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the complete documents arrived: the submission, or the re-upload after 补正告知.
    # The five days run from here, and a deemed acceptance dates from here.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The pre-review limit running now (None while documents are awaited or once decided).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    yellow_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    warning: Mapped[str] = mapped_column(String(6), default="none")
    ever_red: Mapped[bool] = mapped_column(Boolean, default=False)
    red_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 补正告知: the complete list, asked for once.
    missing_documents: Mapped[list] = mapped_column(JSON, default=list)
    requested_note: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resupplied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The end of pre-review: accepted (on time, or deemed so after the limit), refused,
    # withdrawn.
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    prereview_on_time: Mapped[bool | None] = mapped_column(Boolean)
    deemed_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    refuse_reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))

    hall: Mapped[Hall] = relationship()
    service: Mapped[ServiceItem] = relationship()
    division: Mapped[Division] = relationship()
    handler: Mapped[Staff | None] = relationship()
    case: Mapped[Case | None] = relationship()

    __table_args__ = (
        CheckConstraint(_STATES_SQL, name="state"),
        CheckConstraint("warning IN ('none', 'yellow', 'red')", name="warning"),
        # The division's pre-review inbox, by the limit running.
        Index("ix_applications_inbox", "division_id", "due_at",
              sqlite_where=text(_OPEN_SQL), postgresql_where=text(_OPEN_SQL)),
        Index("ix_applications_hall_inbox", "hall_id", "due_at",
              sqlite_where=text(_OPEN_SQL), postgresql_where=text(_OPEN_SQL)),
        # The deadline job reads exactly these (as ix_enquiries_to_red).
        Index("ix_applications_to_red", "due_at",
              sqlite_where=text(f"warning <> 'red' AND {PENDING_SQL}"),
              postgresql_where=text(f"warning <> 'red' AND {PENDING_SQL}")),
        Index("ix_applications_to_yellow", "yellow_at",
              sqlite_where=text(f"warning = 'none' AND {PENDING_SQL}"),
              postgresql_where=text(f"warning = 'none' AND {PENDING_SQL}")),
        Index("ix_applications_hall_created", "hall_id", "created_at"),
    )
