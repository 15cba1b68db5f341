"""How visitors came, per hall and day: appointments (预约), remote tickets (远程取号) and
walk-ins, from the bookings, the tickets and their events. The dashboard, the daily report and
the month's statistics read the same figures.

- **Bookings of a day** are the bookings whose slot is on that day, whatever they became:
  honoured (checked in), missed (not checked in by the late limit, ``booking.missed``),
  cancelled, or still expected (booked). A booking moved to another day counts on the day it
  was moved to. The honour rate is the honoured among those whose time has come and gone
  (honoured + missed), so it means the same at noon and at closing.
- **Remote tickets** are tickets of ``source`` 'remote'; one has arrived once its
  ``ticket.arrived`` event is recorded (or it was called: nobody is called before arriving).
- **Waits by channel**: appointments are tickets checked in from a booking (``source``
  'booking', ``appointment_at`` set), remote tickets those of ``source`` 'remote', walk-ins
  everything else (kiosk, API). The wait runs from the issue of the ticket to its first call,
  as ``hall.stats`` counts it, except for a remote ticket: its wait starts when the visitor
  arrived in the hall, since the time before was spent at home. Each channel has its average
  and its 90th percentile (nearest rank: the smallest wait that 90% of the waits do not
  exceed).
- **Punctuality of appointments**: when a checked-in appointment was first called, against
  its slot's start: before it (early), within ``ON_TIME_MINUTES`` after it (on time), or later
  (late); the average and 90th percentile of that delay (negative: called early).

Two statements, whatever the period: one grouped count of the bookings, one over the tickets
in which the percentiles come from window functions (``row_number`` and ``count`` over each
channel), so both run alike on SQLite and PostgreSQL.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Date, String, and_, case, cast, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session

from .models import Booking, BookingStatus, Event, Ticket
from .models.tickets import ONLINE_SOURCE
from .period import Period, Sql, built_once, on_postgresql

APPOINTMENT, REMOTE, WALK_IN = "appointment", "remote", "walk_in"
CHANNELS = (APPOINTMENT, REMOTE, WALK_IN)
# An appointment called within this many minutes after its slot's start was called on time.
ON_TIME_MINUTES = 10

_FIRST_CALL, _ARRIVED = "ticket.called", "ticket.arrived"


@dataclass
class Bookings:
    booked: int = 0      # every booking for the day, whatever became of it
    honoured: int = 0    # checked in
    missed: int = 0
    cancelled: int = 0
    expected: int = 0    # still booked: not yet checked in, not yet missed

    @property
    def honour_rate(self) -> float | None:
        decided = self.honoured + self.missed
        return self.honoured / decided if decided else None


@dataclass
class Remote:
    taken: int = 0
    arrived: int = 0

    @property
    def not_arrived(self) -> int:
        """Not arrived yet during the day; never arrived once the day is over."""
        return self.taken - self.arrived


@dataclass
class Waits:
    """One channel's tickets and how long those called waited (seconds summed)."""

    channel: str
    tickets: int = 0
    called: int = 0
    wait_count: int = 0
    wait_seconds: float = 0.0
    p90_seconds: float | None = None

    @property
    def avg_wait_minutes(self) -> float | None:
        return self.wait_seconds / self.wait_count / 60 if self.wait_count else None

    @property
    def p90_wait_minutes(self) -> float | None:
        return self.p90_seconds / 60 if self.p90_seconds is not None else None


@dataclass
class Punctuality:
    """Appointments called, against their slot's start."""

    called: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    delay_seconds: float = 0.0
    p90_seconds: float | None = None

    @property
    def avg_delay_minutes(self) -> float | None:
        return self.delay_seconds / self.called / 60 if self.called else None

    @property
    def p90_delay_minutes(self) -> float | None:
        return self.p90_seconds / 60 if self.p90_seconds is not None else None


@dataclass
class DayFigures:
    """A day's figures (``day`` None: the whole period's)."""

    day: date | None = None
    bookings: Bookings = field(default_factory=Bookings)
    remote: Remote = field(default_factory=Remote)
    waits: list[Waits] = field(default_factory=lambda: [Waits(c) for c in CHANNELS])
    punctuality: Punctuality = field(default_factory=Punctuality)

    def wait(self, channel: str) -> Waits:
        return next(w for w in self.waits if w.channel == channel)


@dataclass
class BookingFigures:
    period: Period
    total: DayFigures = field(default_factory=DayFigures)
    by_day: list[DayFigures] = field(default_factory=list)


def figures(session: Session, period: Period, *, by_day: bool = True) -> BookingFigures:
    """The period's figures in total and, when asked, per day that had any."""
    days: dict[date, DayFigures] = {}

    def of(day) -> DayFigures:
        day = _date(day)
        return days.setdefault(day, DayFigures(day))

    result = BookingFigures(period)
    for row in session.execute(_bookings_query(period)):
        for figures_ in (result.total, *((of(row.day),) if by_day else ())):
            _count_booking(figures_.bookings, row.status, row.n)
    for row in session.execute(_tickets_query(on_postgresql(session), period, by_day)):
        target = result.total if row.grouping == "total" else of(row.day)
        _fill(target, row)
    result.by_day = [days[d] for d in sorted(days)]
    return result


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _count_booking(b: Bookings, status: str, n: int) -> None:
    b.booked += n
    if status == BookingStatus.CHECKED_IN.value:
        b.honoured += n
    elif status == BookingStatus.MISSED.value:
        b.missed += n
    elif status == BookingStatus.CANCELLED.value:
        b.cancelled += n
    elif status == BookingStatus.BOOKED.value:
        b.expected += n


