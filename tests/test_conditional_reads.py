"""Public reads answered from what is already known (#13.2): the queue and a visit's public
view carry an ETag, a poller holding it gets 304 with no body, and the very next read after
any move shows that move."""
from __future__ import annotations

import pytest

from conftest import actor
from hall import queue
from hall.web.extensions import db

pytestmark = pytest.mark.hall_open  # tickets are taken


def take(client, service: str = "EXAM") -> dict:
    r = client.post("/api/v1/tickets", json={"hall": "HQ", "service": service})
    assert r.status_code == 201, r.get_data(as_text=True)
    return r.get_json()


def again(client, path: str, first, **headers):
    return client.get(path, headers={"If-None-Match": first.headers["ETag"], **headers})


def test_a_queue_poller_that_is_current_gets_304_and_no_body(client):
    take(client)
    first = client.get("/api/v1/halls/HQ/queue")
    assert first.status_code == 200 and first.headers["ETag"].startswith('W/"')
    assert first.headers["Cache-Control"] == "private, no-cache"
    same = again(client, "/api/v1/halls/HQ/queue", first)
    assert same.status_code == 304 and same.get_data() == b""
    assert same.headers["ETag"] == first.headers["ETag"]


def test_the_read_after_a_ticket_or_a_call_shows_it(app, client):
    first = client.get("/api/v1/halls/HQ/queue").get_json()
    before = next(s for s in first["services"] if s["code"] == "EXAM")["waiting"]
    seen = client.get("/api/v1/halls/HQ/queue")
    take(client)
    after = again(client, "/api/v1/halls/HQ/queue", seen)
    assert after.status_code == 200
    assert next(s for s in after.get_json()["services"]
                if s["code"] == "EXAM")["waiting"] == before + 1
    with app.app_context():
        clerk = actor(app, "clerk03")
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        called = queue.call_next(db.session, "HQ", 3, actor=clerk)
    windows = client.get("/api/v1/halls/HQ/queue").get_json()["windows"]
    assert {"no": 3, "state": "open", "serving": called.number} in windows


def test_a_waiting_visits_public_view_is_revalidated_and_moves_with_the_queue(app, client):
    mine = take(client)
    path = f"/track/{mine['service_no']}"
    first = client.get(path)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache"
    assert again(client, path, first).status_code == 304
    with app.app_context():
        clerk = actor(app, "clerk03")
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        queue.call_next(db.session, "HQ", 3, actor=clerk)  # mine is called
    moved = again(client, path, first)
    assert moved.status_code == 200 and "3 号窗口" in moved.get_data(as_text=True)


def test_the_public_track_api_is_revalidated_too(client):
    mine = take(client)
    path = f"/api/v1/track/{mine['service_no']}"
    first = client.get(path)
    assert first.status_code == 200 and first.headers["ETag"]
    assert again(client, path, first).status_code == 304
    take(client)  # someone behind: the floor moved, the public answer is built again
    assert again(client, path, first).status_code in (200, 304)


def test_a_view_with_the_access_code_is_never_tagged_or_kept(client):
    mine = take(client)
    private = client.get(f"/track/{mine['service_no']}?c={mine['access_code']}")
    assert private.status_code == 200 and "ETag" not in private.headers
    assert private.headers["Cache-Control"] == "no-store"
    api = client.get(f"/api/v1/track/{mine['service_no']}",
                     headers={"X-Access-Code": mine["access_code"]})
    assert api.status_code == 200 and "ETag" not in api.headers
    assert api.headers["Cache-Control"] == "no-store"


def test_the_language_is_part_of_the_tag(client):
    take(client)
    zh = client.get("/api/v1/halls/HQ/queue")
    mine = take(client)
    path = f"/api/v1/track/{mine['service_no']}"
    zh = client.get(path)
    en = client.get(path, headers={"Accept-Language": "en"})
    assert zh.headers["ETag"] != en.headers["ETag"]
    assert again(client, path, zh, **{"Accept-Language": "en"}).status_code == 200
