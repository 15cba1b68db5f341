"""The outbox (通知发件箱): every notification to a visitor's phone or e-mail, and every attempt
to send it.

A row is written in the same transaction as the move that causes it (``hall.notices``), so a
move that is rolled back leaves none; a sender (``hall.outbox.send_due``) takes due rows
afterwards, outside any move, and records each attempt.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigId, UTCDateTime


class NotificationStatus(str, enum.Enum):
    PENDING = "pending"    # waiting for its next attempt (``next_attempt_at``)
    SENDING = "sending"    # claimed by a sender until ``next_attempt_at`` (its lease)
    SENT = "sent"
    FAILED = "failed"      # every attempt failed; a manager may send it again


class Channel(str, enum.Enum):
    """How the recipient is reached; which plug-in delivers it is the installation's choice
    (NOTIFY_SMS, NOTIFY_EMAIL), so a row waiting for a retry survives a change of gateway."""

    SMS = "sms"
    EMAIL = "email"


# Rows a sender may take: pending and due, or left 'sending' by a sender whose lease ran out.
_OPEN_SQL = "status IN ('pending', 'sending')"


class Notification(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    kind: Mapped[str] = mapped_column(String(40))      # booking.made, ticket.nearly, case.ready…
    recipient: Mapped[str] = mapped_column(String(254))  # a mobile number or an e-mail address
    channel: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)            # as sent, in Chinese
    # What makes the notification one of a kind (``booking.reminder:<booking>:<day>``): a
    # second writer of the same one, a job run twice, finds it there and writes nothing.
    dedupe_key: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(10), default=NotificationStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Pending: when to try next. Sending: until when the claiming sender holds it.
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The claiming sender's token: a sender whose lease expired and was taken over cannot
    # record its late result over the new holder's.
    claim: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status"),
        CheckConstraint("channel IN ('sms', 'email')", name="channel"),
        CheckConstraint("attempts >= 0", name="attempts"),
        # An index rather than a constraint, as elsewhere: SQLite adds it in place.
        Index("uq_outbox_dedupe_key", "dedupe_key", unique=True),
        # What a sender reads every few seconds: only the open rows, by when they are due.
        Index("ix_outbox_due", "next_attempt_at",
              sqlite_where=sql(_OPEN_SQL), postgresql_where=sql(_OPEN_SQL)),
        # The manager's page: a hall's failed and stuck rows.
        Index("ix_outbox_hall_status", "hall_id", "status", "created_at"),
    )


class NotificationAttempt(Base):
    """One try to send one notification: when, how it went, the gateway's error."""

    __tablename__ = "outbox_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    notification_id: Mapped[int] = mapped_column(BigId, ForeignKey("outbox.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    result: Mapped[str] = mapped_column(String(10))   # sent, error
    error: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20))  # the plug-in that tried: log, webhook…

    __table_args__ = (
        CheckConstraint("result IN ('sent', 'error')", name="result"),
        Index("ix_outbox_attempts_notification", "notification_id"),
    )
