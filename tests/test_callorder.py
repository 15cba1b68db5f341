"""The call order (叫号顺序) as a hall lives it: priority, then appointments whose slot has
started, then walk-ins, with the caps that keep any group from starving another.

Three views of one policy (``hall.callorder``): a table of small queues and whom a window
calls first; a morning at window 3 on the database, every call checked against the table's
rule and the caps checked over the whole morning; and the people-ahead count a visitor is
shown, checked against the same order."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from conftest import actor
from hall import board, bookings, callorder, checkin, clock, issuing, queue
from hall.models import Hall, ServiceItem, Ticket, Window
from hall.web.extensions import db

ZONE = ZoneInfo("Asia/Shanghai")
MAX_WAIT = callorder.DEFAULT_POLICY.walk_in_max_wait


def local(hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An instant of Monday 23 November 2026 in the hall's zone (a working day), in UTC."""
    return datetime(2026, 11, 23, hour, minute, second, tzinfo=ZONE).astimezone(UTC)


# -- 1. the policy as a table -----------------------------------------------------------------

NOW = local(10)


@dataclass(frozen=True)
class Waiting:
    id: int
    is_priority: bool
    queued_at: datetime
    appointment_at: datetime | None = None


def ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def walk_in(id_: int, waited: float) -> Waiting:
    return Waiting(id_, False, ago(waited))


def priority(id_: int, waited: float) -> Waiting:
    return Waiting(id_, True, ago(waited))


def appointment(id_: int, checked_in: float, slot_started: float) -> Waiting:
    """Checked in ``checked_in`` minutes ago; its slot started ``slot_started`` minutes ago
    (negative: it starts later)."""
    return Waiting(id_, False, ago(checked_in), ago(slot_started))


def first_called(waiting: list[Waiting], now: datetime, priority_streak: int,
                 appointment_streak: int) -> int | None:
    order = callorder.ranks(priority_streak, appointment_streak)
    ordered = sorted(waiting, key=lambda t: callorder.sort_key(t, now, order))
    return ordered[0].id if ordered else None


TABLE = [
    # (what a hall would say, waiting, priority streak, appointment streak, called first)
    ("priority before walk-ins who came earlier",
     [walk_in(1, 30), walk_in(2, 10), priority(3, 1)], 0, 0, 3),
    ("priority before an appointment whose slot has started",
     [appointment(1, 15, 5), priority(2, 1)], 0, 0, 2),
    ("priority in their own order of arrival",
     [priority(1, 2), priority(2, 8), walk_in(3, 30)], 0, 0, 2),
    ("after one priority call, priority is still first",
     [walk_in(1, 30), priority(2, 5)], 1, 0, 2),
    ("after two priority calls a walk-in goes first",
     [priority(1, 20), walk_in(2, 3)], 2, 0, 2),
    ("after two priority calls a started appointment goes first",
     [priority(1, 20), walk_in(2, 30), appointment(3, 5, 1)], 2, 0, 3),
    ("after two priority calls the earliest walk-in, not the latest",
     [priority(1, 20), walk_in(2, 3), walk_in(3, 9)], 2, 0, 3),
    ("after two priority calls a lone priority is still called",
     [priority(1, 3), priority(2, 6)], 2, 0, 2),
    ("a started appointment before walk-ins who came earlier",
     [walk_in(1, 10), walk_in(2, 15), appointment(3, 2, 1)], 0, 0, 3),
    ("a started appointment before a walk-in who has waited long (no streak yet)",
     [walk_in(1, 45), appointment(2, 2, 1)], 0, 0, 2),
    ("a slot starting this very minute has started",
     [walk_in(1, 10), appointment(2, 5, 0)], 0, 0, 2),
    ("an appointment before its slot does not jump walk-ins who came earlier",
     [walk_in(1, 5), appointment(2, 3, -10)], 0, 0, 1),
    ("an appointment before its slot keeps its check-in place among walk-ins",
     [walk_in(1, 5), appointment(2, 12, -10), walk_in(3, 8)], 0, 0, 2),
    ("among appointments the earlier slot first, whoever checked in first",
     [appointment(1, 25, 0), appointment(2, 3, 30)], 0, 0, 2),
    ("in the same slot the earlier check-in first",
     [appointment(1, 3, 5), appointment(2, 20, 5)], 0, 0, 2),
    ("after one appointment call, appointments are still first",
     [walk_in(1, 40), appointment(2, 5, 5)], 0, 1, 2),
    ("after two appointment calls a walk-in who waited 20 minutes goes first",
     [appointment(1, 10, 5), walk_in(2, 20)], 0, 2, 2),
    ("after two appointment calls the walk-in who waited longest goes first",
     [appointment(1, 10, 5), walk_in(2, 25), walk_in(3, 41), walk_in(4, 2)], 0, 2, 3),
    ("after two appointment calls a walk-in who waited 5 minutes does not",
     [appointment(1, 10, 5), walk_in(2, 5)], 0, 2, 1),
    ("after two appointment calls 19 minutes 59 seconds is not yet 20",
     [appointment(1, 10, 5), walk_in(2, 19 + 59 / 60)], 0, 2, 1),
    ("after two appointment calls priority still comes first",
     [appointment(1, 10, 5), walk_in(2, 40), priority(3, 1)], 0, 2, 3),
    ("after two appointment calls an appointment is called when no walk-in waited long",
     [appointment(1, 10, 5), appointment(2, 3, 1)], 0, 2, 1),
    ("nobody waiting: nobody is called", [], 0, 0, None),
    ("nobody waiting after streaks: nobody is called", [], 2, 0, None),
]


