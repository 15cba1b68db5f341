"""The queue engine as the hall lives it: numbers, calling order, transfers, refusals."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from conftest import MONDAY_0930, actor
from hall import board, clock, hours, hours_admin, issuing, queue
from hall.errors import (
    ClerkAtOtherWindow,
    IllegalMove,
    NoCurrentTicket,
    NotAClerk,
    NotCurrentTicket,
    NotServedHere,
    NotYourWindow,
    PauseReasonRequired,
    ServiceNotOffered,
    TicketNotFound,
    UnknownHall,
    UnknownService,
    UnknownWindow,
    WindowBusy,
    WindowHasHeldTickets,
    WindowNotAssigned,
    WindowNotOpen,
    WindowTaken,
)
from hall.models import Event, ServiceItem, Ticket, Window
from hall.web.extensions import db


@pytest.fixture
def hall(app):
    """The demo hall at 09:30 on a Monday, with the engine's session."""
    with app.app_context(), clock.frozen(MONDAY_0930) as frozen:
        yield Hall(app, db.session, frozen)


class Hall:
    """Acts in hall HQ like its kiosk and clerks do."""

    def __init__(self, app, session, frozen):
        self.app, self.session, self.clock = app, session, frozen

    def take(self, service="EXAM", *, minutes_later=1, priority=None, hall="HQ"):
        self.clock.advance(minutes=minutes_later)
        return issuing.issue_ticket(self.session, hall, service, priority=priority)

    def clerk(self, window):
        return actor(self.app, f"clerk{window:02d}")

    def open(self, window):
        queue.open_window(self.session, "HQ", window, actor=self.clerk(window))

    def call(self, window):
        ticket = queue.call_next(self.session, "HQ", window, actor=self.clerk(window))
        return ticket.number if ticket else None

    def finish(self, window):
        return queue.finish(self.session, "HQ", window, actor=self.clerk(window)).number

    def serve_next(self, window):
        """Call the next visitor and finish them; the number served."""
        number = self.call(window)
        if number:
            self.finish(window)
        return number

    def events(self, kind=None):
        query = sa.select(Event.kind)
        if kind:
            query = query.where(Event.kind == kind)
        return list(self.session.scalars(query.order_by(Event.id)))

    def ticket(self, number):
        return self.session.scalar(sa.select(Ticket).where(Ticket.number == number)
                                   .order_by(Ticket.id.desc()))


# -- numbering --------------------------------------------------------------------------------

def test_numbers_count_from_one_per_prefix_and_per_hall(hall):
    assert [hall.take("EXAM").number for _ in range(3)] == ["A001", "A002", "A003"]
    assert hall.take("TITLE").number == "B001"
    assert hall.take("EXAM").number == "A004"
    assert hall.take("EXAM", hall="HRB").number == "A001"  # the city hall counts its own


def test_numbering_restarts_each_day_in_the_halls_time_zone(hall):
    # A night opening, tickets to the last minute (opening hours: hall.hours).
    admin = actor(hall.app, "admin")
    hours_admin.set_week(hall.session, "HQ", {}, actor=admin, last_ticket_minutes=0)
    for day, spans in ((date(2026, 11, 23), "09:00-24:00"), (date(2026, 11, 24), "00:00-17:00")):
        hours_admin.set_exception(hall.session, "HQ", day, hours.parse_spans(spans), actor=admin)
    # 23:58 Monday in Harbin is 15:58 UTC; two minutes later it is Tuesday there.
    hall.clock.at = datetime(2026, 11, 23, 15, 57, tzinfo=UTC)
    monday = [hall.take().number for _ in range(2)]
    tuesday = hall.take(minutes_later=3)
    assert monday == ["A001", "A002"]
    assert tuesday.number == "A001"
    assert tuesday.day.isoformat() == "2026-11-24"
    assert len({t.service_no for t in hall.session.scalars(sa.select(Ticket))}) == 3


def test_yesterdays_waiting_tickets_are_never_called_today(hall):
    hall.take()
    hall.clock.advance(days=1)
    today = hall.take()
    hall.open(3)
    assert hall.call(3) == today.number
    hall.finish(3)
    assert hall.call(3) is None


