"""The hall's channels side by side (线上线下): what came in at the windows and online in a
period, and how the time limits were kept. The daily report (a day), the statistics (a
month) and the dashboard (today so far) show the same rows.

One row per channel, the same columns for every channel; a figure a channel does not have is
None (shown as a dash):

- ``received``: cases accepted at the windows; questions, complaints and reports sent online;
- ``responded_*``: the first response within its limit or late: a question answered, a
  complaint or report accepted or declined (a case is accepted at the window, on the spot);
- ``concluded_*``: a case decided, a complaint or report concluded, by its deadline or late;
- ``extended``: extensions a manager granted in the period;
- ``open_yellow``, ``open_red``: open now and warned, as the deadline job marked them.

Moves count in the period in which they happened (an answer on Monday to a question of
Friday counts on Monday). On time is the rule the time limits are kept by: a case decided by
its ``due_at`` (``hall.stats``), an enquiry by ``hall.enquiry_deadlines.kept``; every limit
is the one stored on the case or enquiry, extension included.

Cheap enough for the dashboard: the period's moves are one grouped count over the hall's
events of the period (``ix_events_hall_at``), the warnings one grouped count over the open
cases and enquiries (their partial inbox indexes); every builder of a table shares both.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from sqlalchemy import and_, case, func, select, union_all
from sqlalchemy.orm import Session

from . import applications, clock
from .enquiry_deadlines import kept
from .models import Case, Enquiry, Event, Ticket, open_clause
from .models.enquiries import running_clause
from .period import Period, built_once

HALL = "hall"
CONSULTATION, COMPLAINT, REPORT = "consultation", "complaint", "report"
APPLICATION = "application"
ONLINE = (APPLICATION, CONSULTATION, COMPLAINT, REPORT)
# Names for people, Chinese first (the PDF and the CSV print both; pages translate the
# English through the catalogue: ``hall.web.manager.channel_words``).
NAMES = {
    HALL: ("大厅窗口办件", "Cases at the windows"),
    APPLICATION: ("网上申办", "Online applications"),
    CONSULTATION: ("网上咨询", "Questions online"),
    COMPLAINT: ("网上投诉", "Complaints online"),
    REPORT: ("网上举报", "Reports online"),
}
# The figures beside a row's columns, with their names (zh, en).
DETAILS = {
    "tickets": ("取号", "Tickets issued"),
    "accepted": ("受理", "Accepted"),
    "declined": ("不予受理", "Not accepted"),
    "deemed_accepted": ("视为受理", "Deemed accepted"),
    "refused": ("不予受理", "Refused"),
    "withdrawn": ("撤回", "Withdrawn"),
    "awaiting_prereview": ("待预审", "Awaiting pre-review"),
}


@dataclass
class ChannelRow:
    """One channel's figures in a period (see the module's docstring for each column)."""

    channel: str
    name_zh: str
    name_en: str
    received: int = 0
    responded_on_time: int | None = None
    responded_late: int | None = None
    concluded_on_time: int | None = None
    concluded_late: int | None = None
    extended: int | None = None
    open_yellow: int | None = None
    open_red: int | None = None
    details: dict[str, int] = field(default_factory=dict)

    @property
    def online(self) -> bool:
        return self.channel in ONLINE

    @property
    def responded(self) -> int | None:
        return _total(self.responded_on_time, self.responded_late)

    @property
    def concluded(self) -> int | None:
        return _total(self.concluded_on_time, self.concluded_late)

    @property
    def responded_rate(self) -> float | None:
        return _rate(self.responded_on_time, self.responded)

    @property
    def concluded_rate(self) -> float | None:
        return _rate(self.concluded_on_time, self.concluded)


def _total(on_time: int | None, late: int | None) -> int | None:
    return None if on_time is None or late is None else on_time + late


def _rate(part: int | None, whole: int | None) -> float | None:
    return part / whole if part is not None and whole else None


def row(channel: str, **figures) -> ChannelRow:
    zh, en = NAMES[channel]
    return ChannelRow(channel, zh, en, **figures)


# -- what the builders share ---------------------------------------------------------------------

RESPONSES = ("enquiry.answered", "enquiry.accepted", "enquiry.declined")
MOVES = ("ticket.issued", "case.accepted", "case.decided", "case.extension_granted",
         "enquiry.submitted", *RESPONSES, "enquiry.concluded", "enquiry.extension_granted")


@built_once
def _moves_statement(p: Period):
    Ev, C, E = Event.__table__, Case.__table__, Enquiry.__table__
    on_time = case(
        (and_(Ev.c.kind == "case.decided", C.c.decided_at <= C.c.due_at), 1),
        (and_(Ev.c.kind.in_(RESPONSES), kept(E.c.responded_at, E.c.respond_due_at)), 1),
        (and_(Ev.c.kind == "enquiry.concluded",
              kept(E.c.concluded_at, E.c.conclude_due_at)), 1),
        else_=0)
    T = Ticket.__table__
    # A case accepted from an online application (its visit record's source is "online") is
    # that channel's, not the windows'.
    channel = func.coalesce(E.c.kind, case((T.c.source == "online", APPLICATION)))
    return (select(Ev.c.kind, channel.label("enquiry_kind"), func.count().label("n"),
                   func.sum(on_time).label("on_time"))
            .select_from(Ev.outerjoin(C, C.c.id == Ev.c.case_id)
                         .outerjoin(T, T.c.id == C.c.ticket_id)
                         .outerjoin(E, E.c.id == Ev.c.enquiry_id))
            .where(Ev.c.hall_id == p.hall_id, Ev.c.at >= p.start, Ev.c.at < p.end,
                   Ev.c.kind.in_(MOVES))
            .group_by(Ev.c.kind, channel))


@built_once
def _warnings_statement(hall_id: int):
    C, E, T = Case.__table__, Enquiry.__table__, Ticket.__table__
    channel = case((T.c.source == "online", APPLICATION), else_=HALL)
    cases = (select(channel.label("channel"), C.c.warning, func.count().label("n"))
             .select_from(C.outerjoin(T, T.c.id == C.c.ticket_id))
             .where(C.c.hall_id == hall_id, open_clause(), C.c.warning.in_(("yellow", "red")))
             .group_by(channel, C.c.warning))
    asked = (select(E.c.kind, E.c.warning, func.count())
             .where(E.c.hall_id == hall_id, running_clause(),
                    E.c.warning.in_(("yellow", "red")))
             .group_by(E.c.kind, E.c.warning))
    return union_all(cases, asked)


class Counting:
    """One table's reading: the session, the hall's period, the instant the warnings are read
    at, and the two grouped counts every builder takes its figures from (each read once)."""

    def __init__(self, session: Session, period: Period, now: datetime | None = None) -> None:
        self.session, self.period, self.now = session, period, now or clock.now()

    @cached_property
    def moves(self) -> dict[tuple[str, str | None], tuple[int, int]]:
        """{(event kind, enquiry kind or None): (how many, how many on time)} in the period."""
        rows = self.session.execute(_moves_statement(self.period))
        return {(r.kind, r.enquiry_kind): (r.n, int(r.on_time or 0)) for r in rows}

    def count(self, kind: str, enquiry_kind: str | None = None) -> int:
        return self.moves.get((kind, enquiry_kind), (0, 0))[0]

    def on_time(self, kind: str, enquiry_kind: str | None = None) -> tuple[int, int]:
        """(on time, late) of a move."""
        n, kept_ = self.moves.get((kind, enquiry_kind), (0, 0))
        return kept_, n - kept_

    @cached_property
    def warnings(self) -> dict[tuple[str, str], int]:
        """{(channel, yellow|red): open and warned now} of the hall's cases and enquiries, as
        the deadline job left them."""
        return {(r.channel, r.warning): r.n
                for r in self.session.execute(_warnings_statement(self.period.hall_id))}

    def warned(self, channel: str) -> dict[str, int]:
        return {"open_yellow": self.warnings.get((channel, "yellow"), 0),
                "open_red": self.warnings.get((channel, "red"), 0)}


# -- the rows ---------------------------------------------------------------------------------

RowBuilder = Callable[[Counting], list[ChannelRow]]


def hall_rows(c: Counting) -> list[ChannelRow]:
    """Cases accepted at the windows and decided by their deadline or late; the tickets
    issued beside them."""
    decided_on_time, decided_late = c.on_time("case.decided")
    return [row(HALL, received=c.count("case.accepted"), concluded_on_time=decided_on_time,
                concluded_late=decided_late, extended=c.count("case.extension_granted"),
                **c.warned(HALL), details={"tickets": c.count("ticket.issued")})]


def enquiry_rows(c: Counting) -> list[ChannelRow]:
    """Questions (answered on time or late), complaints and reports (accepted or declined on
    time or late, concluded on time or late, extended) sent online."""
    rows = []
    for kind in (CONSULTATION, COMPLAINT, REPORT):
        if kind == CONSULTATION:
            responded = c.on_time("enquiry.answered", kind)
            concluded: dict = {}
            details: dict[str, int] = {}
        else:
            accepted, declined = (c.on_time(f"enquiry.{move}", kind)
                                  for move in ("accepted", "declined"))
            responded = (accepted[0] + declined[0], accepted[1] + declined[1])
            on_time, late = c.on_time("enquiry.concluded", kind)
            concluded = {"concluded_on_time": on_time, "concluded_late": late,
                         "extended": c.count("enquiry.extension_granted", kind)}
            details = {"accepted": sum(accepted), "declined": sum(declined)}
        rows.append(row(kind, received=c.count("enquiry.submitted", kind),
                        responded_on_time=responded[0], responded_late=responded[1],
                        **concluded, **c.warned(kind), details=details))
    return rows


def application_row(figures: Mapping[str, int]) -> ChannelRow:
    """The row of online applications, from ``hall.applications.figures(session, hall_id,
    start, end)``: submitted, pre-reviewed on time or late, and how they ended."""
    return row(APPLICATION, received=figures["submitted"],
               responded_on_time=figures["prereview_on_time"],
               responded_late=figures["prereview_late"],
               details={name: figures[name] for name in (
                   "accepted", "deemed_accepted", "refused", "withdrawn",
                   "awaiting_prereview")})


def application_rows(c: Counting) -> list[ChannelRow]:
    """Online applications (hall.applications): counted from their own table, whose states
    and pre-review flags say what the events would."""
    p = c.period
    made = application_row(applications.figures(c.session, p.hall_id, p.start, p.end))
    # The cases they became, open and warned now (those deemed accepted start late).
    warned = c.warned(APPLICATION)
    made.open_yellow, made.open_red = warned["open_yellow"], warned["open_red"]
    return [made]


# The rows of the table, in the order shown.
ROW_BUILDERS: list[RowBuilder] = [hall_rows, application_rows, enquiry_rows]


def figures(session: Session, period: Period, now: datetime | None = None, *,
            builders: list[RowBuilder] | None = None) -> list[ChannelRow]:
    """Every channel's row for the hall's period (warnings read at ``now``)."""
    counting = Counting(session, period, now)
    return [r for build in (ROW_BUILDERS if builders is None else builders)
            for r in build(counting)]


def totals(rows: list[ChannelRow]) -> dict:
    """The rows as flat JSON values, ``<channel>_<figure>`` (what a kept daily report
    stores): None stays None."""
    flat: dict = {}
    for r in rows:
        for name in ("received", "responded_on_time", "responded_late", "concluded_on_time",
                     "concluded_late", "extended", "open_yellow", "open_red"):
            flat[f"{r.channel}_{name}"] = getattr(r, name)
        for name, value in r.details.items():
            flat[f"{r.channel}_{name}"] = value
    return flat