@pytest.mark.parametrize(("waiting", "priority_streak", "appointment_streak", "expected"),
                         [pytest.param(*row[1:], id=row[0]) for row in TABLE])
def test_whom_a_window_calls_first(waiting, priority_streak, appointment_streak, expected):
    assert first_called(waiting, NOW, priority_streak, appointment_streak) == expected
    # The order does not depend on the order the rows come in.
    assert first_called(waiting[::-1], NOW, priority_streak, appointment_streak) == expected


def test_the_order_as_it_stands_for_a_visitor():
    """ranks() without a window's streaks: everyone's place, front to back."""
    waiting = [walk_in(1, 40), appointment(2, 30, -5), walk_in(3, 10), appointment(4, 2, 10),
               priority(5, 1), appointment(6, 20, 20), priority(7, 3), walk_in(8, 25)]
    order = callorder.ranks()
    ordered = [t.id for t in sorted(waiting, key=lambda t: callorder.sort_key(t, NOW, order))]
    assert ordered == [7, 5, 6, 4, 1, 2, 8, 3]


# -- 2. a morning at window 3 -----------------------------------------------------------------

WINDOW = 3          # HQ's window for the exam review (EXAM), worked by clerk03
SERVICE_MINUTES = 4

# Bookings made at 08:00 for the morning's slots (3 places each by default).
SLOTS = {"B1": (9, 0), "B2": (9, 0), "B3": (9, 0), "B4": (9, 30), "B5": (9, 30),
         "B6": (9, 30), "B7": (10, 0)}
# Who comes in when: walk-ins (W), priority visitors (their reason), check-ins (a booking),
# and a visitor for another item that window 3 does not serve (TITLE).
ARRIVALS = {
    (8, 31): ["W"], (8, 32): ["W"], (8, 33): ["elderly", "disabled"], (8, 34): ["W"],
    (8, 35): ["B1"], (8, 36): ["elderly"], (8, 38): ["W", "TITLE"], (8, 42): ["W"],
    (8, 45): ["W"], (8, 50): ["W"], (8, 55): ["B2"], (8, 58): ["B3"], (9, 0): ["W"],
    (9, 2): ["pregnant"], (9, 5): ["W"], (9, 10): ["B4"],
    (9, 12): ["military", "elderly", "disabled"], (9, 15): ["W"], (9, 20): ["B5", "W"],
    (9, 25): ["W"], (9, 31): ["B6"], (9, 35): ["W"], (9, 40): ["B7"], (9, 45): ["W"],
    (10, 5): ["W"], (10, 30): ["elderly", "W"],
}


