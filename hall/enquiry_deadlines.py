"""The time limits of questions, complaints and reports (咨询、投诉、举报), written once.

Each hall sets, per kind, how long the office has to respond (answer a question; accept or
decline a complaint or report) and to conclude (a complaint or report once accepted), each in
working days or calendar days, and by how many days a manager may extend the conclusion once.
No row for a kind: ``DEFAULT_RULES``. An enquiry keeps the rule in force when it arrived, so a
change applies to new enquiries only.

The rules of counting:

- The day the enquiry arrived (or was accepted) does not count (Civil Code art. 201); the
  limit ends at the hall's close of business (``CLOSE_OF_BUSINESS``) of its last day, in the
  hall's zone (art. 203: "where there are business hours, the time business stops").
- Working days are the hall's working-day calendar (``hall.calendar``: holidays, make-up
  working days, local overrides), as for cases; the warning margin is a fifth of the days.
- Calendar days count every day; when the last one is not a working day of the hall (a
  weekend or a holiday), the limit ends on the next working day instead (art. 203: a period
  whose last day is a statutory holiday ends on the day after the holiday). The warning
  margin is a fifth of the days, rounded up, at least one, counted on the calendar.
- A limit reaching into a year whose official calendar notice is not entered yet is
  provisional, as for cases.

``mark`` is the deadline job's part for enquiries (``hall.deadlines.tick``): one conditional
UPDATE per batch, read through the partial indexes ``ix_enquiries_to_red`` and
``ix_enquiries_to_yellow``, so a transition is recorded once whatever number of processes
tick.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, select, text
from sqlalchemy.orm import Session

from . import calendar, settings, turning
from .events import SYSTEM, Actor, record
from .models import Enquiry, EnquiryRule
from .models.enquiries import KINDS, RUNNING_STATES, UNITS, running_clause

WORKING, CALENDAR = UNITS


@dataclass(frozen=True)
class Limit:
    days: int
    unit: str  # working | calendar


@dataclass(frozen=True)
class Rule:
    """A hall's time limits for one kind of enquiry."""

    kind: str
    respond: Limit
    conclude: Limit | None    # None: nothing to conclude (a question is answered, that is all)
    extension_days: int = 0   # granted at most once, by a manager; 0: no extension

    @property
    def respond_days(self) -> int:
        return self.respond.days


# A question answered in 3 working days (the licensing law counts working days); a complaint
# or a report accepted or declined within 15 days and concluded within 60 of its acceptance,
# extendable once by 30 (the petition rules, 信访工作条例, count calendar days).
DEFAULT_RULES = {
    "consultation": Rule("consultation", Limit(3, WORKING), None, 0),
    "complaint": Rule("complaint", Limit(15, CALENDAR), Limit(60, CALENDAR), 30),
    "report": Rule("report", Limit(15, CALENDAR), Limit(60, CALENDAR), 30),
}
# What an administrator may set (the CHECK constraints of ``enquiry_rules``).
RANGES = {"respond_days": (1, 90), "conclude_days": (0, 365), "extension_days": (0, 180)}


def _from_row(row: EnquiryRule) -> Rule:
    conclude = Limit(row.conclude_days, row.conclude_unit) if row.conclude_days else None
    return Rule(row.kind, Limit(row.respond_days, row.respond_unit), conclude,
                row.extension_days if conclude else 0)


def rules_of(session: Session, hall_id: int) -> dict[str, Rule]:
    """The hall's rule for every kind (a kind without a row: its default)."""
    rows = {r.kind: _from_row(r) for r in session.scalars(
        select(EnquiryRule).where(EnquiryRule.hall_id == hall_id))}
    return {kind: rows.get(kind, DEFAULT_RULES[kind]) for kind in KINDS}


def rule_of(session: Session, hall_id: int, kind: str) -> Rule:
    row = session.get(EnquiryRule, (hall_id, kind))
    return _from_row(row) if row is not None else DEFAULT_RULES[kind]


def kept_rule(enquiry: Enquiry) -> Rule:
    """The rule an enquiry keeps from the day it arrived."""
    conclude = (Limit(enquiry.conclude_days, enquiry.conclude_unit)
                if enquiry.conclude_days else None)
    return Rule(enquiry.kind, Limit(enquiry.respond_days, enquiry.respond_unit), conclude,
                enquiry.extension_limit)


# -- counting -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Due:
    due_at: datetime      # aware, UTC
    yellow_at: datetime   # aware, UTC: inside the warning margin from then on
    provisional: bool     # counted partly without an official calendar notice
    due_on: date          # the last day, local


