"""Live case events for signed-in staff over the wire; nothing for anyone else."""
from __future__ import annotations

import re
import threading
import time

import pytest
import requests
import socketio

from conftest import actor
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