def book_morning(session) -> dict[str, str]:
    """The morning's bookings, made at 08:00; their codes by name."""
    codes = {}
    for n, (name, (hour, minute)) in enumerate(SLOTS.items()):
        booking = bookings.book(session, "HQ", "EXAM", local(hour, minute),
                                name=f"预约{name}", phone=f"1390000{n:04d}")
        codes[name] = booking.booking_code
    return codes


def arrive(session, what: str, codes: dict[str, str]) -> int:
    if what in codes:
        return checkin.check_in(session, "HQ", codes[what]).id
    if what in ("W", "TITLE"):
        return issuing.issue_ticket(session, "HQ", "EXAM" if what == "W" else "TITLE").id
    return issuing.issue_ticket(session, "HQ", "EXAM", priority=what).id


@dataclass(frozen=True)
class Seen:
    """A ticket as it stood when the window called (a copy, not the ORM row)."""

    id: int
    number: str
    is_priority: bool
    queued_at: datetime
    appointment_at: datetime | None

    def group(self, now: datetime) -> str:
        if self.is_priority:
            return "priority"
        if self.appointment_at is not None and self.appointment_at <= now:
            return "appointment"
        return "waited" if now - self.queued_at >= MAX_WAIT else "walk-in"


@dataclass(frozen=True)
class Call:
    at: datetime
    ticket: Seen
    waiting: tuple[Seen, ...]   # before the call, the called one included
    streaks: tuple[int, int]    # the window's (priority, appointment) before the call

    @property
    def group(self) -> str:
        return self.ticket.group(self.at)


def waiting_exam(session) -> list[Seen]:
    exam = session.scalar(sa.select(ServiceItem.id).join(Hall).where(
        Hall.code == "HQ", ServiceItem.code == "EXAM"))
    rows = session.scalars(sa.select(Ticket).where(Ticket.service_id == exam,
                                                   Ticket.status == "waiting"))
    return [Seen(t.id, t.number, t.is_priority, t.queued_at, t.appointment_at) for t in rows]


def streaks(session) -> tuple[int, int]:
    window = session.scalar(sa.select(Window).join(Hall, Window.hall_id == Hall.id)
                            .where(Hall.code == "HQ", Window.no == WINDOW)
                            .execution_options(populate_existing=True))
    return window.priority_streak, window.appointment_streak


def run_morning(app) -> tuple[list[Call], set[int], set[int]]:
    """The morning at window 3, minute by minute: arrivals, and the clerk calling the next
    visitor whenever the window is free and serving each for SERVICE_MINUTES. The calls,
    and the ids of the EXAM and the TITLE tickets issued."""
    clerk = actor(app, "clerk03")
    session = db.session
    calls: list[Call] = []
    exam_ids: set[int] = set()
    title_ids: set[int] = set()
    with clock.frozen(local(8)) as frozen:
        codes = book_morning(session)
        frozen.at = local(8, 30)
        queue.open_window(session, "HQ", WINDOW, actor=clerk)
        busy_until = None
        while True:
            now = frozen.at
            local_now = now.astimezone(ZONE)
            for what in ARRIVALS.get((local_now.hour, local_now.minute), []):
                (title_ids if what == "TITLE" else exam_ids).add(arrive(session, what, codes))
            if busy_until is not None and now >= busy_until:
                queue.finish(session, "HQ", WINDOW, actor=clerk)
                busy_until = None
            if busy_until is None:
                waiting, before = waiting_exam(session), streaks(session)
                ticket = queue.call_next(session, "HQ", WINDOW, actor=clerk)
                if ticket is not None:
                    seen = next(t for t in waiting if t.id == ticket.id)
                    calls.append(Call(now, seen, tuple(waiting), before))
                    busy_until = now + timedelta(minutes=SERVICE_MINUTES)
            if busy_until is None and local_now >= datetime(2026, 11, 23, 10, 30, tzinfo=ZONE):
                break
            frozen.advance(minutes=1)
        # The end of the morning: three priority visitors with nobody else waiting are all
        # called, one after another (the cap is for while others wait).
        frozen.advance(minutes=5)
        late = [arrive(session, "elderly", codes) for _ in range(3)]
        exam_ids.update(late)
        for _ in late:
            waiting, before = waiting_exam(session), streaks(session)
            ticket = queue.call_next(session, "HQ", WINDOW, actor=clerk)
            assert ticket is not None, "a priority visitor waits and the window is free"
            seen = next(t for t in waiting if t.id == ticket.id)
            calls.append(Call(frozen.at, seen, tuple(waiting), before))
            frozen.advance(minutes=SERVICE_MINUTES)
            queue.finish(session, "HQ", WINDOW, actor=clerk)
        assert queue.call_next(session, "HQ", WINDOW, actor=clerk) is None
    return calls, exam_ids, title_ids


