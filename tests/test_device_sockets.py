"""Wall displays as devices over the wire (#11.3): the ``/display`` socket opens only for a
display device, a registered display follows only its own hall, and joins are cheap: a crowd
of displays joining at once costs one read of the floor, not one each."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa

from device_helpers import Screen, _stop_apps_like, app_like, device_move, register, serving  # noqa: F401  (_stop_apps_like: a fixture)
from display.sockets import JOINS
from hall import devices
from hall.web.extensions import db

# These tests take tickets: their clock starts when the demo halls take them (conftest).
pytestmark = pytest.mark.hall_open


@pytest.fixture
def nothing_trusted(app):
    """The hall with no trusted network, on a live server: every client is an outsider."""
    strict = app_like(app, TRUSTED_DEVICE_NETWORKS="")
    with serving(strict) as base:
        yield strict, base


def test_an_anonymous_display_socket_is_refused_with_device_required(nothing_trusted):
    _, base = nothing_trusted
    screen = Screen(base, connect=False)
    assert screen.connect() is False
    assert screen.refusal["code"] == "device-required" and screen.refusal["status"] == 401
    assert "管理员" in screen.refusal["title"]


def test_a_registered_display_follows_its_own_hall_only(nothing_trusted):
    strict, base = nothing_trusted
    _, token = register(strict, kind="display", name="大厅显示屏 2")
    screen = Screen(base, token=token)
    try:
        name, state = screen.join("HQ")
        assert name == "state" and state["hall"] == "HQ"
        name, refused = screen.join("HRB")
        assert name == "problem" and refused["code"] == "device-not-allowed"
    finally:
        screen.close()


def test_a_kiosk_token_opens_no_display_and_a_locked_display_is_refused(nothing_trusted):
    strict, base = nothing_trusted
    _, kiosk = register(strict, kind="kiosk")
    refused = Screen(base, token=kiosk, connect=False)
    assert refused.connect() is False and refused.refusal["code"] == "device-not-allowed"
    display_id, token = register(strict, kind="display")
    screen = Screen(base, token=token)
    try:
        assert screen.join()[0] == "state"
        device_move(strict, devices.set_locked, display_id, locked=True)
        name, problem = screen.join()
        assert name == "problem" and problem["code"] == "device-locked"
    finally:
        screen.close()
    assert Screen(base, token=token, connect=False).connect() is False


def floor_reads(app):
    """Count the statements that read the floor's recent calls (one per snapshot built)."""
    seen = []

    def note(_conn, _cursor, statement, *_args):
        if "FROM events" in statement and "JOIN tickets" in statement:
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", note)
    return seen


def test_a_crowd_of_displays_joining_at_once_costs_one_read_of_the_floor(app, live_server):
    requests.post(f"{live_server}/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"},
                  timeout=10).raise_for_status()
    reads = floor_reads(app)
    screens = []
    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            screens = list(pool.map(lambda _: Screen(live_server), range(60)))
            answers = list(pool.map(lambda s: s.join(), screens))
        assert {(name, state["seq"]) for name, state in answers} == {("state", 1)}
        assert len(reads) == 1, f"{len(reads)} reads of the floor for 60 joins"
        # the floor moves: the next join reads it once more, and sees the new ticket
        requests.post(f"{live_server}/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"},
                      timeout=10).raise_for_status()
        name, state = screens[0].join()
        assert state["seq"] == 2 and len(reads) == 2
    finally:
        for screen in screens:
            screen.close()


def test_a_socket_joining_over_and_over_is_not_answered_each_time(live_server):
    screen = Screen(live_server)
    try:
        for _ in range(40):
            screen.client.emit("join", {"hall": "HQ"}, namespace="/display")
        deadline = time.monotonic() + 10
        while len(screen.messages) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        kinds = [name for name, _ in screen.messages]
        assert kinds.count("state") == JOINS  # a display re-syncing: answered
        assert kinds.count("problem") == 40 - JOINS  # a client hammering: turned away
        assert {data["code"] for name, data in screen.messages if name == "problem"} == {
            "too-many-requests"}
    finally:
        screen.close()
