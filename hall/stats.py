"""Statistics of a hall over a period of its local days, from the tickets, their events, the
cases and the ratings: what the dashboard, the daily report and a month's report read.

- wait: from the issue of the ticket to its first call (``ticket.called`` event; a recall, a
  call after a no-show or after a transfer does not restart it);
- service: from the call that brought the visitor to the window that finished the visit to
  the finish (the ticket's ``called_at`` and ``finished_at``);
- no-show and transfer rates: of the tickets that were called at least once;
- a case is on time when it was decided by its deadline (``due_at`` stays on the case after
  the decision, see ``hall.cases.decide``); overdue cases are those ever marked red
  (失职追究), counted against the division and the handler, in the month they turned red.

Every figure is one GROUP BY query that runs alike on SQLite and PostgreSQL; the results are
plain dataclasses. The period and the SQL that differs between the databases are in
``hall.period``; appointments, remote tickets and the waits of each channel in
``hall.booking_figures``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Date, Integer, and_, case, cast, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from . import booking_figures, channel_figures, clock, enquiry_inbox
from .booking_figures import BookingFigures
from .models import (
    Case,
    Division,
    Event,
    Hall,
    Rating,
    ServiceItem,
    Staff,
    Ticket,
    TicketStatus,
    Window,
)
from .models.tickets import ONLINE_SOURCE
from .period import Period, Sql, built_once, on_postgresql

POOR = 2  # ratings at or below this are poor (不满意, 非常不满意)
T = Ticket.__table__


# -- tickets -------------------------------------------------------------------------------------

@dataclass
class TicketFigures:
    """Counts and summed durations of a group of tickets; averages and rates derived."""

    key: object = None       # the group: a service id, window no, staff id, hour or date
    label: str = ""          # a name for people (zh)
    label_en: str = ""
    code: str = ""           # the service's code, for the per-service rows
    tickets: int = 0
    called: int = 0          # called at least once
    served: int = 0          # finished
    no_show: int = 0
    unserved: int = 0        # still waiting at closing (end of day)
    never_arrived: int = 0   # of those, taken from home and never checked in (hall.remote)
    open: int = 0            # waiting, called, serving or held now
    transferred: int = 0
    wait_count: int = 0
    wait_seconds: float = 0.0
    service_count: int = 0
    service_seconds: float = 0.0

    @property
    def avg_wait_minutes(self) -> float | None:
        return self.wait_seconds / self.wait_count / 60 if self.wait_count else None

    @property
    def avg_service_minutes(self) -> float | None:
        return self.service_seconds / self.service_count / 60 if self.service_count else None

    @property
    def no_show_rate(self) -> float | None:
        return self.no_show / self.called if self.called else None

    @property
    def transfer_rate(self) -> float | None:
        return self.transferred / self.called if self.called else None

    def add(self, other: TicketFigures) -> None:
        for name in ("tickets", "called", "served", "no_show", "unserved", "never_arrived",
                     "open", "transferred", "wait_count", "wait_seconds", "service_count",
                     "service_seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class TicketStats:
    """A period's tickets, in total and by service, window, clerk, hour of arrival and day."""

    period: Period
    total: TicketFigures
    by_service: list[TicketFigures] = field(default_factory=list)
    by_window: list[TicketFigures] = field(default_factory=list)
    by_clerk: list[TicketFigures] = field(default_factory=list)
    by_hour: list[TicketFigures] = field(default_factory=list)
    by_day: list[TicketFigures] = field(default_factory=list)


_FIRST_CALL = "ticket.called"
_TRANSFER = "ticket.transferred"
_FINISH = "ticket.finished"


def _moves(period: Period):
    """Per ticket of the period: its first call, its transfers and who finished it, from the
    hall's events of the period (read by ``ix_events_hall_at``)."""
    E = Event.__table__
    return (
        select(
            E.c.ticket_id,
            func.min(case((E.c.kind == _FIRST_CALL, E.c.at))).label("first_called"),
            func.sum(case((E.c.kind == _TRANSFER, 1), else_=0)).label("transfers"),
            func.max(case((E.c.kind == _FINISH, E.c.actor_id))).label("finisher"),
        )
        .where(E.c.hall_id == period.hall_id, E.c.at >= period.start, E.c.at < period.end,
               E.c.kind.in_((_FIRST_CALL, _TRANSFER, _FINISH)))
        .group_by(E.c.ticket_id)
        .subquery("moves")
    )