def test_a_morning_at_one_window_follows_the_policy_and_its_caps(any_app):
    with any_app.app_context():
        calls, exam_ids, title_ids = run_morning(any_app)
        called = [c.ticket.id for c in calls]
        trace = "\n".join(
            f"{c.at.astimezone(ZONE):%H:%M} {c.ticket.number} {c.group:<11} streaks {c.streaks}"
            f" waiting {len(c.waiting)}" for c in calls)

        # Every call is the policy's choice, given the window's streaks before it.
        for c in calls:
            order = callorder.ranks(*c.streaks)
            expected = min(c.waiting, key=lambda t, c=c, o=order: callorder.sort_key(t, c.at, o))
            assert c.ticket.id == expected.id, (
                f"at {c.at.astimezone(ZONE):%H:%M} with streaks {c.streaks} the window called "
                f"{c.ticket.number}, the policy says {expected.number}\n{trace}")

        # The window counts its streaks as the hall sees the calls.
        priority_run = appointment_run = 0
        for c in calls:
            assert c.streaks == (priority_run, appointment_run), trace
            priority_run = priority_run + 1 if c.group == "priority" else 0
            # a priority call in between does not end a row of appointments; a walk-in does
            appointment_run = (appointment_run + 1 if c.group == "appointment" else
                               appointment_run if c.group == "priority" else 0)

        # The caps over the morning.
        for i in range(2, len(calls)):
            two, c = calls[i - 2:i], calls[i]
            others = [t for t in c.waiting if not t.is_priority]
            if all(x.group == "priority" for x in two) and others:
                assert c.group != "priority", f"a third priority call in a row at " \
                    f"{c.at.astimezone(ZONE):%H:%M} while others waited\n{trace}"
            waited = [t for t in c.waiting if t.group(c.at) == "waited"]
            if (all(x.group == "appointment" for x in two) or c.streaks[1] >= 2) and waited:
                assert c.group != "appointment", f"a third appointment call in a row at " \
                    f"{c.at.astimezone(ZONE):%H:%M} while a walk-in had waited 20 minutes\n{trace}"

        # Everyone called exactly once, nobody left, nobody of another item called here.
        assert len(called) == len(set(called)), trace
        assert set(called) == exam_ids
        assert not set(called) & title_ids
        assert waiting_exam(db.session) == []
        counts = [row.call_count for row in db.session.execute(
            sa.select(Ticket.call_count).where(Ticket.id.in_(exam_ids)))]
        assert counts == [1] * len(exam_ids)

        # The morning did exercise every rule (else the checks above proved little).
        groups = [c.group for c in calls]
        assert {"priority", "appointment", "waited", "walk-in"} <= set(groups), trace
        priority_capped = [c for c in calls if c.streaks[0] >= 2 and c.group != "priority"
                           and any(t.is_priority for t in c.waiting)]
        appointment_capped = [c for c in calls if c.streaks[1] >= 2 and c.group == "waited"
                              and any(t.group(c.at) == "appointment" for t in c.waiting)]
        early_appointment = [c for c in calls if c.ticket.appointment_at is not None
                             and c.at < c.ticket.appointment_at]
        assert priority_capped and appointment_capped and early_appointment, trace
        # ...and the three late priority visitors, alone, were called three in a row.
        assert groups[-3:] == ["priority"] * 3 and calls[-1].streaks[0] == 2, trace


