"""Questions, complaints and reports as staff read them: a division's inbox by the limit
running, an enquiry's history with who acted, the extensions waiting for a manager, and the
accountability figures per division and kind (失职追究). Only reading; every change is a move
of ``hall.enquiries``."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, text
from sqlalchemy.orm import Session, joinedload

from .casefile import Entry
from .enquiry_deadlines import kept
from .models import Division, Enquiry, Event, Staff
from .models.enquiries import inbox_clause, running_clause
from .period import Period

LIMIT = 100


def inbox(session: Session, hall_id: int, *, division_id: int | None = None,
          limit: int = LIMIT) -> list[Enquiry]:
    """The enquiries owing the office something: a limit running (the nearest first, overdue
    on top), then answered questions the citizen wrote to again (the oldest first). The
    terms are written as ``ix_enquiries_inbox`` is, so the database reads that index."""
    query = select(Enquiry).where(Enquiry.hall_id == hall_id, inbox_clause())
    if division_id is not None:
        query = query.where(Enquiry.division_id == division_id)
    query = query.options(joinedload(Enquiry.topic), joinedload(Enquiry.division),
                          joinedload(Enquiry.handler))
    found = list(session.scalars(query.where(Enquiry.due_at.is_not(None))
                                 .order_by(Enquiry.due_at, Enquiry.id).limit(limit)))
    if len(found) < limit:
        found += session.scalars(query.where(Enquiry.due_at.is_(None),
                                             Enquiry.citizen_replied_at.is_not(None))
                                 .order_by(Enquiry.citizen_replied_at, Enquiry.id)
                                 .limit(limit - len(found)))
    return found


def inbox_count(session: Session, hall_id: int, division_id: int | None = None) -> int:
    """How many the inbox lists (for the tab's count)."""
    query = select(func.count()).select_from(Enquiry).where(
        Enquiry.hall_id == hall_id, inbox_clause(),
        or_(Enquiry.due_at.is_not(None), Enquiry.citizen_replied_at.is_not(None)))
    if division_id is not None:
        query = query.where(Enquiry.division_id == division_id)
    return session.scalar(query) or 0


def history(session: Session, enquiry: Enquiry) -> list[Entry]:
    """Every event of the enquiry, oldest first, with who acted."""
    rows = session.execute(
        select(Event.id, Event.at, Event.kind, Event.actor, Staff.name, Event.data)
        .outerjoin(Staff, Staff.id == Event.actor_id)
        .where(Event.enquiry_id == enquiry.id).order_by(Event.id))
    return [Entry(id=id_, at=at, kind=kind, actor=actor, actor_name=name, data=data or {})
            for id_, at, kind, actor, name, data in rows]


# -- what waits for a manager --------------------------------------------------------------------

@dataclass(frozen=True)
class ExtensionRequest:
    enquiry: Enquiry
    asked_at: datetime | None
    asked_by: str | None


def pending_extensions(session: Session, hall_id: int,
                       limit: int = 200) -> list[ExtensionRequest]:
    """The hall's enquiries waiting for a manager's decision on an extension, the nearest
    limit first, with who asked and when."""
    found = list(session.scalars(
        select(Enquiry).where(Enquiry.hall_id == hall_id,
                              Enquiry.extension_pending_days.is_not(None))
        .options(joinedload(Enquiry.division), joinedload(Enquiry.topic),
                 joinedload(Enquiry.handler))
        .order_by(Enquiry.due_at.is_(None), Enquiry.due_at, Enquiry.id).limit(limit)))
    asked: dict[int | None, tuple] = {}
    if found:
        for enquiry_id, at, name in session.execute(
                select(Event.enquiry_id, Event.at, Staff.name)
                .outerjoin(Staff, Staff.id == Event.actor_id)
                .where(Event.enquiry_id.in_([e.id for e in found]),
                       Event.kind == "enquiry.extension_requested").order_by(Event.id)):
            asked[enquiry_id] = (at, name)
    return [ExtensionRequest(e, *asked.get(e.id, (None, None))) for e in found]


# -- accountability ---------------------------------------------------------------------------

@dataclass
class EnquiryFigures:
    """One division's enquiries of one kind that arrived in a period, and how their time
    limits were kept: responded (answered, or accepted or declined) on time or late,
    concluded on time or late, still open, open and red now, and ever red (失职追究)."""

    division_id: int
    division: str
    division_en: str
    kind: str
    received: int = 0
    responded_on_time: int = 0
    responded_late: int = 0
    concluded_on_time: int = 0
    concluded_late: int = 0
    open: int = 0
    open_red: int = 0
    ever_red: int = 0

    @property
    def on_time_rate(self) -> float | None:
        """Of those responded to, the share on time."""
        done = self.responded_on_time + self.responded_late
        return self.responded_on_time / done if done else None


def accountability(session: Session, period: Period) -> list[EnquiryFigures]:
    """Per division and kind, the enquiries that arrived in ``period`` (the hall's local
    days): one GROUP BY, the same on SQLite and PostgreSQL."""
    E, D = Enquiry.__table__, Division.__table__

    def count(condition):
        return func.sum(case((condition, 1), else_=0))

    running = running_clause()
    rows = session.execute(
        select(D.c.id, D.c.name_zh, D.c.name_en, E.c.kind, func.count().label("received"),
               count(kept(E.c.responded_at, E.c.respond_due_at)).label("responded_on_time"),
               count(~kept(E.c.responded_at, E.c.respond_due_at)).label("responded_late"),
               count(kept(E.c.concluded_at, E.c.conclude_due_at)).label("concluded_on_time"),
               count(~kept(E.c.concluded_at, E.c.conclude_due_at)).label("concluded_late"),
               count(running).label("open"),
               count(and_(running, text("enquiries.warning = 'red'"))).label("open_red"),
               count(E.c.ever_red.is_(True)).label("ever_red"))
        .join(D, D.c.id == E.c.division_id)
        .where(E.c.hall_id == period.hall_id, E.c.created_at >= period.start,
               E.c.created_at < period.end)
        .group_by(D.c.id, D.c.name_zh, D.c.name_en, D.c.code, E.c.kind)
        .order_by(D.c.code, E.c.kind))
    return [EnquiryFigures(r.id, r.name_zh, r.name_en, r.kind, r.received,
                           r.responded_on_time or 0, r.responded_late or 0,
                           r.concluded_on_time or 0, r.concluded_late or 0, r.open or 0,
                           r.open_red or 0, r.ever_red or 0) for r in rows]