def _rows(pg: bool, period: Period):
    """One row per ticket of the period with what the groupings need."""
    sql = Sql(pg, period)
    moves = _moves(period)
    return (
        select(
            T.c.id, T.c.day, T.c.service_id, T.c.window_id, T.c.status, T.c.away,
            func.coalesce(moves.c.finisher, T.c.first_owner_id).label("clerk_id"),
            sql.hour(T.c.issued_at).label("hour"),
            moves.c.first_called,
            case((moves.c.transfers > 0, 1), else_=0).label("was_transferred"),
            sql.seconds(T.c.issued_at, moves.c.first_called).label("wait"),
            case((T.c.status == TicketStatus.FINISHED.value,
                  sql.seconds(T.c.called_at, T.c.finished_at))).label("service"),
        )
        .select_from(T.outerjoin(moves, moves.c.ticket_id == T.c.id))
        .where(T.c.hall_id == period.hall_id, T.c.day >= period.first,
               T.c.day <= period.last, T.c.source != ONLINE_SOURCE)  # never queued: not the floor's
    )


def _status(v, value: str):
    return func.sum(case((v.c.status == value, 1), else_=0))


def _aggregates(v) -> list:
    return [
        func.count().label("tickets"),
        func.count(v.c.first_called).label("called"),
        _status(v, TicketStatus.FINISHED.value).label("served"),
        _status(v, TicketStatus.NO_SHOW.value).label("no_show"),
        _status(v, TicketStatus.UNSERVED.value).label("unserved"),
        func.sum(case((and_(v.c.status == TicketStatus.UNSERVED.value, v.c.away.is_(True)), 1),
                      else_=0)).label("never_arrived"),
        func.sum(case((v.c.status.in_(("waiting", "called", "serving", "held")), 1),
                      else_=0)).label("open"),
        func.sum(v.c.was_transferred).label("transferred"),
        func.count(v.c.wait).label("wait_count"),
        func.sum(v.c.wait).label("wait_seconds"),
        func.count(v.c.service).label("service_count"),
        func.sum(v.c.service).label("service_seconds"),
    ]


def _figures(row, key=None, label: str = "", label_en: str = "") -> TicketFigures:
    return TicketFigures(
        key=key, label=label, label_en=label_en, tickets=row.tickets or 0,
        called=row.called or 0, served=row.served or 0, no_show=row.no_show or 0,
        unserved=row.unserved or 0, never_arrived=row.never_arrived or 0, open=row.open or 0,
        transferred=row.transferred or 0,
        wait_count=row.wait_count or 0, wait_seconds=float(row.wait_seconds or 0),
        service_count=row.service_count or 0,
        service_seconds=float(row.service_seconds or 0),
    )


_GROUPINGS = ("service", "window", "clerk", "hour", "day")


@built_once
def _tickets_statement(pg: bool, period: Period, by: tuple[str, ...]):
    """The visits of the period computed once (a materialised CTE: the first calls and
    transfers come from the events) and every grouping a GROUP BY over them, joined by
    UNION ALL."""
    v = _rows(pg, period).cte("visits").prefix_with("MATERIALIZED")
    keys = {"service": v.c.service_id, "window": v.c.window_id, "clerk": v.c.clerk_id,
            "hour": v.c.hour}
    no_key, no_day = cast(null(), Integer), cast(null(), Date)  # typed, for PostgreSQL's UNION
    parts = [select(literal("total").label("grouping"), no_key.label("key"),
                    no_day.label("day"), *_aggregates(v))]
    for name in by:
        if name == "day":
            parts.append(select(literal("day"), no_key, v.c.day, *_aggregates(v))
                         .group_by(v.c.day))
        else:
            parts.append(select(literal(name), keys[name], no_day, *_aggregates(v))
                         .where(keys[name].is_not(None)).group_by(keys[name]))
    return union_all(*parts)


def tickets(session: Session, period: Period, *,
            by: tuple[str, ...] = _GROUPINGS) -> TicketStats:
    """The period's ticket figures in total and grouped as asked.

    One statement (``_tickets_statement``), then the names are looked up."""
    grouped: dict[str, list] = {}
    for row in session.execute(_tickets_statement(on_postgresql(session), period, by)):
        grouped.setdefault(row.grouping, []).append(row)
    stats = TicketStats(period, _figures(grouped["total"][0]))
    names = _names(session, period, grouped)
    for name in by:
        found = []
        for row in grouped.get(name, ()):
            if name == "day":
                day = row.day if isinstance(row.day, date) else date.fromisoformat(str(row.day))
                found.append((day, _figures(row, day, day.isoformat(), day.isoformat())))
            elif name == "hour":
                found.append((row.key, _figures(row, row.key, f"{row.key:02d}:00",
                                                f"{row.key:02d}:00")))
            else:
                order, key, zh, en, code = names[name][row.key]
                figures = _figures(row, key, zh, en)
                figures.code = code
                found.append((order, figures))
        setattr(stats, f"by_{name}", [f for _order, f in sorted(found, key=lambda p: p[0])])
    return stats


