"""A window's moves over the device API, as a clerk's device makes them (SPEC §6)."""
from __future__ import annotations

import jsonschema
import pytest
import sqlalchemy as sa

from hall.models import Event, Ticket
from hall.web.api.openapi import document
from hall.web.extensions import db

pytestmark = pytest.mark.hall_open  # tickets are taken and windows opened: in opening hours

SCHEMAS = document()["components"]["schemas"]


def conforms(body: dict, schema: str) -> None:
    """The body matches the published schema (references resolved within the document)."""
    jsonschema.validate(body, {"$ref": f"#/components/schemas/{schema}",
                               "components": {"schemas": SCHEMAS}})


class Clerk:
    """A clerk's device: a token, and moves at one window."""

    def __init__(self, client, username: str, window: int) -> None:
        self.client, self.window = client, window
        r = client.post("/api/v1/auth/token", json={"username": username, "password": "demo"})
        self.headers = {"Authorization": f"Bearer {r.get_json()['token']}"}

    def do(self, move: str, at: int | None = None, **body):
        no = at or self.window
        return self.client.post(f"/api/v1/halls/HQ/windows/{no}/{move}", headers=self.headers,
                                json=body if body else None)


@pytest.fixture
def clerk3(client):
    return Clerk(client, "clerk03", 3)


@pytest.fixture
def clerk4(client):
    return Clerk(client, "clerk04", 4)


def take(client, service: str = "EXAM") -> str:
    return client.post("/api/v1/tickets", json={"hall": "HQ", "service": service}).get_json()["number"]


def test_open_binds_the_clerk_and_is_harmless_twice(clerk3, clerk4):
    first = clerk3.do("open")
    assert first.status_code == 200
    conforms(first.get_json(), "WindowView")
    assert (first.get_json()["state"], first.get_json()["clerk"]["username"]) == ("open", "clerk03")
    assert clerk3.do("open").status_code == 200
    taken = clerk4.do("open", at=3)
    assert (taken.status_code, taken.get_json()["code"]) == (409, "window-taken")


def test_call_answers_the_ticket_or_204_or_409(client, clerk3):
    closed = clerk3.do("call")
    assert (closed.status_code, closed.get_json()["code"]) == (409, "window-not-open")
    clerk3.do("open")
    assert clerk3.do("call").status_code == 204
    number = take(client)
    called = clerk3.do("call")
    body = called.get_json()
    assert called.status_code == 200
    conforms(body, "Called")
    assert (body["number"], body["status"], body["window"]["current"]["number"]) == \
        (number, "called", number)


def test_a_double_press_never_calls_two(client, clerk3):
    take(client), take(client)
    clerk3.do("open")
    assert clerk3.do("call").status_code == 200
    again = clerk3.do("call")
    assert (again.status_code, again.get_json()["code"]) == (409, "window-busy")
    assert "A001" in again.get_json()["title"]


def test_a_whole_visit_over_the_api(client, clerk3, clerk4):
    first, second = take(client), take(client)
    clerk3.do("open")
    clerk4.do("open")
    assert clerk3.do("call").get_json()["number"] == first
    assert clerk3.do("recall").get_json()["call_count"] == 2
    assert clerk3.do("start", number=first).get_json()["status"] == "serving"
    assert clerk3.do("hold", reason="copying documents").get_json()["status"] == "held"
    assert clerk3.do("call").get_json()["number"] == second
    moved = clerk3.do("transfer", window=4, reason="joint handling")
    assert (moved.get_json()["status"], moved.get_json()["number"]) == ("waiting", second)
    assert clerk4.do("call").get_json()["number"] == second
    assert clerk3.do("resume", number=first).get_json()["status"] == "called"
    assert clerk3.do("finish").get_json()["status"] == "finished"
    assert clerk4.do("no-show").get_json()["status"] == "no_show"
    assert clerk3.do("pause", reason="lunch").get_json()["state"] == "paused"
    assert clerk3.do("close").get_json()["state"] == "closed"


