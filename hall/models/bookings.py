"""Appointments (预约): a hall's booking rules, the places taken per slot, and the bookings."""
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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime
from .catalogue import ServiceItem
from .org import Hall
from .tickets import Ticket


class BookingStatus(str, enum.Enum):
    BOOKED = "booked"            # a place is held in its slot
    CHECKED_IN = "checked_in"    # the visitor came and has a ticket (``ticket_id``)
    CANCELLED = "cancelled"      # by the visitor, or by the hall closing that day
    MISSED = "missed"            # not checked in by the late limit; the place was freed


ACTIVE_BOOKING = "status IN ('booked', 'checked_in')"


class BookingRules(Base):
    """How a hall takes bookings. No row: the defaults (``hall.slots.DEFAULT_RULES``)."""

    __tablename__ = "booking_rules"

    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), primary_key=True)
    slot_minutes: Mapped[int] = mapped_column(Integer)        # length of one slot
    walk_in_percent: Mapped[int] = mapped_column(Integer)     # of a slot's places kept for walk-ins
    days_ahead: Mapped[int] = mapped_column(Integer)          # how far ahead one may book
    cancel_before_minutes: Mapped[int] = mapped_column(Integer)  # cut-off for cancel and move
    # Of an item's capacity of the day, the share that may be taken from home (远程取号).
    remote_percent: Mapped[int] = mapped_column(Integer, default=20, server_default="20")

    __table_args__ = (
        CheckConstraint("slot_minutes BETWEEN 5 AND 240", name="slot_minutes"),
        CheckConstraint("walk_in_percent BETWEEN 0 AND 100", name="walk_in_percent"),
        CheckConstraint("days_ahead BETWEEN 1 AND 60", name="days_ahead"),
        CheckConstraint("cancel_before_minutes BETWEEN 0 AND 10080", name="cancel_before"),
        CheckConstraint("remote_percent BETWEEN 0 AND 100", name="remote_percent"),
    )


class ServiceBooking(Base):
    """One item's places per slot, when the hall sets them by hand (None: computed from the
    windows serving it), or the item closed to booking."""

    __tablename__ = "service_booking"

    service_id: Mapped[int] = mapped_column(ForeignKey("service_items.id"), primary_key=True)
    bookable: Mapped[bool] = mapped_column(Boolean, default=True)
    places_per_slot: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("places_per_slot IS NULL OR places_per_slot BETWEEN 0 AND 500",
                        name="places"),
    )


class SlotPlaces(Base):
    """How many places of one slot of one item are taken: raised by one conditional upsert
    per booking (never above the slot's places), lowered by a cancellation."""

    __tablename__ = "slot_places"

    service_id: Mapped[int] = mapped_column(ForeignKey("service_items.id"), primary_key=True)
    start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    taken: Mapped[int] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("taken >= 0", name="taken"),)


class Booking(Base):
    """One appointment: a slot of an item in a hall, for one person. Its service number and
    access code are the visit's for good; checking in gives it a ticket with the same ones."""

    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service_items.id"))
    booking_code: Mapped[str] = mapped_column(String(8), unique=True)
    service_no: Mapped[str] = mapped_column(String(16), unique=True)
    access_code: Mapped[str] = mapped_column(String(12))
    day: Mapped[date] = mapped_column(Date)                # the slot's local date
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default=BookingStatus.BOOKED.value)
    name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(11))
    id_number: Mapped[str | None] = mapped_column(String(18))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))

    hall: Mapped[Hall] = relationship()
    service: Mapped[ServiceItem] = relationship()
    ticket: Mapped[Ticket | None] = relationship()

    __table_args__ = (
        CheckConstraint("status IN ('booked', 'checked_in', 'cancelled', 'missed')",
                        name="status"),
        CheckConstraint("start < \"end\"", name="span"),
        # One active booking per person (phone, and ID number when given) per item and day:
        # held by the database, so two requests at once cannot both get one.
        Index("uq_bookings_phone_active", "service_id", "day", "phone", unique=True,
              sqlite_where=text(ACTIVE_BOOKING), postgresql_where=text(ACTIVE_BOOKING)),
        Index("uq_bookings_id_active", "service_id", "day", "id_number", unique=True,
              sqlite_where=text(ACTIVE_BOOKING), postgresql_where=text(ACTIVE_BOOKING)),
        # The hall's bookings of a day (slots, the missed-appointments job, the kiosk).
        Index("ix_bookings_hall_day", "hall_id", "day", "status"),
        Index("ix_bookings_phone", "phone", "status"),
        # A called ticket's booking (its phone): the outbox asks on every call of a booked
        # visit (migration 0011).
        Index("ix_bookings_ticket", "ticket_id"),
    )


class RemoteTicket(Base):
    """A ticket taken from home (远程取号, ``hall.remote``): who took it, for the day's share
    of remote places and the one remote ticket per mobile number, item and day."""

    __tablename__ = "remote_tickets"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    day: Mapped[date] = mapped_column(Date)
    service_id: Mapped[int] = mapped_column(ForeignKey("service_items.id"))
    phone: Mapped[str] = mapped_column(String(11))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    ticket: Mapped[Ticket] = relationship()

    __table_args__ = (UniqueConstraint("hall_id", "day", "service_id", "phone"),)
