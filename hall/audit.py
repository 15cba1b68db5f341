"""Reading the audit log: every event of the halls a reader may see, newest first, filtered.

The events are the audit log (``hall.events``): each change in the hall, by anyone, is one.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import kinds
from .models import Event


class AuditFilter(NamedTuple):
    halls: list[int]            # the halls the reader may see (all of them: every hall)
    kind: str = ""              # one kind ("ticket.no_show"), or a family ("admin.", "case.")
    actor: str = ""
    since: date | None = None   # local days in ``tz``, both included
    until: date | None = None
    tz: str = "Asia/Shanghai"


def _start_of(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(tz)).astimezone(UTC)


def audit_events(session: Session, where: AuditFilter, *, before: int | None = None,
                 limit: int = 50) -> tuple[list[Event], int | None]:
    """The log newest first, ``limit`` at a time; and the id to ask ``before`` for the next
    page (None on the last page). Paged by id, so a page costs the same however deep."""
    query = select(Event).where(Event.hall_id.in_(where.halls))
    if where.kind in kinds.KINDS:  # exactly that kind: "ticket.no_show" is not its undo
        query = query.where(Event.kind == where.kind)
    elif where.kind:
        escaped = where.kind.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Event.kind.like(escaped + "%", escape="\\"))
    if where.actor:
        query = query.where(Event.actor == where.actor)
    if where.since:
        query = query.where(Event.at >= _start_of(where.since, where.tz))
    if where.until:
        query = query.where(Event.at < _start_of(where.until + timedelta(days=1), where.tz))
    if before:
        query = query.where(Event.id < before)
    rows = list(session.scalars(query.order_by(Event.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)