def test_a_ticket_knows_its_place_and_a_rough_wait(hall):
    hall.open(3)  # a window serves exams: there is a pace to count with
    first = issuing.issue_ticket(hall.session, "HQ", "EXAM")
    second = issuing.issue_ticket(hall.session, "HQ", "EXAM")
    assert (first.ahead, first.wait_minutes) == (0, 0)
    standard = hall.session.scalar(sa.select(ServiceItem.standard_minutes)
                                   .where(ServiceItem.code == "EXAM", ServiceItem.hall_id == 1))
    assert (second.ahead, second.wait_minutes) == (1, standard)


def test_a_priority_visitor_counts_only_the_priority_visitors_ahead(hall):
    """What the kiosk prints as "ahead": everyone waiting for the service for an ordinary
    visitor, only the priority visitors waiting for a priority one; other services' queues
    do not count. A priority ticket's place read afterwards is the one printed."""
    hall.take("TITLE")
    taken = [issuing.issue_ticket(hall.session, "HQ", "EXAM", priority=p)
             for p in (None, None, "elderly", None, "military")]
    assert [t.ahead for t in taken] == [0, 1, 0, 3, 1]
    for issued in (taken[2], taken[4]):
        ticket = hall.session.get(Ticket, issued.id)
        assert board.ticket_position(hall.session, ticket)[0] == issued.ahead


def test_a_repeated_request_key_returns_the_same_ticket(hall):
    first = issuing.issue_ticket(hall.session, "HQ", "EXAM", request_key="kiosk-7:abc")
    again = issuing.issue_ticket(hall.session, "HQ", "EXAM", request_key="kiosk-7:abc")
    assert again.replayed and again.id == first.id
    assert hall.take().number == "A002"
    assert hall.events("ticket.issued") == ["ticket.issued"] * 2


# -- calling order ----------------------------------------------------------------------------

def test_first_come_first_served_among_the_services_of_the_window(hall):
    a1, b1, a2 = hall.take("EXAM"), hall.take("TITLE"), hall.take("EXAM")
    hall.open(3)   # window 3 serves exam recruitment only
    hall.open(22)  # the general window serves several items, not exams
    assert [hall.serve_next(3), hall.serve_next(3), hall.serve_next(3)] == [a1.number, a2.number, None]
    hall.open(5)   # window 5: professional titles
    assert hall.serve_next(5) == b1.number


def test_priority_first_but_never_more_than_two_in_a_row_while_others_wait(hall):
    ordinary = [hall.take().number for _ in range(3)]           # A001 A002 A003
    priority = [hall.take(priority="elderly").number for _ in range(4)]  # A004..A007
    hall.open(3)
    served = [hall.serve_next(3) for _ in range(7)]
    assert served == [priority[0], priority[1], ordinary[0], priority[2], priority[3],
                      ordinary[1], ordinary[2]]


def test_priority_visitors_keep_being_called_when_nobody_else_waits(hall):
    priority = [hall.take(priority="military").number for _ in range(3)]
    hall.open(3)
    assert [hall.serve_next(3) for _ in range(3)] == priority


def test_calling_a_particular_number_and_a_late_visitor_coming_back(hall):
    first, second = hall.take(), hall.take()
    hall.open(3)
    assert hall.call(3) == first.number
    queue.mark_no_show(hall.session, "HQ", 3, actor=hall.clerk(3))
    assert hall.serve_next(3) == second.number
    # The first visitor comes back: the clerk calls their number again.
    again = queue.call_ticket(hall.session, "HQ", 3, first.number, actor=hall.clerk(3))
    assert (again.status, again.call_count) == ("called", 2)
    assert hall.events()[-1] == "ticket.called"


def test_recall_repeats_the_call_for_the_same_visitor(hall):
    hall.take()
    hall.open(3)
    hall.call(3)
    ticket = queue.recall(hall.session, "HQ", 3, actor=hall.clerk(3))
    assert ticket.call_count == 2
    assert hall.events()[-2:] == ["ticket.called", "ticket.recalled"]


# -- transfers, holds -------------------------------------------------------------------------

