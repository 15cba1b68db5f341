"""The manager's dashboard: how the hall stands today, as plain figures.

``snapshot`` reads a handful of aggregate queries (one per kind of figure, never one per
ticket), so that it stays cheap on a busy day and can be sent live after every burst of
events. Durations are computed in SQL: SQLite by ``julianday``, PostgreSQL by ``epoch``.
Reads only; call it inside ``hall.db.consistent_read`` when the figures must agree.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from . import board, booking_figures, casefile, channel_figures, clock, device_panel, stats
from .floor import start_of_day
from .models import (
    Case,
    Division,
    Hall,
    Rating,
    ServiceItem,
    Staff,
    Ticket,
    TicketStatus,
    open_clause,
    window_services,
)

# Minutes: a wait of 7 minutes falls in the 5–10 bucket; the last one is open-ended.
WAIT_BUCKETS = (0, 5, 10, 20, 30, 60)
_AT_WINDOW = (TicketStatus.CALLED.value, TicketStatus.SERVING.value, TicketStatus.HELD.value)


@dataclass(frozen=True)
class ServiceFigure:
    code: str
    name_zh: str
    name_en: str
    prefix: str
    waiting: int
    longest_wait_min: int | None  # of those waiting now; None when nobody waits
    issued: int
    avg_wait_min: float | None


@dataclass(frozen=True)
class DivisionFigure:
    code: str
    name_zh: str
    name_en: str
    yellow: int
    red: int


@dataclass(frozen=True)
class PersonFigure:
    """Open yellow and red cases held by one member of division staff (the handler); cases
    nobody has taken up yet are counted against their division with ``username`` None."""

    username: str | None
    name: str | None
    division: str
    division_zh: str
    division_en: str
    yellow: int
    red: int


@dataclass(frozen=True)
class WaitBucket:
    low: int
    high: int | None
    count: int


@dataclass(frozen=True)
class AppointmentPanel:
    """Today's appointments, remote tickets and the waits of each channel, as
    ``hall.booking_figures`` counts them."""

    booked: int = 0                 # bookings for today, whatever became of them
    checked_in: int = 0
    missed: int = 0                 # so far: not checked in by the late limit
    cancelled: int = 0
    expected: int = 0               # still to come
    honour_rate: float | None = None
    remote_taken: int = 0
    remote_not_arrived: int = 0
    appointment_wait_min: float | None = None
    appointment_p90_min: float | None = None
    remote_wait_min: float | None = None
    remote_p90_min: float | None = None
    walk_in_wait_min: float | None = None
    walk_in_p90_min: float | None = None
    called_late: int = 0            # appointments called over ON_TIME_MINUTES after their slot
    avg_delay_min: float | None = None  # first call against the slot's start (negative: early)

    @classmethod
    def of(cls, day: booking_figures.DayFigures) -> AppointmentPanel:
        b, waits = day.bookings, {c: day.wait(c) for c in booking_figures.CHANNELS}

        def avg(channel: str) -> float | None:
            return _round(waits[channel].avg_wait_minutes)

        def p90(channel: str) -> float | None:
            return _round(waits[channel].p90_wait_minutes)

        A, R, W = booking_figures.APPOINTMENT, booking_figures.REMOTE, booking_figures.WALK_IN
        return cls(
            booked=b.booked, checked_in=b.honoured, missed=b.missed, cancelled=b.cancelled,
            expected=b.expected, honour_rate=_round(b.honour_rate, 3),
            remote_taken=day.remote.taken, remote_not_arrived=day.remote.not_arrived,
            appointment_wait_min=avg(A), appointment_p90_min=p90(A),
            remote_wait_min=avg(R), remote_p90_min=p90(R),
            walk_in_wait_min=avg(W), walk_in_p90_min=p90(W),
            called_late=day.punctuality.late,
            avg_delay_min=_round(day.punctuality.avg_delay_minutes))


@dataclass(frozen=True)
class Snapshot:
    hall: str
    name_zh: str
    name_en: str
    timezone: str
    day: date
    at: datetime
    services: list[ServiceFigure]
    windows: list[board.WindowLine]
    issued: int
    waiting: int
    at_windows: int
    finished: int
    no_show: int
    unserved: int
    longest_wait_min: int | None
    avg_wait_min: float | None      # issued → first called (as hall.stats counts it)
    avg_service_min: float | None   # called → finished, over today's finished tickets
    no_show_rate: float | None      # no-shows among the visitors called (hall.stats)
    divisions: list[DivisionFigure]
    people: list[PersonFigure]
    ratings: int
    rating_avg: float | None
    followups_open: int
    followups_red: int
    arrivals_by_hour: list[int] = field(default_factory=lambda: [0] * 24)
    wait_distribution: list[WaitBucket] = field(default_factory=list)
    # The hall's devices and today's alerts of devices issuing unusually fast.
    devices: list[device_panel.DeviceFigure] = field(default_factory=list)
    device_alerts: list[device_panel.DeviceAlert] = field(default_factory=list)
    extensions_pending: int = 0     # cases whose extension waits for a manager's decision
    appointments: AppointmentPanel = field(default_factory=AppointmentPanel)
    # Today's channels side by side, at the windows and online (hall.channel_figures).
    channels: list[channel_figures.ChannelRow] = field(default_factory=list)

    @property
    def yellow(self) -> int:
        return sum(d.yellow for d in self.divisions)

    @property
    def red(self) -> int:
        return sum(d.red for d in self.divisions)

    @property
    def open_windows(self) -> int:
        return sum(w.state == "open" for w in self.windows)

    def as_dict(self) -> dict:
        """JSON-ready: dates and instants as ISO strings, the totals included."""
        body = asdict(self)
        body.update(day=self.day.isoformat(), at=self.at.isoformat(), yellow=self.yellow,
                    red=self.red, open_windows=self.open_windows)
        return body


def _round(value: float | None, digits: int = 1) -> float | None:
    return round(value, digits) if value is not None else None


def snapshot(session: Session, hall: Hall, now: datetime | None = None) -> Snapshot:
    """Everything the dashboard shows about ``hall`` for its local today."""
    now = now or clock.now()
    day = clock.local_date(now, hall.timezone)
    midnight = start_of_day(hall, day)
    T = Ticket
    today = and_(T.hall_id == hall.id, T.day == day)
    sql = stats.Sql(session, stats.Period.day(hall, day))
    waited = sql.seconds(T.issued_at, T.called_at)
    is_waiting = T.status == TicketStatus.WAITING.value

    def counted(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    # 1. tickets per service: the queue now, and today's waits and services.
    per_service = {row.service_id: row for row in session.execute(
        select(T.service_id,
               func.count().label("issued"),
               counted(is_waiting).label("waiting"),
               counted(T.status.in_(_AT_WINDOW)).label("at_windows"),
               counted(T.status == TicketStatus.FINISHED.value).label("finished"),
               counted(T.status == TicketStatus.NO_SHOW.value).label("no_show"),
               counted(T.status == TicketStatus.UNSERVED.value).label("unserved"),
               func.min(case((is_waiting, T.issued_at))).label("oldest"))
        .where(today).group_by(T.service_id))}

    # 2. the services offered (a window may serve them), and any with tickets today.
    offered = exists().where(window_services.c.service_id == ServiceItem.id)
    items = session.execute(
        select(ServiceItem.id, ServiceItem.code, ServiceItem.name_zh, ServiceItem.name_en,
               ServiceItem.prefix)
        .where(ServiceItem.hall_id == hall.id,
               (ServiceItem.active.is_(True) & offered) | ServiceItem.id.in_(list(per_service)))
        .order_by(ServiceItem.sort_order, ServiceItem.code)).all()
    # Waits, service times and rates as the daily report counts them (hall.stats): the wait
    # ends at the first call, whatever recalls or transfers came after.
    today_stats = stats.tickets(session, stats.Period.day(hall, day), by=("service",))
    figures = {f.key: f for f in today_stats.by_service}
    services, oldest_all = [], None
    for item in items:
        row = per_service.get(item.id)
        oldest = _aware(row.oldest) if row is not None else None
        if oldest is not None and (oldest_all is None or oldest < oldest_all):
            oldest_all = oldest
        services.append(ServiceFigure(
            item.code, item.name_zh, item.name_en, item.prefix,
            waiting=row.waiting if row else 0, longest_wait_min=_age(now, oldest),
            issued=row.issued if row else 0,
            avg_wait_min=_round(figures.get(item.id, stats.TicketFigures()).avg_wait_minutes)))

    def total(name: str):
        return sum((getattr(r, name) or 0) for r in per_service.values())

    finished, no_show = total("finished"), total("no_show")

    # 3. arrivals per hour of the hall's day, and 4. how long today's called visitors waited.
    hour = sql.hour(T.issued_at)
    arrivals = [0] * 24
    for h, n in session.execute(select(hour, func.count()).where(today).group_by(hour)):
        if h is not None and 0 <= h < 24:
            arrivals[h] += n
    bucket = case(*[(waited < high * 60, i) for i, high in enumerate(WAIT_BUCKETS[1:])],
                  else_=len(WAIT_BUCKETS) - 1)
    counts: dict[int, int] = dict(session.execute(
        select(bucket, func.count()).where(today, T.called_at.is_not(None)).group_by(bucket)
    ).all())
    distribution = [
        WaitBucket(low, WAIT_BUCKETS[i + 1] if i + 1 < len(WAIT_BUCKETS) else None,
                   counts.get(i, 0))
        for i, low in enumerate(WAIT_BUCKETS)
    ]

    divisions, people = _warnings(session, hall)
    ratings, rating_avg, followups_open, followups_red = session.execute(select(
        select(func.count()).where(Rating.hall_id == hall.id, Rating.created_at >= midnight)
        .scalar_subquery(),
        select(func.avg(Rating.level)).where(Rating.hall_id == hall.id,
                                             Rating.created_at >= midnight).scalar_subquery(),
        select(func.count()).where(Rating.hall_id == hall.id, Rating.followup == "open")
        .scalar_subquery(),
        select(func.count()).where(Rating.hall_id == hall.id, Rating.followup == "open",
                                   Rating.followup_warning == "red").scalar_subquery(),
    )).one()

    device_figures, device_alerts = device_panel.panel(session, hall, day, midnight)
    # 5. appointments, remote tickets and each channel's waits: two statements.
    channels = booking_figures.figures(session, stats.Period.day(hall, day), by_day=False)
    # 6. the windows and the online channels: two statements (the day's moves, the warnings).
    side_by_side = channel_figures.figures(session, stats.Period.day(hall, day), now)
    return Snapshot(
        hall=hall.code, name_zh=hall.name_zh, name_en=hall.name_en, timezone=hall.timezone,
        day=day, at=now, services=services,
        windows=board.window_lines(session, hall),
        issued=total("issued"), waiting=total("waiting"), at_windows=total("at_windows"),
        finished=finished, no_show=no_show, unserved=total("unserved"),
        longest_wait_min=_age(now, oldest_all),
        avg_wait_min=_round(today_stats.total.avg_wait_minutes),
        avg_service_min=_round(today_stats.total.avg_service_minutes),
        no_show_rate=_round(today_stats.total.no_show_rate, 3),
        divisions=divisions, people=people,
        ratings=ratings or 0,
        rating_avg=round(float(rating_avg), 1) if rating_avg is not None else None,
        followups_open=followups_open or 0, followups_red=followups_red or 0,
        arrivals_by_hour=arrivals, wait_distribution=distribution,
        devices=device_figures, device_alerts=device_alerts,
        extensions_pending=casefile.pending_extension_count(session, hall.id),
        appointments=AppointmentPanel.of(channels.total),
        channels=side_by_side,
    )


def _warnings(session: Session, hall: Hall) -> tuple[list[DivisionFigure], list[PersonFigure]]:
    """Open yellow and red cases per division and per handler: one grouped count."""
    rows = session.execute(
        select(Division.code, Division.name_zh, Division.name_en, Staff.username, Staff.name,
               Case.warning, func.count())
        .select_from(Case)
        .join(Division, Division.id == Case.division_id)
        .outerjoin(Staff, Staff.id == Case.handler_id)
        .where(Case.hall_id == hall.id, open_clause(), Case.warning.in_(("yellow", "red")))
        .group_by(Division.code, Division.name_zh, Division.name_en, Staff.username,
                  Staff.name, Case.warning)
    ).all()
    by_division: dict[str, dict] = {}
    by_person: dict[tuple, dict] = {}
    for code, name_zh, name_en, username, name, warning, n in rows:
        d = by_division.setdefault(code, {"code": code, "name_zh": name_zh,
                                          "name_en": name_en, "yellow": 0, "red": 0})
        d[warning] += n
        p = by_person.setdefault((username, code), {
            "username": username, "name": name, "division": code, "division_zh": name_zh,
            "division_en": name_en, "yellow": 0, "red": 0})
        p[warning] += n
    divisions = sorted((DivisionFigure(**d) for d in by_division.values()),
                       key=lambda d: (-d.red, -d.yellow, d.code))
    people = sorted((PersonFigure(**p) for p in by_person.values()),
                    key=lambda p: (-p.red, -p.yellow, p.division, p.username or ""))
    return divisions, people


def province(session: Session, halls: list[Hall], now: datetime | None = None) -> list[Snapshot]:
    """Every hall's snapshot, side by side, in the order given."""
    now = now or clock.now()
    return [snapshot(session, hall, now) for hall in halls]


def visible_halls(session: Session, hall: Hall) -> list[Hall]:
    """The hall and the halls under it (a province sees every hall), the hall itself first."""
    if hall.level != "province":
        return [hall]
    others = session.scalars(select(Hall).where(Hall.id != hall.id).order_by(Hall.node_no))
    return [hall, *others]


def _aware(at: datetime | str | None) -> datetime | None:
    """``min()`` over a column comes back typed on PostgreSQL, sometimes as text on SQLite."""
    if at is None or isinstance(at, datetime):
        return at
    return datetime.fromisoformat(at).replace(tzinfo=UTC)


def _age(now: datetime, since: datetime | None) -> int | None:
    if since is None:
        return None
    return max(0, int((now - since) / timedelta(minutes=1)))
