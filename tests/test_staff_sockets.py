"""Live case events for signed-in staff over the wire; nothing for anyone else."""
from __future__ import annotations

import re
import threading
import time

import pytest
import requests
import socketio

from conftest import actor
from device_helpers import _stop_apps_like, app_like, serving  # noqa: F401  (_stop_apps_like: a fixture)
from hall import calendar, cases, issuing, queue
from hall.web.extensions import db


def signed_in(base: str, username: str) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    r = http.post(f"{base}/login", data={"csrf_token": token, "username": username,
                                         "password": "demo"}, allow_redirects=False)
    assert r.status_code == 302
    return http


def staff_client(base: str, http: requests.Session | None) -> tuple[socketio.Client, list]:
    got: list = []
    arrived = threading.Event()
    client = socketio.Client(reconnection=False)

    @client.on("case", namespace="/staff")
    def _case(data):
        got.append(data)
        arrived.set()

    headers = {"Cookie": "; ".join(f"{c.name}={c.value}" for c in http.cookies)} if http else {}
    client.connect(base, namespaces=["/staff"], transports=["websocket"], headers=headers,
                   wait_timeout=5)
    client.arrived = arrived
    return client, got


def test_strangers_cannot_listen(live_server):
    with pytest.raises(socketio.exceptions.ConnectionError):
        staff_client(live_server, None)


@pytest.mark.hall_open
def test_staff_hear_their_halls_case_events_live(app, live_server):
    hq, hq_events = staff_client(live_server, signed_in(live_server, "division01"))
    city, city_events = staff_client(live_server, signed_in(live_server, "hrb-clerk01"))
    try:
        time.sleep(0.2)
        clerk = actor(app, "clerk03")
        with app.app_context():
            calendar.import_official(db.session)
            number = issuing.issue_ticket(db.session, "HQ", "EXAM").number
            queue.open_window(db.session, "HQ", 3, actor=clerk)
            queue.call_ticket(db.session, "HQ", 3, number, actor=clerk)
            case = cases.accept(db.session, "HQ", 3, actor=clerk, applicant_name="李四",
                                subject="资格复审")
            case_id = case.id
        assert hq.arrived.wait(5)
        accepted = hq_events[0]
        assert (accepted["kind"], accepted["case_id"], accepted["state"]) == \
            ("case.accepted", case_id, "accepted")
        assert "李四" not in str(accepted)  # names are never in events
        time.sleep(0.3)
        assert city_events == []
    finally:
        hq.disconnect()
        city.disconnect()


def floor_follower(base: str, http: requests.Session) -> tuple[socketio.Client, list]:
    """A window console's live connection: ``follow_floor`` on ``/staff``, every message
    kept in order."""
    got: list = []
    client = socketio.Client(reconnection=False)
    for name in ("state", "called", "queue", "counts", "problem"):
        client.on(name, lambda data, name=name: got.append((name, data)), namespace="/staff")
    headers = {"Cookie": "; ".join(f"{c.name}={c.value}" for c in http.cookies)}
    client.connect(base, namespaces=["/staff"], transports=["websocket"], headers=headers,
                   wait_timeout=5)
    return client, got


def wait_until(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


@pytest.mark.hall_open
def test_a_clerks_console_follows_the_floor_without_being_a_registered_display(app):
    """The console is a signed-in clerk on an ordinary PC: with no trusted network at all
    (where ``/display`` refuses everyone but registered displays), it still gets the floor's
    snapshot and every call, with the displays' sequence numbers."""
    strict = app_like(app, TRUSTED_DEVICE_NETWORKS="")
    with serving(strict) as base:
        clerk, got = floor_follower(base, signed_in(base, "clerk03"))
        stranger, refused = floor_follower(base, signed_in(base, "hrb-clerk01"))
        try:
            clerk.emit("follow_floor", {"hall": "HQ"}, namespace="/staff")
            stranger.emit("follow_floor", {"hall": "HQ"}, namespace="/staff")
            assert wait_until(lambda: got and refused)
            name, state = got[0]
            assert name == "state" and state["hall"] == "HQ" and isinstance(state["seq"], int)
            assert refused == [("problem", {"code": "forbidden"})]

            actor_ = actor(strict, "clerk03")
            with strict.app_context():
                number = issuing.issue_ticket(db.session, "HQ", "EXAM").number
                queue.open_window(db.session, "HQ", 3, actor=actor_)
                queue.call_ticket(db.session, "HQ", 3, number, actor=actor_)
            assert wait_until(lambda: any(n == "called" for n, _ in got))
            called = next(body for n, body in got if n == "called")
            assert (called["number"], called["window"]["no"]) == (number, 3)
            seqs = [body["seq"] for n, body in got[1:] if n != "problem"]
            assert seqs == sorted(seqs) and seqs[0] > state["seq"]
            assert refused == [("problem", {"code": "forbidden"})]  # heard nothing of HQ

            # Asking again at once is turned away (a snapshot a second per connection).
            clerk.emit("follow_floor", {"hall": "HQ"}, namespace="/staff")
            assert wait_until(lambda: got[-1] == ("problem", {"code": "too-many-requests"}))
        finally:
            clerk.disconnect()
            stranger.disconnect()
