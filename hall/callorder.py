"""Whom a window calls next (叫号顺序): the hall's one call-order policy.

Every queue has three groups of waiting visitors:

1. **priority**: those the law puts first (军人依法优先, aged 60 or over, disability, pregnancy);
2. **appointment**: those who booked, checked in, and whose slot has started;
3. **walk-in**: everyone else, first come, first served. An appointment checked in before its
   slot waits here with its check-in time as its place, so coming early never costs a place.

A window takes the first group with someone waiting, except that no group starves another:

- after ``priority_max_streak`` priority calls in a row, the next call goes to an appointment
  or a walk-in if one waits (the rule the hall always had);
- after ``appointment_max_streak`` appointment calls in a row, a walk-in who has waited
  ``walk_in_max_wait`` or longer is called before the next appointment.

Within a group: priority and walk-ins by place in line (``queued_at``), appointments by slot
start, then check-in. The same order is written twice from one table of ranks: as a sort key in
Python (``sort_key``, or ``key_of`` from plain values: tests, and the people-ahead count shown
to visitors) and as an SQL ``ORDER BY`` (``order_by``: call-next), so the two cannot drift.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, case, not_

from .models import Ticket


@dataclass(frozen=True)
class Policy:
    # At most this many priority calls in a row while others wait.
    priority_max_streak: int = 2
    # At most this many appointment calls in a row while a walk-in has waited this long.
    appointment_max_streak: int = 2
    walk_in_max_wait: timedelta = timedelta(minutes=20)


DEFAULT_POLICY = Policy()

PRIORITY, APPOINTMENT, WAITED_WALK_IN, WALK_IN = "priority", "appointment", "waited", "walk-in"


@dataclass(frozen=True)
class Ranks:
    """Each group's rank for one call (lower is called first)."""

    priority: int
    appointment: int
    waited_walk_in: int   # a walk-in who has waited at least ``walk_in_max_wait``
    walk_in: int


def ranks(priority_streak: int = 0, appointment_streak: int = 0,
          policy: Policy = DEFAULT_POLICY) -> Ranks:
    """The ranks for a window's next call, given its streaks; (0, 0) gives the order as it
    stands for anybody not at a window (the people-ahead count)."""
    priority, appointment, waited, walk_in = 0, 1, 2, 2
    if appointment_streak >= policy.appointment_max_streak:
        waited, appointment, walk_in = 1, 2, 3
    if priority_streak >= policy.priority_max_streak:
        priority = 4
    return Ranks(priority, appointment, waited, walk_in)


class Waiting(Protocol):
    """What the order needs of a waiting ticket (a Ticket, or a row with these columns)."""

    @property
    def id(self) -> int: ...
    @property
    def is_priority(self) -> bool: ...
    @property
    def queued_at(self) -> datetime: ...
    @property
    def appointment_at(self) -> datetime | None: ...


def group(ticket: Waiting, now: datetime, policy: Policy = DEFAULT_POLICY) -> str:
    return group_of(ticket.is_priority, ticket.queued_at, ticket.appointment_at, now, policy)


def group_of(is_priority: bool, queued_at: datetime, appointment_at: datetime | None,
             now: datetime, policy: Policy = DEFAULT_POLICY) -> str:
    """``group`` from a ticket's plain values (a ticket not loaded as an object)."""
    if is_priority:
        return PRIORITY
    if appointment_at is not None and appointment_at <= now:
        return APPOINTMENT
    if queued_at <= now - policy.walk_in_max_wait:
        return WAITED_WALK_IN
    return WALK_IN


def sort_key(ticket: Waiting, now: datetime, order: Ranks,
             policy: Policy = DEFAULT_POLICY) -> tuple[Any, ...]:
    return key_of(ticket.id, ticket.is_priority, ticket.queued_at, ticket.appointment_at, now,
                  order, policy)


def key_of(ticket_id: int, is_priority: bool, queued_at: datetime,
           appointment_at: datetime | None, now: datetime, order: Ranks,
           policy: Policy = DEFAULT_POLICY) -> tuple[Any, ...]:
    """``sort_key`` from a ticket's plain values (a ticket not loaded as an object)."""
    kind = group_of(is_priority, queued_at, appointment_at, now, policy)
    rank = {PRIORITY: order.priority, APPOINTMENT: order.appointment,
            WAITED_WALK_IN: order.waited_walk_in, WALK_IN: order.walk_in}[kind]
    first = appointment_at if kind == APPOINTMENT else queued_at
    return (rank, first, queued_at, ticket_id)


def order_by(now: datetime, order: Ranks,
             policy: Policy = DEFAULT_POLICY) -> tuple[ColumnElement[Any], ...]:
    """``sort_key`` as SQL, for a query over ``Ticket``."""
    return sql_key(now, now - policy.walk_in_max_wait, order)


def sql_key(now: Any, waited_since: Any, order: Ranks) -> tuple[ColumnElement[Any], ...]:
    """``sort_key`` as SQL columns; ``now`` and ``waited_since`` (now less the walk-in wait)
    are instants or bound parameters, so that a statement can be built once."""
    started = and_(Ticket.appointment_at.is_not(None), Ticket.appointment_at <= now)
    appointment = and_(not_(Ticket.is_priority), started)
    rank = case(
        (Ticket.is_priority, order.priority),
        (started, order.appointment),
        (Ticket.queued_at <= waited_since, order.waited_walk_in),
        else_=order.walk_in,
    )
    first = case((appointment, Ticket.appointment_at), else_=Ticket.queued_at)
    return rank, first, Ticket.__table__.c.queued_at, Ticket.__table__.c.id
