"""Asking, complaining and reporting online (在线咨询、投诉、举报): the topics a hall offers,
its time limits per kind, the enquiries and the thread of each.

An enquiry is not a case: it has no service item. It carries a service number and an access
code like a visit (the same daily counter), goes to the division that owns its topic, and runs
against a time limit of its own rule (``hall.enquiry_deadlines``), yellow and red like a case.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime
from .org import Division, Hall, Staff


class EnquiryKind(str, enum.Enum):
    CONSULTATION = "consultation"  # 咨询: a question, answered
    COMPLAINT = "complaint"        # 投诉: accepted or declined, then concluded
    REPORT = "report"              # 举报: as a complaint; may be anonymous


class EnquiryState(str, enum.Enum):
    OPEN = "open"              # a consultation waiting for its answer
    ANSWERED = "answered"      # a consultation answered (the citizen may ask on)
    CLOSED = "closed"          # a consultation finished
    SUBMITTED = "submitted"    # a complaint or report waiting to be accepted or declined
    ACCEPTED = "accepted"      # accepted (受理): being looked into until concluded
    DECLINED = "declined"      # not accepted (不予受理), with a reason
    CONCLUDED = "concluded"    # concluded (办结), with the result


KINDS = tuple(k.value for k in EnquiryKind)
UNITS = ("working", "calendar")
# A time limit runs in these states: the deadline job watches only them.
RUNNING_STATES = ("open", "submitted", "accepted")
# Over: nothing more happens, the citizen can no longer add to the thread.
FINISHED_STATES = ("closed", "declined", "concluded")
_STATES_SQL = ("state IN ('open', 'answered', 'closed', 'submitted', 'accepted', 'declined', "
               "'concluded')")
_RUNNING_SQL = "state IN ('open', 'submitted', 'accepted')"
# In a division's inbox: a time limit running, or the citizen wrote since staff last did.
_INBOX_SQL = "state IN ('open', 'submitted', 'accepted', 'answered')"


def running_clause():
    """``state IN (running states)`` written out as the partial indexes are (SQLite uses a
    partial index only when the query repeats its terms as literals)."""
    return text(f"enquiries.{_RUNNING_SQL}")


def inbox_clause():
    return text(f"enquiries.{_INBOX_SQL}")


class EnquiryTopic(Base):
    """What one may ask or complain about in a hall, routed to the division that owns it."""

    __tablename__ = "enquiry_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    code: Mapped[str] = mapped_column(String(16))
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(160))
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id"))
    # The kinds the topic takes: a topic of conduct takes complaints, not questions.
    for_consultation: Mapped[bool] = mapped_column(Boolean, default=True)
    for_complaint: Mapped[bool] = mapped_column(Boolean, default=True)
    for_report: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    hall: Mapped[Hall] = relationship()
    division: Mapped[Division] = relationship()

    __table_args__ = (UniqueConstraint("hall_id", "code"),)

    def allows(self, kind: str) -> bool:
        return bool(getattr(self, f"for_{kind}", False))


class EnquiryRule(Base):
    """A hall's time limits for one kind. No row: the defaults
    (``hall.enquiry_deadlines.DEFAULT_RULES``)."""

    __tablename__ = "enquiry_rules"

    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    respond_days: Mapped[int] = mapped_column(Integer)
    respond_unit: Mapped[str] = mapped_column(String(8))
    conclude_days: Mapped[int] = mapped_column(Integer)   # 0: nothing to conclude
    conclude_unit: Mapped[str] = mapped_column(String(8))
    extension_days: Mapped[int] = mapped_column(Integer)  # at most once; 0: none

    __table_args__ = (
        CheckConstraint("kind IN ('consultation', 'complaint', 'report')", name="kind"),
        CheckConstraint("respond_days BETWEEN 1 AND 90", name="respond_days"),
        CheckConstraint("conclude_days BETWEEN 0 AND 365", name="conclude_days"),
        CheckConstraint("extension_days BETWEEN 0 AND 180", name="extension_days"),
        CheckConstraint("respond_unit IN ('working', 'calendar')", name="respond_unit"),
        CheckConstraint("conclude_unit IN ('working', 'calendar')", name="conclude_unit"),
    )


class Enquiry(Base):
    """One question, complaint or report, with its service number and access code. Its time
    limits are the hall's rule in force when it arrived (kept here: a later change of the
    rule does not move them)."""

    __tablename__ = "enquiries"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    kind: Mapped[str] = mapped_column(String(12))
    # None only for an objection to a result under public notice (``related_case_no``): it
    # goes to the division of that case.
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("enquiry_topics.id"))
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id"))
    service_no: Mapped[str] = mapped_column(String(16), unique=True)
    access_code: Mapped[str] = mapped_column(String(12))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # Contact: all optional for an anonymous report, then only the number and code follow it.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(11))
    email: Mapped[str | None] = mapped_column(String(254))
    # An objection to a result under public notice opens a complaint about that case.
    related_case_no: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(10))
    # The rule in force on arrival.
    respond_days: Mapped[int] = mapped_column(Integer)
    respond_unit: Mapped[str] = mapped_column(String(8))
    conclude_days: Mapped[int] = mapped_column(Integer)
    conclude_unit: Mapped[str] = mapped_column(String(8))
    extension_limit: Mapped[int] = mapped_column(Integer)
    # The member of staff who answered, accepted or declined it (red is recorded against them).
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    respond_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    conclude_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The limit running now (to respond, then to conclude) and its warning: what the inbox
    # sorts by and the deadline job reads; None when no limit runs.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    yellow_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    warning: Mapped[str] = mapped_column(String(6), default="none")
    # Red is never forgotten (失职追究): kept after the enquiry moves on.
    ever_red: Mapped[bool] = mapped_column(Boolean, default=False)
    red_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extension_pending_days: Mapped[int | None] = mapped_column(Integer)
    extension_pending_reason: Mapped[str | None] = mapped_column(Text)
    # The citizen wrote after staff last did: the division owes an answer.
    citizen_replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    hall: Mapped[Hall] = relationship()
    topic: Mapped[EnquiryTopic | None] = relationship()
    division: Mapped[Division] = relationship()
    handler: Mapped[Staff | None] = relationship()

    __table_args__ = (
        CheckConstraint("kind IN ('consultation', 'complaint', 'report')", name="kind"),
        CheckConstraint(_STATES_SQL, name="state"),
        CheckConstraint("warning IN ('none', 'yellow', 'red')", name="warning"),
        CheckConstraint("extension_days >= 0", name="extension_days"),
        CheckConstraint("anonymous = false OR kind = 'report'", name="anonymous_report"),
        # The division's inbox, by the limit running; and a manager's, of the hall.
        Index("ix_enquiries_inbox", "division_id", "due_at",
              sqlite_where=text(_INBOX_SQL), postgresql_where=text(_INBOX_SQL)),
        Index("ix_enquiries_hall_inbox", "hall_id", "due_at",
              sqlite_where=text(_INBOX_SQL), postgresql_where=text(_INBOX_SQL)),
        # The deadline job reads exactly these (as ix_cases_to_yellow and ix_cases_to_red).
        Index("ix_enquiries_to_yellow", "yellow_at",
              sqlite_where=text(f"warning = 'none' AND {_RUNNING_SQL}"),
              postgresql_where=text(f"warning = 'none' AND {_RUNNING_SQL}")),
        Index("ix_enquiries_to_red", "due_at",
              sqlite_where=text(f"warning <> 'red' AND {_RUNNING_SQL}"),
              postgresql_where=text(f"warning <> 'red' AND {_RUNNING_SQL}")),
        # Accountability figures, per hall and month of arrival.
        Index("ix_enquiries_hall_created", "hall_id", "created_at"),
        Index("ix_enquiries_related_case", "related_case_no"),
    )


class EnquiryMessage(Base):
    """One message of an enquiry's thread: the citizen's (``staff_id`` None) or a member of
    staff's; an internal note is not ``visible`` to the citizen."""

    __tablename__ = "enquiry_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    enquiry_id: Mapped[int] = mapped_column(ForeignKey("enquiries.id"))
    author: Mapped[str] = mapped_column(String(8))     # citizen | staff
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    body: Mapped[str] = mapped_column(Text)
    visible: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    staff: Mapped[Staff | None] = relationship()

    __table_args__ = (
        CheckConstraint("author IN ('citizen', 'staff')", name="author"),
        CheckConstraint("(author = 'staff') = (staff_id IS NOT NULL)", name="staff_author"),
        Index("ix_enquiry_messages_enquiry", "enquiry_id", "id"),
    )