def due(work: calendar.WorkingCalendar, *, start: datetime, limit: Limit,
        extension_days: int = 0, close_of_business: time = time(17),
        tz: str = "Asia/Shanghai") -> Due:
    """When a limit of ``limit`` (plus ``extension_days`` of the same unit) that began at
    ``start`` runs out, and when it turns yellow (the rules in this module's docstring)."""
    if limit.days < 1 or extension_days < 0:
        raise ValueError("a time limit is 1 day or more, an extension 0 or more")
    if limit.unit == WORKING:
        deadline = calendar.deadline(work, accepted_at=start, limit_days=limit.days,
                                     extension_days=extension_days,
                                     close_of_business=close_of_business, tz=tz)
        return Due(deadline.due_at, deadline.yellow_at, deadline.provisional,
                   deadline.due_at.astimezone(ZoneInfo(tz)).date())
    if limit.unit != CALENDAR:
        raise ValueError(f"unknown unit {limit.unit!r}")
    zone = ZoneInfo(tz)
    first = start.astimezone(zone).date()
    total = limit.days + extension_days
    last = first + timedelta(days=total)
    provisional = not work.is_official(last.year)
    while not work.is_working_day(last):  # art. 203: ends on the next working day
        last += timedelta(days=1)
        provisional = provisional or not work.is_official(last.year)
    yellow_on = first + timedelta(days=total - calendar.warning_margin(total))

    def close_of(day: date) -> datetime:
        return datetime.combine(day, close_of_business, tzinfo=zone).astimezone(UTC)

    return Due(close_of(last), close_of(max(first, yellow_on)), provisional, last)


def _due(session: Session, enquiry: Enquiry, start: datetime, limit: Limit,
         extension_days: int = 0) -> Due:
    # the hall by its object: a new enquiry has no hall_id before it is flushed
    return due(calendar.load(session, enquiry.hall.id), start=start, limit=limit,
               extension_days=extension_days,
               close_of_business=settings.of(session).close_of_business,
               tz=enquiry.hall.timezone)


def respond_due(session: Session, enquiry: Enquiry) -> Due:
    return _due(session, enquiry, enquiry.created_at,
                Limit(enquiry.respond_days, enquiry.respond_unit))


def conclude_due(session: Session, enquiry: Enquiry) -> Due | None:
    """The limit to conclude, from the acceptance, extension included; None before it."""
    if enquiry.accepted_at is None or not enquiry.conclude_days:
        return None
    return _due(session, enquiry, enquiry.accepted_at,
                Limit(enquiry.conclude_days, enquiry.conclude_unit), enquiry.extension_days)


def refresh(session: Session, enquiry: Enquiry, now: datetime, *,
            actor: Actor = SYSTEM) -> None:
    """Compute and cache the enquiry's limits, the one running now (``due_at``), and settle
    its warning against ``now`` (recorded if it changes)."""
    responding = respond_due(session, enquiry)
    enquiry.respond_due_at = responding.due_at
    concluding = conclude_due(session, enquiry)
    enquiry.conclude_due_at = concluding.due_at if concluding else None
    running = (None if enquiry.state not in RUNNING_STATES else
               concluding if enquiry.state == "accepted" else responding)
    if running is None:
        enquiry.due_at = enquiry.yellow_at = None
        return
    enquiry.due_at, enquiry.yellow_at = running.due_at, running.yellow_at
    enquiry.due_provisional = running.provisional
    wanted = ("red" if running.due_at <= now else
              "yellow" if running.yellow_at <= now else "none")
    if wanted == enquiry.warning:
        return
    before, enquiry.warning = enquiry.warning, wanted
    if wanted == "red":
        enquiry.ever_red, enquiry.red_at = True, enquiry.red_at or now
    kind = {"red": "enquiry.red", "yellow": "enquiry.yellow"}.get(wanted)
    if kind is None or (before, wanted) == ("red", "yellow"):
        kind = "enquiry.warning_lowered"  # a new limit (acceptance, extension) gave time back
    record(session, enquiry.hall, kind, actor=actor, enquiry=enquiry, before=before,
           after=wanted, due_at=running.due_at.isoformat(), division=enquiry.division_id,
           handler=enquiry.handler_id)


def kept(done_at, due_at):
    """SQL: a move (the answer, the acceptance or refusal, the conclusion) was made within
    its limit, i.e. by the instant the limit ends. The same test as the ``on_time`` of the
    moves' events (``hall.enquiries``): what the accountability figures and the channel
    figures (``hall.channel_figures``) count as on time."""
    return done_at <= due_at


# -- the deadline job -----------------------------------------------------------------------------

E = Enquiry.__table__
# (warning, index order, condition): literal terms as in the partial indexes, red first.
MARKS = (
    ("red", E.c.due_at, and_(text("enquiries.warning <> 'red'"), running_clause(),
                             E.c.due_at <= bindparam("now"))),
    ("yellow", E.c.yellow_at, and_(text("enquiries.warning = 'none'"), running_clause(),
                                   E.c.yellow_at <= bindparam("now"),
                                   E.c.due_at > bindparam("now"))),
)




def _turned(session: Session, hall, row, warning: str) -> None:
    kind = {"yellow": "enquiry.yellow", "red": "enquiry.red"}[warning]
    record(session, hall, kind, actor=SYSTEM, enquiry=SimpleNamespace(id=row.id),
           after=warning, due_at=turning.iso(row.due_at), division=row.division_id,
           handler=row.handler_id)


TURNING = turning.Turning(
    E, MARKS, (E.c.id, E.c.hall_id, E.c.division_id, E.c.handler_id, E.c.due_at), _turned)


def mark(session: Session, now: datetime) -> dict[str, int]:
    """Mark every enquiry whose running limit turned yellow or red by ``now``, in batches
    of one transaction each; returns how many turned each colour."""
    return turning.mark(session, now, TURNING)