def test_a_stale_screen_cannot_finish_the_wrong_visitor(client, clerk3):
    take(client), take(client)
    clerk3.do("open")
    clerk3.do("call")
    clerk3.do("finish")
    clerk3.do("call")
    r = clerk3.do("finish", number="A001")
    assert (r.status_code, r.get_json()["code"]) == (409, "not-current-ticket")


@pytest.mark.parametrize("move,body,code", [
    ("pause", {}, "pause-reason-required"),
    ("transfer", {"service": "NOPE"}, "unknown-service"),
    ("resume", {"number": "A999"}, "ticket-not-found"),
    ("call", {"number": "not-a-number"}, "invalid-request"),
    ("transfer", {"window": "three"}, "invalid-request"),
])
def test_bad_moves_get_a_problem_and_change_nothing(client, clerk3, move, body, code):
    take(client)
    clerk3.do("open")
    if move == "transfer":
        clerk3.do("call")
    with client.application.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    r = clerk3.do(move, **body)
    assert r.mimetype == "application/problem+json" and r.get_json()["code"] == code
    with client.application.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == before


def test_only_the_windows_clerk_moves_it(client, clerk3, clerk4):
    take(client)
    clerk3.do("open")
    r = clerk4.do("call", at=3)
    assert (r.status_code, r.get_json()["code"]) == (403, "not-your-window")
    manager = Clerk(client, "manager", 3)
    r = manager.do("call")
    assert (r.status_code, r.get_json()["code"]) == (403, "forbidden")
    with client.application.app_context():
        assert db.session.scalar(sa.select(Ticket.status)) == "waiting"


def test_the_window_can_be_looked_at_by_staff_of_its_hall(client, clerk3):
    clerk3.do("open")
    r = client.get("/api/v1/halls/HQ/windows/3", headers=clerk3.headers)
    assert r.status_code == 200 and r.get_json()["clerk"]["username"] == "clerk03"
    city = Clerk(client, "hrb-clerk01", 1)
    assert client.get("/api/v1/halls/HQ/windows/3", headers=city.headers).status_code == 403
    assert client.get("/api/v1/halls/HQ/windows/3").status_code == 401
    assert client.get("/api/v1/halls/HQ/windows/99", headers=clerk3.headers).status_code == 404


def test_the_consoles_lists_show_each_ticket_as_its_card(client, app, clerk3, clerk4):
    """Held, sent here and served today are read as columns (hall.floor._cards): each entry
    is what ``ticket_card`` makes of the ticket itself, in the lists' orders."""
    from hall import floor

    numbers = [take(client, "EXAM") for _ in range(4)]
    clerk3.do("open")
    clerk4.do("open")
    assert clerk3.do("call").get_json()["number"] == numbers[0]
    clerk3.do("hold", reason="copying documents")
    clerk3.do("call")
    clerk3.do("finish")
    clerk3.do("call")
    clerk3.do("no-show")
    assert clerk3.do("call").get_json()["number"] == numbers[3]
    moved = clerk3.do("transfer", window=4, reason="joint handling")  # waits for window 4
    assert moved.get_json()["status"] == "waiting"
    view = client.get("/api/v1/halls/HQ/windows/3", headers=clerk3.headers).get_json()
    other = client.get("/api/v1/halls/HQ/windows/4", headers=clerk4.headers).get_json()
    with app.app_context():
        def card(number: str) -> dict:
            ticket = db.session.scalar(sa.select(Ticket).where(Ticket.number == number))
            return floor.ticket_card(ticket)

        held = view["held"][0]
        assert {k: v for k, v in held.items() if not k.startswith("held_")} == card(numbers[0])
        assert held["held_reason"] == "copying documents"
        assert other["sent_here"] == [card(numbers[3])]
        # the latest first: the no-show (numbers[2]) was called after the finish
        assert view["served_today"] == [card(numbers[2]), card(numbers[1])]
        assert view["served_today"][0]["status"] == "no_show" and held["service_name"]