def _names(session: Session, period: Period, grouped: dict) -> dict:
    """{grouping: {id: (sort key, key, name zh, name en, code)}} for the ids found."""
    names: dict = {"service": {}, "window": {}, "clerk": {}}
    wanted = {name: [row.key for row in grouped.get(name, ())] for name in names}
    if wanted["service"]:
        for s in session.execute(select(ServiceItem.id, ServiceItem.code, ServiceItem.name_zh,
                                        ServiceItem.name_en, ServiceItem.sort_order)
                                 .where(ServiceItem.id.in_(wanted["service"]))):
            names["service"][s.id] = ((s.sort_order, s.code), s.id, s.name_zh, s.name_en,
                                      s.code)
    if wanted["window"]:
        for w in session.execute(select(Window.id, Window.no)
                                 .where(Window.id.in_(wanted["window"]))):
            names["window"][w.id] = (w.no, w.no, f"{w.no}号窗口", f"Window {w.no}", "")
    if wanted["clerk"]:
        for p in session.execute(select(Staff.id, Staff.username, Staff.name)
                                 .where(Staff.id.in_(wanted["clerk"]))):
            names["clerk"][p.id] = (p.username, p.id, p.name, p.username, "")
    return names


# -- cases -------------------------------------------------------------------------------------

@dataclass
class CaseCounts:
    """A day's or a period's cases: accepted, decided (on time), closed, turned red."""

    accepted: int = 0
    decided: int = 0
    decided_on_time: int = 0
    closed: int = 0
    red: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.decided_on_time / self.decided if self.decided else None


@dataclass
class OnTime:
    """Cases of a division decided in a month, and how many by their deadline."""

    division_id: int
    division: str
    division_en: str
    month: str
    decided: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return self.on_time / self.decided if self.decided else None


@dataclass
class Overdue:
    """Cases that went red in a month, by division and by the person handling them (None:
    not yet taken up, the division's as a whole)."""

    division_id: int
    division: str
    division_en: str
    month: str
    handler_id: int | None
    handler: str | None
    handler_username: str | None
    cases: int


def case_counts(session: Session, period: Period) -> CaseCounts:
    """How many cases the hall accepted, decided (on time), closed, and saw turn red first."""
    C = Case.__table__

    def within(column):
        return func.sum(case((and_(column >= period.start, column < period.end), 1), else_=0))

    in_period = (
        (C.c.accepted_at.between(period.start, period.end))
        | (C.c.decided_at.between(period.start, period.end))
        | (C.c.closed_at.between(period.start, period.end))
        | (C.c.red_at.between(period.start, period.end))
    )
    row = session.execute(
        select(
            within(C.c.accepted_at).label("accepted"),
            within(C.c.decided_at).label("decided"),
            func.sum(case((and_(C.c.decided_at >= period.start, C.c.decided_at < period.end,
                                C.c.decided_at <= C.c.due_at), 1), else_=0)).label("on_time"),
            within(C.c.closed_at).label("closed"),
            within(C.c.red_at).label("red"),
        ).where(C.c.hall_id == period.hall_id, in_period)
    ).one()
    return CaseCounts(row.accepted or 0, row.decided or 0, row.on_time or 0, row.closed or 0,
                      row.red or 0)


def on_time(session: Session, period: Period) -> list[OnTime]:
    """The on-time rate per division and month (by the month of the decision)."""
    C, D = Case.__table__, Division.__table__
    month = Sql(session, period).month(C.c.decided_at).label("month")
    rows = session.execute(
        select(D.c.id, D.c.name_zh, D.c.name_en, month, func.count().label("decided"),
               func.sum(case((C.c.decided_at <= C.c.due_at, 1), else_=0)).label("on_time"))
        .join(D, D.c.id == C.c.division_id)
        .where(C.c.hall_id == period.hall_id, C.c.decided_at >= period.start,
               C.c.decided_at < period.end)
        .group_by(D.c.id, D.c.name_zh, D.c.name_en, D.c.code, month)
        .order_by(month, D.c.code)
    )
    return [OnTime(r.id, r.name_zh, r.name_en, r.month, r.decided, r.on_time or 0)
            for r in rows]