# -- 3. the people-ahead count ----------------------------------------------------------------

def test_people_ahead_agree_with_the_call_order(any_app):
    with any_app.app_context():
        session = db.session
        clerk = actor(any_app, "clerk03")
        with clock.frozen(local(8)) as frozen:
            codes = book_morning(session)
            frozen.at = local(8, 31)
            plan = [(8, 31, "W"), (8, 32, "elderly"), (8, 35, "B1"), (8, 36, "W"),
                    (8, 37, "TITLE"), (8, 40, "W"), (8, 50, "military"), (8, 55, "B2"),
                    (8, 56, "W"), (8, 58, "TITLE"), (9, 0, "W"), (9, 2, "B4"), (9, 3, "B3"), (9, 5, "elderly"), (9, 10, "B5"), (9, 12, "W")]
            for hour, minute, what in plan:
                frozen.at = local(hour, minute)
                arrive(session, what, codes)
            queue.open_window(session, "HQ", WINDOW, actor=clerk)
            called = queue.call_next(session, "HQ", WINDOW, actor=clerk)  # no longer waiting
            assert called is not None
            # As the morning goes on, slots start and the order changes: before 09:30,
            # from the 09:30 slot on, and later still.
            for at in (local(9, 12), local(9, 29, 59), local(9, 30), local(9, 50)):
                frozen.at = at
                session.expire_all()
                waiting = list(session.scalars(sa.select(Ticket).where(
                    Ticket.status == "waiting").order_by(Ticket.id)))
                assert {t.appointment_at is not None for t in waiting} == {True, False}
                order = callorder.ranks()
                for service in {t.service_id for t in waiting}:
                    mine = [t for t in waiting if t.service_id == service]
                    keys = {t.id: callorder.sort_key(t, at, order) for t in mine}
                    ahead = {t.id: board.ticket_position(session, t)[0] for t in mine}
                    expected = {t.id: sum(keys[o.id] < keys[t.id] for o in mine) for t in mine}
                    assert ahead == expected, f"at {at.astimezone(ZONE):%H:%M:%S}"
                    # No two visitors are told the same place.
                    assert sorted(ahead.values()) == list(range(len(mine)))
                # The called visitor is counted for nobody.
                assert called.id not in {t.id for t in waiting}


# -- closing a window ---------------------------------------------------------------------------

def test_closing_a_window_starts_its_streaks_afresh(app):
    with app.app_context():
        session = db.session
        clerk = actor(app, "clerk03")
        with clock.frozen(local(8)) as frozen:
            codes = book_morning(session)
            frozen.at = local(8, 31)
            arrive(session, "W", codes)   # by 09:10 a walk-in who has waited 39 minutes
            frozen.at = local(8, 45)
            booked = [arrive(session, name, codes) for name in ("B1", "B2", "B3")]
            frozen.at = local(9)
            queue.open_window(session, "HQ", WINDOW, actor=clerk)
            for expected in booked[:2]:
                assert queue.call_next(session, "HQ", WINDOW, actor=clerk).id == expected
                frozen.advance(minutes=4)
                queue.finish(session, "HQ", WINDOW, actor=clerk)
            assert streaks(session) == (0, 2)
            queue.close_window(session, "HQ", WINDOW, actor=clerk)
            frozen.advance(minutes=10)
            queue.open_window(session, "HQ", WINDOW, actor=clerk)
            # A window opened afresh, as a supervisor's close or the end of the day leave
            # it: the started appointment before the walk-in.
            assert queue.call_next(session, "HQ", WINDOW, actor=clerk).id == booked[2]
            assert streaks(session) == (0, 1)
