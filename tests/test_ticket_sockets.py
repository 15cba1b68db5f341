"""A visitor's phone follows its own ticket over ``/ticket`` (SPEC §7): real python-socketio
clients against a live server, a clerk calling over the API."""
from __future__ import annotations

import time

import pytest
import requests
import sqlalchemy as sa

from hall import board, ticket_states
from hall.models import Ticket
from hall.web.extensions import db
from tracking_helpers import never_issued
from wire import Clerk, Phone

pytestmark = pytest.mark.hall_open  # tickets are taken and windows opened


def take(base: str, service: str = "EXAM") -> dict:
    answer = requests.post(f"{base}/api/v1/tickets", json={"hall": "HQ", "service": service},
                           timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()


@pytest.fixture
def phones(live_server):
    opened: list[Phone] = []

    def open_phone() -> Phone:
        phone = Phone(live_server)
        opened.append(phone)
        return phone

    yield open_phone
    for phone in opened:
        phone.close()


def test_a_phone_sees_its_place_shrink_and_then_its_window(app, live_server, phones):
    app.config["NOTIFY_AHEAD"] = 1
    first, second, mine = take(live_server), take(live_server), take(live_server)
    phone = phones()
    phone.follow(mine["service_no"], mine["access_code"])
    state = phone.wait_for("state")
    assert state == {"service_no": mine["service_no"], "number": mine["number"],
                     "status": "waiting", "ahead": 2, "wait_minutes": None, "nearly": False,
                     "seq": state["seq"]}

    clerk = Clerk(live_server, "clerk03", 3)
    clerk.do("open")
    # The window opens: a wait can be promised now; the place is the same.
    opened = phone.wait_for("ticket", seq=state["seq"] + 1)
    assert opened["ahead"] == 2 and opened["wait_minutes"] > 0
    assert clerk.do("call").json()["number"] == first["number"]
    nearly = phone.wait_for("ticket", seq=state["seq"] + 2)
    assert nearly["ahead"] == 1 and nearly["nearly"] is True  # NOTIFY_AHEAD = 1 here
    clerk.do("finish")
    clerk.do("call")
    assert phone.wait_for("ticket", ahead=0)["status"] == "waiting"
    clerk.do("finish")
    clerk.do("call")
    called = phone.wait_for("ticket", status="called")
    assert called["window"] == 3 and called["number"] == mine["number"]
    assert "nearly" not in called
    # One message per change, numbered without a gap.
    seqs = [m["seq"] for m in phone.received("state", "ticket")]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert second["number"] not in {m["number"] for m in phone.received()}


def test_a_wrong_code_and_an_unknown_number_get_the_same_word_and_nothing_else(
        live_server, phones):
    ticket = take(live_server)
    wrong, unknown, mistyped = phones(), phones(), phones()
    wrong.follow(ticket["service_no"], "WRONG1")
    unknown.follow(never_issued(ticket["service_no"]), ticket["access_code"])
    mistyped.follow("12345", ticket["access_code"])
    for phone in (wrong, unknown, mistyped):
        assert phone.wait_for("error") == {"code": "not-found"}
    Clerk(live_server, "clerk03", 3).do("open")
    Clerk(live_server, "clerk03", 3).do("call")
    time.sleep(0.5)
    for phone in (wrong, unknown, mistyped):
        assert [name for name, _ in phone.messages] == ["error"]


def test_a_phone_that_slept_follows_again_and_catches_up(live_server, phones):
    ahead, mine = take(live_server), take(live_server)
    phone = phones()
    phone.follow(mine["service_no"], mine["access_code"])
    before = phone.wait_for("state")
    assert before["ahead"] == 1
    phone.close()  # the phone sleeps; meanwhile the visitor ahead is called
    clerk = Clerk(live_server, "clerk04", 4)
    clerk.do("open")
    assert clerk.do("call").json()["number"] == ahead["number"]
    time.sleep(0.3)

    again = phones()
    again.follow(mine["service_no"], mine["access_code"])
    state = again.wait_for("state")
    assert state["ahead"] == 0 and state["seq"] > before["seq"]
    clerk.do("finish")
    clerk.do("call")
    assert again.wait_for("ticket", status="called")["window"] == 4


def test_two_phones_on_one_ticket_and_nothing_for_anybody_elses(live_server, phones):
    mine, other = take(live_server), take(live_server, "TITLE")
    a, b, stranger = phones(), phones(), phones()
    a.follow(mine["service_no"], mine["access_code"])
    b.follow(mine["service_no"], mine["access_code"])
    stranger.follow(other["service_no"], other["access_code"])
    for phone in (a, b, stranger):
        phone.wait_for("state")
    clerk = Clerk(live_server, "clerk03", 3)
    clerk.do("open")
    clerk.do("call")
    assert a.wait_for("ticket", status="called")["window"] == 3
    assert b.wait_for("ticket", status="called")["window"] == 3
    time.sleep(0.3)
    assert {m["number"] for m in stranger.received()} == {other["number"]}
    assert all(m["status"] == "waiting" for m in stranger.received())


def test_nonsense_and_floods_are_refused_without_touching_anything(live_server, phones):
    ticket = take(live_server)
    phone = phones()
    for junk in (None, "x", 5, [], {"service_no": 5}, {"service_no": "1", "access_code": None},
                 {"service_no": "1" * 10_000, "access_code": "A" * 100},
                 {"service_no": "12\x00", "access_code": "\x00"}):
        phone.client.emit("follow", junk, namespace="/ticket")
    phone.client.emit("anything", {"x": 1}, namespace="/ticket")
    time.sleep(0.5)
    codes = [m["code"] for m in phone.received("error")]
    assert codes and set(codes) <= {"invalid-request", "not-found", "too-many-requests"}
    assert not phone.received("state", "ticket")
    # A loop of follows gets "too many" and then nothing more is looked up.
    looping = phones()
    for _ in range(30):
        looping.follow(ticket["service_no"], "WRONG1")
    time.sleep(0.5)
    assert "too-many-requests" in [m["code"] for m in looping.received("error")]


def test_a_connection_follows_a_family_not_a_hall(live_server, phones):
    tickets = [take(live_server) for _ in range(7)]
    phone = phones()
    for ticket in tickets:
        phone.follow(ticket["service_no"], ticket["access_code"])
    time.sleep(1.0)
    assert len(phone.received("state")) == 5
    assert phone.received("error")[-1]["code"] == "too-many-tickets"


def test_many_phones_cost_one_read_per_change_not_one_per_phone(app, live_server, phones):
    tickets = [take(live_server) for _ in range(12)]
    followers = []
    for ticket in tickets[1:]:
        phone = phones()
        phone.follow(ticket["service_no"], ticket["access_code"])
        followers.append(phone)
    for phone in followers:
        phone.wait_for("state")
    watch = app.extensions["ticket_watch"]
    before = watch.reads
    clerk = Clerk(live_server, "clerk03", 3)
    clerk.do("open")
    clerk.do("call")
    for phone, ticket in zip(followers, tickets[1:], strict=True):
        assert phone.wait_for("ticket", ahead=tickets.index(ticket) - 1)
    assert watch.reads - before <= 2  # the open and the call, or both in one read


def test_the_states_agree_with_the_people_ahead_count(app):
    """hall.ticket_states orders in Python what board.position counts in SQL: both the one
    call order, priority and appointments included."""
    from hall import issuing
    from hall.events import KIOSK

    with app.app_context():
        issued = [issuing.issue_ticket(db.session, "HQ", "EXAM", actor=KIOSK,
                                       priority=("elderly" if n in (3, 5) else None))
                  for n in range(8)]
        ids = [t.id for t in issued]
        states = ticket_states.read(db.session, ids)
        for ticket in db.session.scalars(sa.select(Ticket).where(Ticket.id.in_(ids))):
            assert states[ticket.id].ahead == board.ticket_position(db.session, ticket)[0]
        assert states[ids[3]].ahead == 0 and states[ids[5]].ahead == 1
        assert states[ids[0]].ahead == 2