@built_once
def _bookings_query(period: Period):
    B = Booking.__table__
    return (select(B.c.day, B.c.status, func.count().label("n"))
            .where(B.c.hall_id == period.hall_id, B.c.day >= period.first,
                   B.c.day <= period.last)
            .group_by(B.c.day, B.c.status))


def _visits(pg: bool, period: Period):
    """One row per ticket of the period: its channel, first call, arrival, wait and delay."""
    T, E = Ticket.__table__, Event.__table__
    sql = Sql(pg, period)
    moves = (
        select(E.c.ticket_id,
               func.min(case((E.c.kind == _FIRST_CALL, E.c.at))).label("first_called"),
               func.min(case((E.c.kind == _ARRIVED, E.c.at))).label("arrived"))
        .where(E.c.hall_id == period.hall_id, E.c.at >= period.start, E.c.at < period.end,
               E.c.kind.in_((_FIRST_CALL, _ARRIVED)))
        .group_by(E.c.ticket_id)
        .subquery("moves"))
    channel = case((T.c.source == "remote", literal(REMOTE)),
                   (or_(T.c.source == "booking", T.c.appointment_at.is_not(None)),
                    literal(APPOINTMENT)),
                   else_=literal(WALK_IN))
    remote = T.c.source == "remote"
    start = case((remote, func.coalesce(moves.c.arrived, T.c.queued_at)), else_=T.c.issued_at)
    return (
        select(T.c.day, channel.label("channel"), moves.c.first_called,
               case((and_(remote, or_(moves.c.arrived.is_not(None),
                                      moves.c.first_called.is_not(None))), 1),
                    else_=0).label("arrived"),
               sql.seconds(start, moves.c.first_called).label("wait"),
               case((T.c.appointment_at.is_not(None),
                     sql.seconds(T.c.appointment_at, moves.c.first_called))).label("delay"))
        .select_from(T.outerjoin(moves, moves.c.ticket_id == T.c.id))
        .where(T.c.hall_id == period.hall_id, T.c.day >= period.first, T.c.day <= period.last,
               T.c.source != ONLINE_SOURCE)
        .cte("visits"))


def _ranked(v, by_day: bool):
    """The visits with each wait's and delay's rank within its channel (and day), and how
    many there are: what the 90th percentile is picked by."""
    columns = [v]
    for value in ("wait", "delay"):
        # NULLs sort first on SQLite and last on PostgreSQL: they are ranked apart.
        missing = v.c[value].is_(None)
        groups = {"all": [v.c.channel, missing]}
        if by_day:
            groups["day"] = [v.c.day, v.c.channel, missing]
        for name, partition in groups.items():
            columns += [
                func.row_number().over(partition_by=partition, order_by=v.c[value])
                .label(f"{value}_rank_{name}"),
                func.count().over(partition_by=partition).label(f"{value}_n_{name}"),
            ]
    return select(*columns).cte("ranked")


def _p90(r, value: str, scope: str):
    """The nearest-rank 90th percentile: the value whose rank is ceil(0.9 n)."""
    rank, n = r.c[f"{value}_rank_{scope}"], r.c[f"{value}_n_{scope}"]
    at_rank = and_(r.c[value].is_not(None), rank * 10 >= n * 9, (rank - 1) * 10 < n * 9)
    return func.max(case((at_rank, r.c[value])))


def _aggregates(r, scope: str) -> list:
    delay = r.c.delay
    return [
        func.count().label("tickets"),
        func.count(r.c.first_called).label("called"),
        func.sum(r.c.arrived).label("arrived"),
        func.count(r.c.wait).label("wait_count"),
        func.sum(r.c.wait).label("wait_seconds"),
        _p90(r, "wait", scope).label("wait_p90"),
        func.count(delay).label("delay_count"),
        func.sum(delay).label("delay_seconds"),
        func.sum(case((delay < 0, 1), else_=0)).label("early"),
        func.sum(case((delay > ON_TIME_MINUTES * 60, 1), else_=0)).label("late"),
        _p90(r, "delay", scope).label("delay_p90"),
    ]


@built_once
def _tickets_query(pg: bool, period: Period, by_day: bool):
    r = _ranked(_visits(pg, period), by_day)
    no_day = cast(null(), Date)  # typed, for PostgreSQL's UNION
    parts = [select(cast(literal("total"), String).label("grouping"), no_day.label("day"),
                    r.c.channel, *_aggregates(r, "all")).group_by(r.c.channel)]
    if by_day:
        parts.append(select(literal("day"), r.c.day, r.c.channel, *_aggregates(r, "day"))
                     .group_by(r.c.day, r.c.channel))
    return union_all(*parts)


def _fill(target: DayFigures, row) -> None:
    wait = target.wait(row.channel)
    wait.tickets, wait.called = row.tickets or 0, row.called or 0
    wait.wait_count, wait.wait_seconds = row.wait_count or 0, float(row.wait_seconds or 0)
    wait.p90_seconds = float(row.wait_p90) if row.wait_p90 is not None else None
    if row.channel == REMOTE:
        target.remote = Remote(taken=row.tickets or 0, arrived=row.arrived or 0)
    if row.channel == APPOINTMENT and row.delay_count:
        early, late = row.early or 0, row.late or 0
        target.punctuality = Punctuality(
            called=row.delay_count, early=early, on_time=row.delay_count - early - late,
            late=late, delay_seconds=float(row.delay_seconds or 0),
            p90_seconds=float(row.delay_p90) if row.delay_p90 is not None else None)


__all__ = ["APPOINTMENT", "REMOTE", "WALK_IN", "CHANNELS", "ON_TIME_MINUTES", "Bookings",
           "Remote", "Waits", "Punctuality", "DayFigures", "BookingFigures", "figures"]