def test_transfer_to_another_service_keeps_the_visitors_place(hall):
    early = hall.take("EXAM")                       # arrived first
    later = [hall.take("TITLE").number for _ in range(2)]
    hall.open(3)
    hall.call(3)
    moved = queue.transfer(hall.session, "HQ", 3, actor=hall.clerk(3), to_service="TITLE",
                           reason="needs a title review, not an exam review")
    assert (moved.number, moved.status, moved.service.code) == (early.number, "waiting", "TITLE")
    hall.open(5)
    assert [hall.serve_next(5) for _ in range(3)] == [early.number, *later]


def test_transfer_to_a_window_goes_only_to_that_window(hall):
    first, second = hall.take(), hall.take()
    hall.open(3)
    hall.open(4)
    hall.open(21)  # also serves exams
    assert hall.call(3) == first.number
    queue.transfer(hall.session, "HQ", 3, actor=hall.clerk(3), to_window=4)
    assert hall.call(21) == second.number       # not the visitor sent to window 4
    assert hall.call(4) == first.number
    assert hall.ticket(first.number).first_owner.username == "clerk03"  # 首问负责 kept


def test_a_transfer_must_go_somewhere_the_visitor_can_be_served(hall):
    hall.take()
    hall.open(3)
    hall.open(5)
    hall.call(3)
    with pytest.raises(NotServedHere):
        queue.transfer(hall.session, "HQ", 3, actor=hall.clerk(3), to_window=5)  # titles only
    with pytest.raises(WindowNotOpen):
        queue.transfer(hall.session, "HQ", 3, actor=hall.clerk(3), to_window=4)  # closed
    with pytest.raises(UnknownService):
        queue.transfer(hall.session, "HQ", 3, actor=hall.clerk(3), to_service="NOPE")
    assert hall.ticket("A001").status == "called"


def test_hold_frees_the_window_and_resume_calls_the_visitor_back(hall):
    first, second = hall.take(), hall.take()
    hall.open(3)
    hall.call(3)
    queue.hold(hall.session, "HQ", 3, actor=hall.clerk(3), reason="fetching the degree certificate")
    assert hall.serve_next(3) == second.number
    with pytest.raises(WindowHasHeldTickets):
        queue.close_window(hall.session, "HQ", 3, actor=hall.clerk(3))
    resumed = queue.resume(hall.session, "HQ", 3, first.number, actor=hall.clerk(3))
    assert resumed.status == "called"
    assert hall.finish(3) == first.number
    queue.close_window(hall.session, "HQ", 3, actor=hall.clerk(3))


# -- refusals ----------------------------------------------------------------------------------

def test_a_window_must_be_open_and_worked_by_its_own_clerk(hall):
    hall.take()
    with pytest.raises(WindowNotOpen):
        queue.call_next(hall.session, "HQ", 3, actor=hall.clerk(3))  # not bound yet: not open
    hall.open(3)
    with pytest.raises(NotYourWindow):
        queue.call_next(hall.session, "HQ", 3, actor=hall.clerk(4))
    with pytest.raises(WindowTaken):
        queue.open_window(hall.session, "HQ", 3, actor=hall.clerk(4))
    with pytest.raises(WindowNotAssigned):  # window 4 is not clerk03's to work
        queue.open_window(hall.session, "HQ", 4, actor=hall.clerk(3))
    queue.open_window(hall.session, "HQ", 1, actor=hall.clerk(1))
    with pytest.raises(ClerkAtOtherWindow):  # clerk01 may work 1 and 2, one at a time
        queue.open_window(hall.session, "HQ", 2, actor=hall.clerk(1))
    with pytest.raises(NotAClerk):
        queue.open_window(hall.session, "HQ", 5, actor=actor(hall.app, "manager"))
    with pytest.raises(UnknownWindow):
        queue.open_window(hall.session, "HQ", 99, actor=hall.clerk(3))
    hall.open(3)  # opening again is harmless
    with pytest.raises(PauseReasonRequired):
        queue.pause_window(hall.session, "HQ", 3, actor=hall.clerk(3), reason="  ")
    queue.pause_window(hall.session, "HQ", 3, actor=hall.clerk(3), reason="system check")
    with pytest.raises(WindowNotOpen):
        queue.call_next(hall.session, "HQ", 3, actor=hall.clerk(3))
    hall.open(3)  # resumes
    assert hall.call(3) == "A001"


