"""The hall and the people and counters in it: halls, divisions, windows, staff."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime

if TYPE_CHECKING:
    from .catalogue import ServiceItem


class Role(str, enum.Enum):
    ADMIN = "admin"
    MANAGER = "manager"
    CLERK = "clerk"
    DIVISION = "division"


class WindowState(str, enum.Enum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class Hall(Base):
    """One site. A provincial hall is the parent of the city and county halls under it."""

    __tablename__ = "halls"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    # Printed inside every service number, so it must never be reused for another hall.
    node_no: Mapped[int] = mapped_column(Integer, unique=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(160))
    level: Mapped[str] = mapped_column(String(10), default="province")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id"))
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Shanghai")
    address_zh: Mapped[str | None] = mapped_column(String(200))
    address_en: Mapped[str | None] = mapped_column(String(240))
    phone: Mapped[str | None] = mapped_column(String(40))
    # The last sequence number given to an event on the hall's floor (tickets, windows):
    # displays see a gap in it at once and re-sync.
    floor_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Moved by every publish and withdrawal of the hall's public Q&A: searches answered from
    # memory are answered again once it moves (hall.qa.STAMP).
    qa_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Tickets are taken until this many minutes before each span of opening hours closes
    # (hall.hours), so that whoever takes one can still be served.
    last_ticket_minutes: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    # A public notice's days (公示期) are counted in "working" days or "calendar" days
    # (hall.notices_public; checked there: a CHECK here would mean rebuilding the table on
    # SQLite).
    notice_unit: Mapped[str] = mapped_column(String(8), default="working",
                                             server_default="working")

    parent: Mapped[Hall | None] = relationship(remote_side=[id])
    windows: Mapped[list[Window]] = relationship(
        back_populates="hall", order_by="Window.no", foreign_keys="Window.hall_id"
    )

    __table_args__ = (
        CheckConstraint("node_no BETWEEN 1 AND 999", name="node_no_range"),
        CheckConstraint("level IN ('province', 'city', 'county')", name="level"),
    )


class Division(Base):
    """A back-office division (业务处室) that works the cases routed to it."""

    __tablename__ = "divisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(160))
    phone: Mapped[str | None] = mapped_column(String(40))

    hall: Mapped[Hall] = relationship()

    __table_args__ = (UniqueConstraint("hall_id", "code"),)


window_services = Table(
    "window_services",
    Base.metadata,
    Column("window_id", ForeignKey("windows.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("service_items.id", ondelete="CASCADE"), primary_key=True),
)


# The windows each clerk may work, set by an administrator: a clerk opens only these.
window_clerks = Table(
    "window_clerks",
    Base.metadata,
    Column("window_id", ForeignKey("windows.id", ondelete="CASCADE"), primary_key=True),
    Column("staff_id", ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True),
)


class Window(Base):
    """A counter in a hall: the services it may serve, its clerk while open, and its state."""

    __tablename__ = "windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    no: Mapped[int] = mapped_column(Integer)
    name_zh: Mapped[str | None] = mapped_column(String(80))
    name_en: Mapped[str | None] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(10), default=WindowState.CLOSED.value)
    pause_reason: Mapped[str | None] = mapped_column(String(200))
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The ticket called or being served here now; cleared when it leaves the window.
    current_ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", use_alter=True, name="fk_windows_current_ticket_id_tickets")
    )
    # Consecutive priority calls, for the fairness rule that stops ordinary visitors starving.
    priority_streak: Mapped[int] = mapped_column(Integer, default=0)
    # Consecutive appointment calls, for the same rule between appointments and walk-ins.
    appointment_streak: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    hall: Mapped[Hall] = relationship(back_populates="windows", foreign_keys=[hall_id])
    clerk: Mapped[Staff | None] = relationship(foreign_keys=[clerk_id])
    services: Mapped[list[ServiceItem]] = relationship(
        secondary=window_services, order_by="ServiceItem.sort_order"
    )

    __table_args__ = (
        UniqueConstraint("hall_id", "no"),
        CheckConstraint("no >= 1", name="no_positive"),
        CheckConstraint("state IN ('open', 'paused', 'closed')", name="state"),
    )


class Staff(Base):
    """A person who signs in: clerk, division staff, manager or administrator."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(255))
    division_id: Mapped[int | None] = mapped_column(ForeignKey("divisions.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Kept in each browser session at sign-in; a session carrying an older number is signed
    # out. Raised when the person signs out, gets a new password or is deactivated, so that a
    # copied cookie dies with the session it was copied from.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    hall: Mapped[Hall] = relationship()
    division: Mapped[Division | None] = relationship()
    role_rows: Mapped[list[StaffRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)

    def has_role(self, role: Role | str) -> bool:
        return Role(role).value in self.roles


class ApiToken(Base):
    """A bearer token for a device or script acting as a member of staff.

    Only a hash is kept: a stolen database gives no usable token. Tokens expire, and can be
    revoked one by one or all at once for a person."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    label: Mapped[str | None] = mapped_column(String(80))

    staff: Mapped[Staff] = relationship()


class StaffRole(Base):
    __tablename__ = "staff_roles"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"),
                                          primary_key=True)
    role: Mapped[str] = mapped_column(String(12), primary_key=True)

    __table_args__ = (
        CheckConstraint("role IN ('admin', 'manager', 'clerk', 'division')", name="role"),
    )