def overdue(session: Session, period: Period) -> list[Overdue]:
    """The accountability report (失职追究): cases that turned red, per division and handler
    and month, however they ended later."""
    C, D, P = Case.__table__, Division.__table__, Staff.__table__
    month = Sql(session, period).month(C.c.red_at).label("month")
    rows = session.execute(
        select(D.c.id, D.c.name_zh, D.c.name_en, month, C.c.handler_id,
               P.c.name.label("handler"), P.c.username, func.count().label("cases"))
        .join(D, D.c.id == C.c.division_id)
        .outerjoin(P, P.c.id == C.c.handler_id)
        .where(C.c.hall_id == period.hall_id, C.c.ever_red.is_(True),
               C.c.red_at >= period.start, C.c.red_at < period.end)
        .group_by(D.c.id, D.c.name_zh, D.c.name_en, D.c.code, month, C.c.handler_id,
                  P.c.name, P.c.username)
        .order_by(month, D.c.code, P.c.username)
    )
    return [Overdue(r.id, r.name_zh, r.name_en, r.month, r.handler_id, r.handler,
                    r.username, r.cases) for r in rows]


# -- ratings -----------------------------------------------------------------------------------

@dataclass
class RatingFigures:
    key: object = None
    label: str = ""
    label_en: str = ""
    count: int = 0
    level_sum: int = 0
    poor: int = 0

    @property
    def average(self) -> float | None:
        return self.level_sum / self.count if self.count else None

    @property
    def poor_rate(self) -> float | None:
        return self.poor / self.count if self.count else None


@dataclass
class RatingStats:
    total: RatingFigures
    by_window: list[RatingFigures] = field(default_factory=list)
    by_clerk: list[RatingFigures] = field(default_factory=list)


def _rating_aggregates(R) -> list:
    return [func.count().label("count"), func.sum(R.c.level).label("level_sum"),
            func.sum(case((R.c.level <= POOR, 1), else_=0)).label("poor")]


def _rating(row, key=None, label="", label_en="") -> RatingFigures:
    return RatingFigures(key, label, label_en, row.count or 0, int(row.level_sum or 0),
                         row.poor or 0)


def ratings(session: Session, period: Period) -> RatingStats:
    """Ratings given in the period (好差评): in total, per window and per clerk rated."""
    R, W, P = Rating.__table__, Window.__table__, Staff.__table__
    where = (R.c.hall_id == period.hall_id, R.c.created_at >= period.start,
             R.c.created_at < period.end)
    stats = RatingStats(_rating(session.execute(
        select(*_rating_aggregates(R)).where(*where)).one()))
    for row in session.execute(
        select(W.c.no, *_rating_aggregates(R)).join(W, W.c.id == R.c.window_id)
        .where(*where).group_by(W.c.no).order_by(W.c.no)
    ):
        stats.by_window.append(_rating(row, row.no, f"{row.no}号窗口", f"Window {row.no}"))
    for row in session.execute(
        select(P.c.id, P.c.name, P.c.username, *_rating_aggregates(R))
        .join(P, P.c.id == R.c.staff_id)
        .where(*where).group_by(P.c.id, P.c.name, P.c.username).order_by(P.c.username)
    ):
        stats.by_clerk.append(_rating(row, row.id, row.name, row.username))
    return stats


# -- all of it -----------------------------------------------------------------------------------

@dataclass
class Report:
    """Everything a day's or a month's report shows."""

    hall: Hall
    period: Period
    tickets: TicketStats
    cases: CaseCounts
    on_time: list[OnTime]
    overdue: list[Overdue]
    ratings: RatingStats
    # Appointments, remote tickets and walk-ins (hall.booking_figures); None in a report
    # put together by hand without them.
    appointments: BookingFigures | None = None
    # The channels side by side, at the windows and online (hall.channel_figures); None in a
    # report put together by hand without them.
    channels: list[channel_figures.ChannelRow] | None = None


def report(session: Session, hall: Hall, period: Period) -> Report:
    """The period's figures; the open warnings of the channels as they stand now."""
    return Report(hall, period, tickets(session, period), case_counts(session, period),
                  on_time(session, period), overdue(session, period), ratings(session, period),
                  booking_figures.figures(session, period),
                  channel_figures.figures(session, period))


def today(session: Session, hall: Hall) -> TicketStats:
    """Today's ticket figures of a hall so far (what a dashboard shows)."""
    day = clock.local_date(clock.now(), hall.timezone)
    return tickets(session, Period.day(hall, day), by=("service", "window", "hour"))


__all__ = [
    "Period", "Sql", "TicketFigures", "TicketStats", "CaseCounts", "OnTime", "Overdue",
    "RatingFigures", "RatingStats", "Report", "tickets", "case_counts", "on_time", "overdue",
    "ratings", "report", "today",
]


# -- questions, complaints and reports online (issue 15) ---------------------------------------

def enquiries(session: Session, period: Period) -> list[enquiry_inbox.EnquiryFigures]:
    """Per division and kind, the enquiries that arrived in the period: responded on time or
    late, concluded on time or late, open, open and red now, ever red (``hall.enquiry_inbox``)."""
    return enquiry_inbox.accountability(session, period)