def test_double_call_and_double_finish_are_refused(hall):
    hall.take()
    hall.take()
    hall.open(3)
    hall.call(3)
    with pytest.raises(WindowBusy):
        hall.call(3)
    hall.finish(3)
    with pytest.raises(NoCurrentTicket):
        hall.finish(3)
    with pytest.raises(IllegalMove):
        queue.finish(hall.session, "HQ", 3, actor=hall.clerk(3), number="A001")
    hall.call(3)
    with pytest.raises(NotCurrentTicket):  # a stale screen finishing the previous visitor
        queue.finish(hall.session, "HQ", 3, actor=hall.clerk(3), number="A001")
    assert hall.ticket("A002").status == "called"


def test_calling_a_number_this_window_does_not_serve_or_that_does_not_exist(hall):
    title = hall.take("TITLE")
    hall.open(3)
    with pytest.raises(NotServedHere):
        queue.call_ticket(hall.session, "HQ", 3, title.number, actor=hall.clerk(3))
    with pytest.raises(TicketNotFound):
        queue.call_ticket(hall.session, "HQ", 3, "A999", actor=hall.clerk(3))


def test_unknown_or_unoffered_services_get_no_ticket(hall):
    with pytest.raises(UnknownHall):
        hall.take(hall="NOPE")
    with pytest.raises(UnknownService):
        hall.take("NOPE")
    exam = hall.session.scalar(sa.select(ServiceItem).where(ServiceItem.code == "EXAM",
                                                            ServiceItem.hall_id == 1))
    exam.active = False
    hall.session.commit()
    with pytest.raises(ServiceNotOffered):
        hall.take("EXAM")
    assert hall.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 0


def test_a_refused_move_writes_nothing(hall):
    hall.take()
    hall.open(3)
    hall.call(3)
    before = (hall.events(), hall.ticket("A001").call_count)
    with pytest.raises(WindowBusy):
        hall.call(3)
    hall.session.expire_all()
    assert (hall.events(), hall.ticket("A001").call_count) == before


# -- the record --------------------------------------------------------------------------------

def test_every_move_appends_one_event_with_who_and_when(hall):
    hall.take()
    hall.open(3)
    hall.call(3)
    queue.start_serving(hall.session, "HQ", 3, actor=hall.clerk(3))
    hall.finish(3)
    assert hall.events() == ["ticket.issued", "window.opened", "ticket.called",
                             "ticket.serving", "ticket.finished"]
    last = hall.session.scalar(sa.select(Event).order_by(Event.id.desc()))
    assert (last.actor, last.data["number"], last.data["window_no"]) == ("clerk03", "A001", 3)
    assert last.at == hall.clock.at


def test_the_event_log_cannot_be_edited_or_deleted(hall):
    hall.take()
    with pytest.raises(DatabaseError):
        hall.session.execute(sa.update(Event).values(kind="ticket.forged"))
    hall.session.rollback()
    with pytest.raises(DatabaseError):
        hall.session.execute(sa.delete(Event))
    hall.session.rollback()
    assert hall.events() == ["ticket.issued"]


def test_events_reach_subscribers_only_after_commit(hall):
    from hall import events

    seen = []
    stop = events.subscribe(seen.append)
    try:
        hall.take()
        hall.open(3)
        with pytest.raises(WindowNotOpen):
            queue.call_next(hall.session, "HQ", 4, actor=hall.clerk(4))
    finally:
        stop()
    assert [e["kind"] for e in seen] == ["ticket.issued", "window.opened"]
    assert seen[0]["hall"] == "HQ" and seen[0]["data"]["number"] == "A001"


def test_the_window_shows_whom_it_serves(hall):
    hall.take()
    hall.open(3)
    hall.call(3)
    window = hall.session.scalar(sa.select(Window).where(Window.no == 3, Window.hall_id == 1))
    assert window.current_ticket_id == hall.ticket("A001").id
    hall.finish(3)
    hall.session.refresh(window)
    assert window.current_ticket_id is None
