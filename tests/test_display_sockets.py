"""Wall displays over the wire: real python-socketio clients against a live server."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa

from conftest import two_processes
from hall import floor, queue
from hall.db import consistent_read
from hall.models import Event
from hall.web.extensions import db
from wire import Clerk, Display

pytestmark = pytest.mark.hall_open  # tickets are taken and windows opened: in opening hours


def take(base: str, service: str = "EXAM", hall: str = "HQ") -> str:
    return requests.post(f"{base}/api/v1/tickets", json={"hall": hall, "service": service},
                         timeout=10).json()["number"]


@pytest.fixture
def displays(live_server):
    opened: list[Display] = []

    def open_display(hall: str = "HQ") -> Display:
        display = Display(live_server, hall)
        opened.append(display)
        return display

    yield open_display
    for display in opened:
        display.close()


def test_a_display_gets_the_whole_floor_at_once(live_server, displays):
    take(live_server)
    state = displays().join()
    assert state["hall"] == "HQ" and state["seq"] == 1
    assert {s["code"]: s["waiting"] for s in state["services"]}["EXAM"] == 1
    assert [w["no"] for w in state["windows"]] == list(range(1, 23))
    assert state["calls"] == []


def test_100_displays_in_the_hall_get_the_call_and_none_in_the_city_hall(live_server, displays):
    with ThreadPoolExecutor(max_workers=20) as pool:
        hq = list(pool.map(lambda _: displays("HQ"), range(100)))
        city = list(pool.map(lambda _: displays("HRB"), range(5)))
        list(pool.map(lambda d: d.join(), hq + city))
    number = take(live_server)
    clerk = Clerk(live_server, "clerk03", 3)
    clerk.do("open")
    assert clerk.do("call").status_code == 200

    calls = [d.wait_for("called", number=number) for d in hq]
    assert {(c["window_no"], c["kind"], c["service"]) for c in calls} == {(3, "called", "EXAM")}
    assert len({c["seq"] for c in calls}) == 1  # the same event, everywhere
    assert calls[0]["waiting"]["EXAM"] == 0 and calls[0]["name"] == "公务员考试录用资格复审"
    time.sleep(0.3)
    assert all(not d.live() for d in city)


def test_every_message_has_the_next_sequence_number(live_server, displays):
    display = displays()
    start = display.join()["seq"]
    clerk = Clerk(live_server, "clerk03", 3)
    take(live_server), take(live_server)
    clerk.do("open")
    for move in ("call", "start", "finish", "call", "recall", "no-show"):
        assert clerk.do(move).status_code == 200
    clerk.do("pause", reason="tea")
    display.wait_for("queue", kind="paused")
    # Each number once, in order: a `counts` message stands for the tickets taken
    # ``from``..``seq`` (gathered, hall/live.py), every other message for its own event.
    covered = [n for m in display.live() for n in range(m.get("from", m["seq"]), m["seq"] + 1)]
    assert covered == list(range(start + 1, start + 1 + len(covered)))
    kinds = [k for m in display.live()
             for k in (["issued"] * (m["seq"] - m["from"] + 1) if m["kind"] == "counts"
                       else [m["kind"]])]
    assert kinds == ["issued", "issued", "opened", "called", "serving", "finished", "called",
                     "recalled", "no_show", "paused"]
    assert display.live()[-1]["waiting"]["EXAM"] == 0


def test_a_display_that_was_away_comes_back_to_exactly_the_current_floor(app, live_server, displays):
    away = displays()
    away.join()
    clerk3, clerk4 = Clerk(live_server, "clerk03", 3), Clerk(live_server, "clerk04", 4)
    for _ in range(4):
        take(live_server)
    clerk3.do("open"), clerk4.do("open")
    clerk3.do("call")
    away.close()  # the network is unplugged…

    clerk4.do("call")                   # …while two more calls happen
    clerk3.do("finish")
    clerk3.do("call")

    back = displays()
    state = back.join()
    with app.app_context(), consistent_read(db.session) as session:
        truth = floor.floor_state(session, queue.get_hall(session, "HQ"))
        last_seq = session.scalar(sa.select(sa.func.max(Event.seq)))
    assert state == truth
    assert state["seq"] == last_seq
    assert [(c["number"], c["window"]) for c in state["calls"]] == [("A003", 3), ("A002", 4),
                                                                    ("A001", 3)]
    serving = {w["no"]: w["serving"] for w in state["windows"] if w["serving"]}
    assert serving == {3: "A003", 4: "A002"}


def test_displays_can_change_nothing(app, live_server, displays):
    take(live_server)
    display = displays()
    display.join()
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    for event, data in [("call", {"hall": "HQ", "window": 3}), ("open", {"window": 3}),
                        ("finish", {}), ("join", "HQ"), ("join", {"hall": "NOPE"})]:
        display.client.emit(event, data, namespace="/display")
    assert display.wait_for("problem", code="unknown-hall")["title"]
    display.wait_for("problem", code="invalid-request")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == before
    assert display.client.connected


def test_joining_another_hall_leaves_the_first(live_server, displays):
    display = displays()
    display.join("HQ")
    display.join("HRB")
    take(live_server, hall="HQ")
    take(live_server, hall="HRB")
    issued = display.wait_for("counts")  # tickets taken come gathered (hall/live.py)
    time.sleep(0.2)
    assert issued["hall"] == "HRB" and [m["hall"] for m in display.live()] == ["HRB"]


def test_a_display_that_closes_is_let_go_cleanly(live_server):
    """After the WebSocket close handshake the server ends the connection; it must not read
    the closing frame as a new HTTP request and answer it with a 400 on the socket."""
    import websocket  # websocket-client, the transport python-socketio uses

    for _ in range(20):
        ws = websocket.create_connection(
            live_server.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket",
            timeout=5)
        assert ws.recv().startswith("0{")           # engine.io open
        ws.send("40/display,")                        # connect to the namespace
        assert ws.recv().startswith("40/display,")
        ws.send_close()
        # Whatever comes back until the server closes: at most the closing frame (under load
        # the server may shut the socket before its own closing frame goes out), never an
        # HTTP answer to our closing frame.
        ws.sock.settimeout(2)
        received = b""
        while chunk := ws.sock.recv(4096):
            received += chunk
        assert b"HTTP/1.1" not in received
        assert received[:1] in (b"", b"\x88")          # nothing, or a close frame
        ws.sock.close()


def test_a_display_over_a_group_of_windows_gets_that_groups_last_calls(live_server, displays):
    clerk3, clerk4 = Clerk(live_server, "clerk03", 3), Clerk(live_server, "clerk04", 4)
    for _ in range(3):
        take(live_server)
    clerk3.do("open"), clerk4.do("open")
    clerk3.do("call"), clerk4.do("call"), clerk3.do("finish"), clerk3.do("call")
    display = displays()
    display.client.emit("join", {"hall": "HQ", "windows": [4]}, namespace="/display")
    state = display.wait_for("state")
    assert [(c["number"], c["window"]) for c in state["calls"]] == [("A002", 4)]
    display.client.emit("join", {"hall": "HQ", "windows": "4"}, namespace="/display")
    display.wait_for("problem", code="invalid-request")


def test_a_call_made_by_another_process_reaches_the_displays_through_redis(
        tmp_path, sqlite_template, redis_url):
    """Two server processes share the database and Redis: a display connected to one gets a
    call made on the other. (Two apps in one test process, connected only as processes are:
    through the database file and the Redis channel.)"""
    with two_processes(tmp_path, sqlite_template, redis_url) as (base, _serving, other):
        display = Display(base)
        try:
            display.join()
            time.sleep(0.3)  # the serving app's Redis listener is subscribed by now
            client = other.test_client()
            client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"})
            token = client.post("/api/v1/auth/token", json={
                "username": "clerk03", "password": "demo"}).get_json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            client.post("/api/v1/halls/HQ/windows/3/open", headers=headers)
            assert client.post("/api/v1/halls/HQ/windows/3/call",
                               headers=headers).status_code == 200
            called = display.wait_for("called", number="A001")
            assert called["window_no"] == 3 and called["seq"] == 3
            assert [m["seq"] for m in display.live()] == [1, 2, 3]
        finally:
            display.close()
