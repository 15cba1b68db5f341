"""How much one client may issue (#11.4) and whose request key finds which ticket (#11.8):
limits per device and per address, the daily cap, the managers' alert, the public reads, and
Idempotency-Key scoped per device and day with 422 for another body."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from conftest import MONDAY_0930
from device_helpers import (  # noqa: F401  (_stop_apps_like: a fixture)
    KIOSK_LAN,
    _stop_apps_like,
    app_like,
    bearer,
    client_at,
    count,
    csrf,
    events,
    register,
    tickets,
)
from hall import clock, dashboard, queue
from hall.db import consistent_read
from hall.models import Ticket
from hall.web.extensions import db

EXAM = {"hall": "HQ", "service": "EXAM"}


# These tests take tickets: their clock starts when the demo halls take them (conftest).
pytestmark = pytest.mark.hall_open


def take(client, token=None, body=EXAM, key=None):
    headers = bearer(token) if token else {}
    if key:
        headers["Idempotency-Key"] = key
    return client.post("/api/v1/tickets", json=body, headers=headers)


# -- per device, per address, per day ---------------------------------------------------------

def test_a_device_issues_at_most_its_limit_and_is_told_when_to_come_back(app):
    strict = app_like(app, DEVICE_ISSUE_LIMIT="3 per minute")
    _, token = register(strict)
    _, other = register(strict, name="入口取号机 2")
    kiosk = client_at(strict)
    assert [take(kiosk, token).status_code for _ in range(3)] == [201, 201, 201]
    r = take(kiosk, token)
    assert r.status_code == 429 and r.get_json()["code"] == "device-too-fast"
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert count(app) == 3  # nothing written for the refused one
    assert take(kiosk, other).status_code == 201  # another kiosk, same address: its own count


def test_a_day_has_a_cap_per_device_so_nobody_empties_a_queue(app):
    strict = app_like(app, DEVICE_ISSUE_LIMIT="100 per second; 5 per day")
    _, token = register(strict)
    codes = [take(client_at(strict), token).status_code for _ in range(8)]
    assert codes == [201] * 5 + [429] * 3
    assert count(app) == 5


def test_a_trusted_network_address_is_limited_like_a_device(app):
    lan = app_like(app, TRUSTED_DEVICE_NETWORKS="10.20.0.0/16", DEVICE_ISSUE_LIMIT="2 per minute")
    kiosk = client_at(lan, KIOSK_LAN)
    assert [take(kiosk).status_code for _ in range(3)] == [201, 201, 429]
    assert take(client_at(lan, "10.20.0.32")).status_code == 201  # the next kiosk


def test_requests_to_issue_are_limited_per_address_before_anything_is_looked_up(app):
    strict = app_like(app, ISSUE_ADDRESS_LIMIT="4 per minute")
    outside = client_at(strict)
    codes = [take(outside).status_code for _ in range(6)]
    assert codes == [401] * 4 + [429] * 2
    form = outside.post("/kiosk/HQ/tickets", data={"csrf_token": csrf(outside), "service": "EXAM"})
    assert form.status_code == 429  # the kiosk form shares the budget
    assert take(client_at(strict, "198.51.100.9")).status_code == 401  # another address


def test_the_servers_own_machine_is_limited_like_any_other(app):
    """A script on the server's machine is a script (the hostile pass ran from there): it is
    a trusted device, and held to a device's pace."""
    strict = app_like(app, DEVICE_ISSUE_LIMIT="2 per minute", ISSUE_ADDRESS_LIMIT="5 per minute")
    local = strict.test_client()
    assert [take(local).status_code for _ in range(3)] == [201, 201, 429]
    assert count(app) == 2


def test_a_device_issuing_unusually_fast_is_reported_once_to_the_managers(app):
    strict = app_like(app, DEVICE_ISSUE_LIMIT="100 per minute", DEVICE_ALERT="4 per minute")
    device_id, token = register(strict, name="入口取号机 3")
    kiosk = client_at(strict)
    codes = [take(kiosk, token).status_code for _ in range(4)]
    assert codes == [201] * 4 and events(app, "device.issuing_fast") == []
    for _ in range(6):  # past the alert's pace: told once, and the tickets still go out
        assert take(kiosk, token).status_code == 201
    [alert] = events(app, "device.issuing_fast")
    assert alert.data == {"device": device_id, "name": "入口取号机 3", "tickets": 4,
                          "seconds": 60}
    with strict.app_context(), consistent_read(db.session) as session:
        snap = dashboard.snapshot(session, queue.get_hall(session, "HQ"))
    assert [(a.name, a.tickets) for a in snap.device_alerts] == [("入口取号机 3", 4)]
    assert {d.name: d.tickets_today for d in snap.devices}["入口取号机 3"] == 10


