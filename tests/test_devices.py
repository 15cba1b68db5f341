"""Devices (SPEC §7, #11.3/#11.4): who may issue a ticket, rate at a window or open a wall
display. A client on no trusted network needs a registered device; a device acts only for
its hall and kind, inside its hours, unless locked or revoked; the device is recorded on
every ticket and rating."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conftest import MONDAY_0930, actor
from device_helpers import (  # noqa: F401  (_stop_apps_like: a fixture)
    KIOSK_LAN,
    OUTSIDE,
    _stop_apps_like,
    app_like,
    bearer,
    client_at,
    count,
    csrf,
    device_move,
    device_row,
    events,
    ratings,
    register,
    tickets,
)
from hall import clock, devices, issuing, queue
from hall.models import Ticket
from hall.web.devices import trusted_networks
from hall.web.extensions import db

EXAM = {"hall": "HQ", "service": "EXAM"}


# These tests take tickets: their clock starts when the demo halls take them (conftest).
pytestmark = pytest.mark.hall_open


def problem(response) -> str:
    assert response.mimetype == "application/problem+json", response.get_data(as_text=True)
    return response.get_json()["code"]


# -- without a device -------------------------------------------------------------------------

def test_a_client_on_no_trusted_network_can_issue_nothing_without_a_device(app):
    outside = client_at(app)
    r = outside.post("/api/v1/tickets", json=EXAM)
    assert r.status_code == 401 and problem(r) == "device-required"
    assert "device" in r.get_json()["title"] or "设备" in r.get_json()["title"]
    assert count(app) == 0


def test_the_kiosk_screen_and_form_say_so_in_words(app):
    strict = app_like(app, WTF_CSRF_ENABLED=False)
    outside = client_at(strict)
    page = outside.get("/kiosk/HQ")
    assert page.status_code == 401 and "text/html" in page.content_type
    assert "管理员" in page.get_data(as_text=True)  # what to do: ask the administrator
    r = outside.post("/kiosk/HQ/tickets", data={"service": "EXAM"})
    assert r.status_code == 401 and "管理员" in r.get_data(as_text=True)
    assert count(app) == 0


def test_the_rating_tablet_and_the_wall_display_need_a_device_too(app):
    outside = client_at(app)
    token = csrf(outside)
    assert outside.get("/rate/HQ/3").status_code == 401
    r = outside.post("/rate/HQ/3", data={"csrf_token": token, "ticket": "1", "level": "5"})
    assert r.status_code == 401
    assert outside.get("/display/HQ").status_code == 401
    assert ratings(app) == []


def test_anonymous_public_reads_stay_open(app):
    outside = client_at(app)
    assert outside.get("/api/v1/halls/HQ/queue").status_code == 200
    assert outside.get("/guide/HQ").status_code == 200
    assert outside.get("/track").status_code == 200


def test_the_servers_own_machine_is_trusted_unless_the_setting_says_otherwise(app):
    assert app.test_client().post("/api/v1/tickets", json=EXAM).status_code == 201
    nobody = app_like(app, TRUSTED_DEVICE_NETWORKS="")
    r = nobody.test_client().post("/api/v1/tickets", json=EXAM)
    assert r.status_code == 401 and problem(r) == "device-required"


def test_a_listed_network_counts_as_a_device_and_its_tickets_name_the_address(app):
    lan = app_like(app, TRUSTED_DEVICE_NETWORKS="10.20.0.0/16, 192.168.8.0/24")
    assert client_at(lan, KIOSK_LAN).post("/api/v1/tickets", json=EXAM).status_code == 201
    assert client_at(lan, OUTSIDE).post("/api/v1/tickets", json=EXAM).status_code == 401
    [ticket] = tickets(app)
    assert ticket.device_id is None
    [issued] = events(app, "ticket.issued")
    assert issued.data["address"] == KIOSK_LAN and "device" not in issued.data


def test_a_proxy_on_the_same_machine_does_not_make_every_visitor_trusted(app):
    # PROXIES not set, a proxy forwarding from 127.0.0.1: the visitor is not the machine.
    r = app.test_client().post("/api/v1/tickets", json=EXAM,
                               headers={"X-Forwarded-For": OUTSIDE})
    assert r.status_code == 401 and problem(r) == "device-required"
    behind = app_like(app, PROXIES=1, TRUSTED_DEVICE_NETWORKS="10.20.0.0/16")
    r = behind.test_client().post("/api/v1/tickets", json=EXAM,
                                  headers={"X-Forwarded-For": KIOSK_LAN})
    assert r.status_code == 201


def test_the_trusted_networks_setting():
    assert [str(n) for n in trusted_networks(None)] == ["127.0.0.0/8", "::1/128"]
    assert trusted_networks("") == () and trusted_networks(" , ") == ()
    assert [str(n) for n in trusted_networks("10.20.0.0/16,fd00::/8")] == ["10.20.0.0/16",
                                                                          "fd00::/8"]
    with pytest.raises(ValueError, match="10.20.0.300/16"):
        trusted_networks("10.20.0.300/16")


# -- registered devices -----------------------------------------------------------------------

def test_a_registered_kiosk_issues_with_its_token_and_is_recorded_on_the_ticket(app):
    device_id, token = register(app, name="入口取号机 2")
    r = client_at(app).post("/api/v1/tickets", json=EXAM, headers=bearer(token))
    assert r.status_code == 201, r.get_data(as_text=True)
    [ticket] = tickets(app)
    assert ticket.device_id == device_id and ticket.number == r.get_json()["number"]
    [issued] = events(app, "ticket.issued")
    assert issued.data["device"] == device_id and "address" not in issued.data
    assert device_row(app, device_id).last_seen_at is not None


def test_only_the_hash_of_the_token_is_kept(app):
    device_id, token = register(app)
    row = device_row(app, device_id)
    assert token not in (row.token_hash, row.cookie_hash, row.name)
    assert row.token_hash == devices.secret_hash(token)


def test_an_unknown_token_is_no_device(app):
    r = client_at(app).post("/api/v1/tickets", json=EXAM, headers=bearer("not-a-token"))
    assert r.status_code == 401 and problem(r) == "device-required"


def test_a_locked_device_is_refused_until_unlocked(app):
    device_id, token = register(app)
    outside = client_at(app)
    device_move(app, devices.set_locked, device_id, locked=True)
    r = outside.post("/api/v1/tickets", json=EXAM, headers=bearer(token))
    assert r.status_code == 403 and problem(r) == "device-locked"
    device_move(app, devices.set_locked, device_id, locked=False)
    assert outside.post("/api/v1/tickets", json=EXAM, headers=bearer(token)).status_code == 201
    assert [e.kind for e in events(app, "device.locked") + events(app, "device.unlocked")] == [
        "device.locked", "device.unlocked"]


def test_a_revoked_device_is_no_device_any_more(app):
    device_id, token = register(app)
    outside = client_at(app)
    assert outside.post("/api/v1/tickets", json=EXAM, headers=bearer(token)).status_code == 201
    device_move(app, devices.revoke, device_id)
    r = outside.post("/api/v1/tickets", json=EXAM, headers=bearer(token))
    assert r.status_code == 401 and problem(r) == "device-required"
    assert count(app) == 1 and device_row(app, device_id).token_hash is None


def test_a_device_works_inside_its_hours_only(app):
    _, token = register(app, hours="08:00-17:30")
    outside = client_at(app)
    with clock.frozen(MONDAY_0930):  # 09:30 in the hall
        assert outside.post("/api/v1/tickets", json=EXAM, headers=bearer(token)).status_code == 201
    with clock.frozen(datetime(2026, 11, 23, 10, 0, tzinfo=UTC)):  # 18:00 in the hall
        r = outside.post("/api/v1/tickets", json=EXAM, headers=bearer(token))
    assert r.status_code == 403 and problem(r) == "device-outside-hours"
    assert "08:00" in r.get_json()["title"] and count(app) == 1


def test_a_kiosk_of_one_hall_cannot_issue_in_another(app):
    _, token = register(app, "HQ")
    r = client_at(app).post("/api/v1/tickets", json={"hall": "HRB", "service": "EXAM"},
                            headers=bearer(token))
    assert r.status_code == 403 and problem(r) == "device-not-allowed"
    assert count(app) == 0


def test_a_display_or_rating_token_cannot_issue_tickets(app):
    for kind in ("display", "rating"):
        _, token = register(app, kind=kind)
        r = client_at(app).post("/api/v1/tickets", json=EXAM, headers=bearer(token))
        assert r.status_code == 403 and problem(r) == "device-not-allowed"
    assert count(app) == 0


def test_the_domain_refuses_a_device_of_another_hall_whoever_calls_it(app):
    device = devices.DevicePass(1, "HRB", "kiosk", "城市取号机", OUTSIDE)
    with app.app_context(), pytest.raises(devices.DeviceNotAllowed):
        issuing.issue_ticket(db.session, "HQ", "EXAM", device=device)


# -- the rating tablet --------------------------------------------------------------------------

@pytest.fixture
def finished_at_window_3(app):
    """A visit just finished at window 3 (at 09:30 on a Monday, the clock frozen there)."""
    with clock.frozen(MONDAY_0930):
        clerk = actor(app, "clerk03")
        with app.app_context():
            queue.open_window(db.session, "HQ", 3, actor=clerk)
            ticket = issuing.issue_ticket(db.session, "HQ", "EXAM")
            queue.call_next(db.session, "HQ", 3, actor=clerk)
            queue.start_serving(db.session, "HQ", 3, actor=clerk)
            queue.finish(db.session, "HQ", 3, actor=clerk)
        yield ticket


def test_a_rating_tablet_of_window_3_rates_there_and_is_recorded(app, finished_at_window_3):
    device_id, token = register(app, kind="rating", name="3号窗口评价器", window_no=3)
    tablet = client_at(app)
    tablet.environ_base["HTTP_AUTHORIZATION"] = f"Device {token}"
    page = tablet.get("/rate/HQ/3")
    assert page.status_code == 200 and finished_at_window_3.number in page.get_data(as_text=True)
    assert tablet.get("/rate/HQ/4").status_code == 403  # not its window
    r = tablet.post("/rate/HQ/3", data={"csrf_token": csrf(tablet),
                                        "ticket": finished_at_window_3.id, "level": "5"})
    assert r.status_code == 200, r.get_data(as_text=True)
    [rating] = ratings(app)
    assert rating.device_id == device_id and rating.channel == "window"
    assert events(app, "rating.given")[0].data["device"] == device_id


def test_a_rating_on_a_trusted_network_names_its_address(app, finished_at_window_3):
    lan = app_like(app, TRUSTED_DEVICE_NETWORKS="10.20.0.0/16")
    tablet = client_at(lan, KIOSK_LAN)
    r = tablet.post("/rate/HQ/3", data={"csrf_token": csrf(tablet),
                                        "ticket": finished_at_window_3.id, "level": "4"})
    assert r.status_code == 200
    [rating] = ratings(app)
    assert rating.device_id is None
    assert events(app, "rating.given")[0].data["address"] == KIOSK_LAN


# -- the kiosk form -----------------------------------------------------------------------------

def test_a_kiosk_on_a_trusted_network_takes_numbers_and_each_is_recorded(app):
    lan = app_like(app, TRUSTED_DEVICE_NETWORKS="10.20.0.0/16")
    kiosk = client_at(lan, KIOSK_LAN)
    page = kiosk.get("/kiosk/HQ")
    assert page.status_code == 200
    r = kiosk.post("/kiosk/HQ/tickets", data={"csrf_token": csrf(kiosk, "/kiosk/HQ"),
                                              "service": "EXAM"})
    assert r.status_code == 201
    assert [t.device_id for t in tickets(app)] == [None]
    assert events(app, "ticket.issued")[0].data["address"] == KIOSK_LAN


def test_ticket_rows_record_the_device(app):
    device_id, token = register(app)
    client_at(app).post("/api/v1/tickets", json=EXAM, headers=bearer(token))
    app.test_client().post("/api/v1/tickets", json=EXAM)  # this machine: no device row
    assert count(app, Ticket, Ticket.device_id == device_id) == 1
    assert count(app, Ticket, Ticket.device_id.is_(None)) == 1


def test_the_openapi_document_states_the_device_contract(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    take = doc["paths"]["/api/v1/tickets"]["post"]
    assert doc["components"]["securitySchemes"]["device"]["name"] == "Authorization"
    assert take["security"] == [{"device": []}, {}]
    assert "device-required" in take["responses"]["401"]["description"]
    assert "idempotency-key-reused" in take["responses"]["422"]["description"]
    assert "429" in doc["paths"]["/api/v1/halls/{hall}/queue"]["get"]["responses"]


def test_a_device_issues_replays_and_is_refused_alike_on_both_databases(any_app):
    device_id, token = register(any_app, name="入口取号机 PG")
    kiosk = client_at(any_app)
    headers = {**bearer(token), "Idempotency-Key": "5b0e6f0e-1c1a-4f7e-9d1e-2f3c4b5a6d7e"}
    first = kiosk.post("/api/v1/tickets", json=EXAM, headers=headers)
    again = kiosk.post("/api/v1/tickets", json=EXAM, headers=headers)
    other = kiosk.post("/api/v1/tickets", json={"hall": "HQ", "service": "TITLE"},
                       headers=headers)
    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 422)
    assert again.get_json()["access_code"] == first.get_json()["access_code"]
    assert [t.device_id for t in tickets(any_app)] == [device_id]
    assert kiosk.post("/api/v1/tickets", json=EXAM).status_code == 401
