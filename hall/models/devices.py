"""Devices of a hall: the kiosks, wall displays and rating tablets allowed to act for it."""
from __future__ import annotations

import enum
from datetime import datetime, time

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime
from .org import Hall


class DeviceKind(str, enum.Enum):
    KIOSK = "kiosk"        # issues tickets (a touch screen, or a client of the API)
    DISPLAY = "display"    # a wall display following the floor
    RATING = "rating"      # the rating tablet on a window's counter


class Device(Base):
    """A registered device of one hall, of one kind.

    Its credentials are kept as SHA-256 hashes only, like staff API tokens: the token an API
    client sends (shown once, when the device is registered), the cookie an enrolled browser
    holds, and a pending one-time enrolment code. Revoking the device clears them all; a new
    enrolment replaces the cookie, so the old browser is shut out."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(80))
    # A rating tablet stands on one window's counter: it may rate only there (None: any).
    window_no: Mapped[int | None] = mapped_column(Integer)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    cookie_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    enrol_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    enrol_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Hours of use, every day, in the hall's time zone (both None: at any hour).
    active_from: Mapped[time | None] = mapped_column(Time)
    active_until: Mapped[time | None] = mapped_column(Time)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    hall: Mapped[Hall] = relationship()

    __table_args__ = (
        CheckConstraint("kind IN ('kiosk', 'display', 'rating')", name="kind"),
        CheckConstraint("(active_from IS NULL) = (active_until IS NULL)", name="hours_pair"),
        CheckConstraint("window_no IS NULL OR (kind = 'rating' AND window_no >= 1)",
                        name="window_of_rating"),
    )

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