# -- public reads -------------------------------------------------------------------------------

def test_anonymous_public_reads_are_limited_per_address(app):
    strict = app_like(app, PUBLIC_RATE_LIMIT="3 per minute")
    outside = client_at(strict)
    codes = [outside.get("/api/v1/halls/HQ/queue").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert outside.get("/guide/HQ").status_code == 429  # one budget for the public reads
    assert client_at(strict, "198.51.100.9").get("/api/v1/halls/HQ/queue").status_code == 200
    local = strict.test_client()  # the server's own machine: an address like any other
    assert [local.get("/api/v1/halls/HQ/queue").status_code for _ in range(4)] == [200] * 3 + [429]


# -- Idempotency-Key (#11.8) -------------------------------------------------------------------

def test_the_same_key_from_the_same_device_replays_its_ticket(app):
    _, token = register(app)
    kiosk = client_at(app)
    first = take(kiosk, token, key="9f1c2e4a-tap-1")
    again = take(kiosk, token, key="9f1c2e4a-tap-1")
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["access_code"] == first.get_json()["access_code"]
    assert count(app) == 1


def test_the_same_key_with_another_body_is_refused_and_writes_nothing(app):
    _, token = register(app)
    kiosk = client_at(app)
    take(kiosk, token, key="k-1")
    r = take(kiosk, token, body={"hall": "HQ", "service": "TITLE"}, key="k-1")
    assert r.status_code == 422 and r.get_json()["code"] == "idempotency-key-reused"
    r = take(kiosk, token, body={**EXAM, "priority": "elderly"}, key="k-1")
    assert r.status_code == 422
    assert count(app) == 1


def test_another_devices_key_never_finds_this_ticket(app):
    _, mine = register(app)
    _, theirs = register(app, name="入口取号机 2")
    first = take(client_at(app), mine, key="kiosk-3-0001")
    other = take(client_at(app, "198.51.100.9"), theirs, key="kiosk-3-0001")
    assert other.status_code == 201 and "Idempotent-Replayed" not in other.headers
    assert other.get_json()["access_code"] != first.get_json()["access_code"]
    # nor does the same key from an address of a trusted network, nor from this machine
    local = take(app.test_client(), key="kiosk-3-0001")
    assert local.get_json()["access_code"] not in {first.get_json()["access_code"],
                                                   other.get_json()["access_code"]}
    assert count(app) == 3


def test_a_key_replayed_the_next_day_is_a_new_ticket(app):
    _, token = register(app)
    kiosk = client_at(app)
    with clock.frozen(MONDAY_0930) as now:
        monday = take(kiosk, token, key="k-monday").get_json()
        now.advance(days=1)
        tuesday = take(kiosk, token, key="k-monday")
    assert tuesday.status_code == 201 and "Idempotent-Replayed" not in tuesday.headers
    assert tuesday.get_json()["service_no"] != monday["service_no"]
    assert [t.day for t in tickets(app)] == [MONDAY_0930.date(),
                                             MONDAY_0930.date() + timedelta(days=1)]


def test_the_kiosk_form_replays_a_double_tap_and_a_new_choice_gets_its_own_ticket(app):
    lan = app_like(app, TRUSTED_DEVICE_NETWORKS="10.20.0.0/16")
    kiosk = client_at(lan, KIOSK_LAN)
    form = {"csrf_token": csrf(kiosk, "/kiosk/HQ"), "request_key": "a" * 32, "service": "EXAM"}
    first = kiosk.post("/kiosk/HQ/tickets", data=form)
    double = kiosk.post("/kiosk/HQ/tickets", data=form)
    priority = kiosk.post("/kiosk/HQ/tickets", data={**form, "priority": "elderly"})
    assert first.status_code == double.status_code == priority.status_code == 201
    assert count(app) == 2
    with app.app_context():
        keys = db.session.scalars(sa.select(Ticket.request_key)).all()
    assert all(len(k) == 64 and "a" * 32 not in k for k in keys)  # stored scoped, hashed


def test_limits_are_checked_on_their_views_only_and_a_default_limit_is_refused(app):
    """Flask-Limiter's per-request hook is dropped (it found nothing to check, at a fifth of
    a public read's cost); a default limit would then go unapplied, so it stops the app."""
    from hall.web.extensions import limiter, limits_on_views_only

    assert all(getattr(h, "__func__", None) is not type(limiter)._check_request_limit
               for h in app.before_request_funcs.get(None, []))
    saved = limiter.limit_manager._default_limits
    limiter.limit_manager._default_limits = [["1 per day"]]
    try:
        with pytest.raises(RuntimeError, match="view decorators only"):
            limits_on_views_only(app)
    finally:
        limiter.limit_manager._default_limits = saved
