"""Tickets (排队号) and the daily counters that number them."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime
from .catalogue import ServiceItem
from .org import Hall, Staff, Window


class TicketStatus(str, enum.Enum):
    WAITING = "waiting"      # in the queue of its service (or of the window it was sent to)
    CALLED = "called"        # called to a window, visitor on the way
    SERVING = "serving"      # at the window
    HELD = "held"            # parked by the window (e.g. fetching a document), place kept there
    FINISHED = "finished"    # done at the window
    NO_SHOW = "no_show"      # called and did not come (过号)
    UNSERVED = "unserved"    # still waiting when the hall closed; kept, never deleted


class PriorityReason(str, enum.Enum):
    """Who the law or the hall's rules put first (e.g. 军人依法优先)."""

    MILITARY = "military"
    ELDERLY = "elderly"
    DISABLED = "disabled"
    PREGNANT = "pregnant"


class DailyCounter(Base):
    """The last number handed out today per hall and name (a prefix letter, or 'service_no').

    Incremented with one atomic upsert inside the issuing transaction, so a rolled-back issue
    gives its number back and the sequence never has a gap or a repeat.
    """

    __tablename__ = "daily_counters"

    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(12), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


# The source of the visit record of an application accepted online (hall.applications): a
# ticket that never queued, left out of the floor's figures (hall.stats, hall.booking_figures).
ONLINE_SOURCE = "online"


class Ticket(Base):
    """One visit: a queue number for today and a service number for good."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    day: Mapped[date] = mapped_column(Date)  # the hall's local date of issue
    prefix: Mapped[str] = mapped_column(String(1))
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(8))  # "A012"
    service_no: Mapped[str] = mapped_column(String(16), unique=True)
    access_code: Mapped[str] = mapped_column(String(12))
    service_id: Mapped[int] = mapped_column(ForeignKey("service_items.id"))
    status: Mapped[str] = mapped_column(String(10), default=TicketStatus.WAITING.value)
    is_priority: Mapped[bool] = mapped_column(Boolean, default=False)
    priority_reason: Mapped[str | None] = mapped_column(String(12))
    # Place in line: the time of issue, kept when the visitor is transferred.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    serving_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    call_count: Mapped[int] = mapped_column(Integer, default=0)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    # Set when a clerk sends the visitor to one particular window.
    target_window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    # The clerk who first called this visitor owns the matter (首问负责制).
    first_owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    source: Mapped[str] = mapped_column(String(10), default="kiosk")  # or ONLINE_SOURCE
    # A client's idempotency key: the same key within a hall returns the same ticket.
    request_key: Mapped[str | None] = mapped_column(String(64))
    # The registered device that issued it (None: a trusted network, or the hall's own
    # tools; the event then names the address).
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    # An appointment's slot start (checked in from a booking): from then on the visitor is
    # called before walk-ins, within the caps of ``hall.callorder``.
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Taken from home (``hall.remote``) and not yet in the hall: call-next passes it by
    # (it keeps its place in line) until the visitor checks in at the door or the kiosk.
    away: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    hall: Mapped[Hall] = relationship()
    service: Mapped[ServiceItem] = relationship()
    window: Mapped[Window | None] = relationship(foreign_keys=[window_id])
    target_window: Mapped[Window | None] = relationship(foreign_keys=[target_window_id])
    first_owner: Mapped[Staff | None] = relationship(foreign_keys=[first_owner_id])

    __table_args__ = (
        UniqueConstraint("hall_id", "day", "prefix", "seq"),
        UniqueConstraint("hall_id", "request_key"),
        CheckConstraint(
            "status IN ('waiting', 'called', 'serving', 'held', 'finished', 'no_show', "
            "'unserved')",
            name="status",
        ),
        CheckConstraint("seq >= 1", name="seq_positive"),
        CheckConstraint(
            "priority_reason IS NULL OR priority_reason IN "
            "('military', 'elderly', 'disabled', 'pregnant')",
            name="priority_reason",
        ),
        # Call-next and the waiting counts read exactly this; ``is_priority`` last so that a
        # new ticket's count of the priority visitors waiting is read from the index alone
        # (without it, every waiting ticket's row was fetched: 0.8 ms at 1,700 waiting).
        Index("ix_tickets_queue", "hall_id", "day", "status", "service_id", "queued_at",
              "is_priority"),
        Index("ix_tickets_service_finished", "service_id", "finished_at"),
    )
