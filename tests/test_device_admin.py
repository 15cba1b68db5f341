"""Registering and running devices: /admin/devices, the one-time enrolment link and the
device cookie it leaves, and ``flask device …``; every move audited."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from conftest import MONDAY_0930
from device_helpers import OUTSIDE, bearer, client_at, count, device_row, events, register
from hall import clock, devices
from hall.demo import seed_demo
from hall.models import Device
from hall.web.extensions import db
from test_auth import csrf_token, sign_in

EXAM = {"hall": "HQ", "service": "EXAM"}


# These tests take tickets: their clock starts when the demo halls take them (conftest).
pytestmark = pytest.mark.hall_open


@pytest.fixture
def admin_client(client):
    sign_in(client, "admin")
    return client


def post(client, path: str, data: dict | None = None, form_page: str = "/admin/devices"):
    return client.post(path, data={"csrf_token": csrf_token(client, form_page), **(data or {})})


def new_device(admin_client, **fields) -> tuple[int, str, str]:
    """(id, token, page) of a device registered on the page."""
    data = {"hall": "HQ", "kind": "kiosk", "name": "入口取号机 2", "hours": "", "window": "",
            **fields}
    r = post(admin_client, "/admin/devices", data)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.headers["Cache-Control"] == "no-store"
    html = r.get_data(as_text=True)
    token = re.search(r"Authorization: Device ([\w-]+)</code>", html).group(1)
    device_id = int(re.search(r"/admin/devices/(\d+)/lock", html).group(1))
    return device_id, token, html


def enrolment_link(admin_client, device_id: int) -> str:
    r = post(admin_client, f"/admin/devices/{device_id}/enrolment")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    html = r.get_data(as_text=True)
    assert "<svg" in html  # the QR code to scan with the device
    return re.search(r'data-enrolment-link>(http[^<]+)</a>', html).group(1)


def enrol(browser, link: str):
    path = link.split("localhost", 1)[1]
    page = browser.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return browser.post(path, data={"csrf_token": token})


# -- the pages ----------------------------------------------------------------------------------

def test_an_administrator_registers_a_kiosk_and_reads_its_token_once(admin_client, app):
    device_id, token, _ = new_device(admin_client)
    listed = admin_client.get("/admin/devices").get_data(as_text=True)
    assert f'data-device="{device_id}"' in listed and "入口取号机 2" in listed
    page = admin_client.get(f"/admin/devices/{device_id}").get_data(as_text=True)
    assert token not in page and token not in listed
    r = client_at(app).post("/api/v1/tickets", json=EXAM, headers=bearer(token))
    assert r.status_code == 201
    [registered] = events(app, "device.registered")
    assert registered.actor == "admin" and registered.data["name"] == "入口取号机 2"
    assert token not in str(registered.data)


def test_a_wrong_entry_says_what_to_correct_and_writes_nothing(admin_client, app):
    for fields in ({"kind": "toaster"}, {"name": " "}, {"hours": "8-18"},
                   {"kind": "kiosk", "window": "3"}, {"kind": "rating", "window": "99"}):
        data = {"hall": "HQ", "kind": "kiosk", "name": "x", "hours": "", "window": "", **fields}
        r = post(admin_client, "/admin/devices", data)
        assert r.status_code == 422 and "data-problem" in r.get_data(as_text=True), fields
    assert events(app, "device.registered") == []


def test_only_administrators_run_devices(client, app):
    sign_in(client, "manager")
    assert client.get("/admin/devices").status_code == 403
    device_id, _ = register(app)
    assert client.get(f"/admin/devices/{device_id}").status_code == 403


def test_lock_hours_and_revoke_from_the_page(admin_client, app):
    device_id, token, _ = new_device(admin_client)
    outside = client_at(app)
    page = f"/admin/devices/{device_id}"
    assert post(admin_client, f"{page}/lock", form_page=page).status_code == 302
    assert outside.post("/api/v1/tickets", json=EXAM, headers=bearer(token)).status_code == 403
    assert post(admin_client, f"{page}/unlock", form_page=page).status_code == 302
    r = post(admin_client, f"{page}/hours", {"hours": "25:00-26:00"}, form_page=page)
    assert r.status_code == 422
    assert post(admin_client, f"{page}/hours", {"hours": "07:30-19:00"},
                form_page=page).status_code == 302
    assert devices.hours_text(device_row(app, device_id)) == "07:30-19:00"
    assert post(admin_client, f"{page}/revoke", form_page=page).status_code == 302
    assert outside.post("/api/v1/tickets", json=EXAM, headers=bearer(token)).status_code == 401
    kinds = [e.kind for e in events(app, "device.locked") + events(app, "device.unlocked")
             + events(app, "device.hours_set") + events(app, "device.revoked")]
    assert kinds == ["device.locked", "device.unlocked", "device.hours_set", "device.revoked"]
    assert "Revoke" not in admin_client.get(page).get_data(as_text=True)  # nothing left to do


# -- enrolling a browser ---------------------------------------------------------------------

def test_an_enrolment_link_works_once_and_its_cookie_makes_the_browser_a_kiosk(admin_client, app):
    device_id, _, _ = new_device(admin_client)
    link = enrolment_link(admin_client, device_id)
    browser = client_at(app)
    assert browser.get("/kiosk/HQ").status_code == 401
    r = enrol(browser, link)
    assert r.status_code == 200 and 'data-enrolment="done"' in r.get_data(as_text=True)
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("hall_device=") and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie and "Max-Age=34560000" in cookie
    assert browser.get("/kiosk/HQ").status_code == 200
    taken = browser.post("/kiosk/HQ/tickets", data={"csrf_token": csrf_token(browser, "/kiosk/HQ"),
                                                    "service": "EXAM"})
    assert taken.status_code == 201
    assert count(app) == 1 and device_row(app, device_id).cookie_hash is not None
    # the link is used up: a second browser gets nowhere
    second = client_at(app, "198.51.100.5")
    path = link.split("localhost", 1)[1]
    assert second.get(path).status_code == 404
    assert second.post(path, data={"csrf_token": csrf_token(second, "/track")}).status_code == 404
    [enrolled] = events(app, "device.enrolled")
    assert enrolled.data["address"] == OUTSIDE and enrolled.data["replaced_browser"] is False


def test_enrolling_another_browser_or_revoking_shuts_the_old_one_out(admin_client, app):
    device_id, _, _ = new_device(admin_client, kind="display", name="大厅显示屏 3")
    first, second = client_at(app), client_at(app, "198.51.100.5")
    enrol(first, enrolment_link(admin_client, device_id))
    assert first.get("/display/HQ").status_code == 200
    enrol(second, enrolment_link(admin_client, device_id))
    assert second.get("/display/HQ").status_code == 200
    refused = first.get("/display/HQ")
    assert refused.status_code == 401
    assert "hall_device=;" in refused.headers["Set-Cookie"]  # the dead cookie is dropped
    page = f"/admin/devices/{device_id}"
    post(admin_client, f"{page}/revoke", form_page=page)
    assert second.get("/display/HQ").status_code == 401


def test_an_enrolment_link_expires(admin_client, app):
    device_id, _, _ = new_device(admin_client)
    with clock.frozen(MONDAY_0930) as now:
        link = enrolment_link(admin_client, device_id)
        now.advance(hours=24, seconds=1)
        browser = client_at(app)
        assert browser.get(link.split("localhost", 1)[1]).status_code == 404
    assert device_row(app, device_id).cookie_hash is None
    assert timedelta(hours=24) == timedelta(hours=app.config["DEVICE_ENROL_HOURS"])


# -- flask device … ---------------------------------------------------------------------------

@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_the_operator_registers_and_runs_devices_from_the_shell(runner, app):
    result = runner.invoke(args=["device", "add", "--hall", "HQ", "--kind", "kiosk",
                                 "--name", "入口取号机 5", "--hours", "08:00-18:00"])
    assert result.exit_code == 0, result.output
    token = result.output.splitlines()[2]
    device_id = int(result.output.split("flask device enrol-link ")[1])
    with clock.frozen(MONDAY_0930):  # inside its hours
        assert client_at(app).post("/api/v1/tickets", json=EXAM,
                                   headers=bearer(token)).status_code == 201
    listed = runner.invoke(args=["device", "list", "--hall", "HQ"]).output
    assert "入口取号机 5" in listed and "08:00-18:00" in listed and token not in listed
    link = runner.invoke(args=["device", "enrol-link", str(device_id)])
    assert re.search(r"^http://\S+/devices/enrol/[\w-]{20,}$", link.output.splitlines()[0])
    for command in ("lock", "unlock", "revoke"):
        result = runner.invoke(args=["device", command, str(device_id)])
        assert result.exit_code == 0, result.output
    assert runner.invoke(args=["device", "lock", str(device_id)]).exit_code == 1  # revoked
    actors = {e.actor for e in events(app, "device.registered") + events(app, "device.revoked")}
    assert actors == {"operator"}


def test_the_shell_acts_as_a_named_administrator_only(runner, app):
    result = runner.invoke(args=["device", "add", "--hall", "HQ", "--kind", "display",
                                 "--name", "二楼显示屏", "--by", "clerk03"])
    assert result.exit_code != 0 and "not an active administrator" in result.output
    result = runner.invoke(args=["device", "add", "--hall", "HQ", "--kind", "display",
                                 "--name", "二楼显示屏", "--by", "admin"])
    assert result.exit_code == 0
    assert [e.actor for e in events(app, "device.registered")] == ["admin"]
    result = runner.invoke(args=["device", "add", "--hall", "NOPE", "--kind", "kiosk",
                                 "--name", "x"])
    assert result.exit_code == 1 and "Refused" in result.output


def test_the_dashboard_lists_the_halls_devices_and_their_alerts(client, app):
    sign_in(client, "manager")
    html = client.get("/hall/HQ/dashboard").get_data(as_text=True)
    panel = html[html.index('data-panel="devices"'):]
    assert "入口取号机 1" in panel and "大厅显示屏 1" in panel and "3号窗口评价器" in panel
    assert "device_panel.js" in html


def test_the_demo_devices_carry_no_secret(app):
    with app.app_context():
        demo = [(d.hall.code, d.kind, d.token_hash, d.cookie_hash)
                for d in db.session.scalars(sa.select(Device))]
    assert {(hall, kind) for hall, kind, *_ in demo} == {
        ("HQ", "kiosk"), ("HQ", "display"), ("HQ", "rating"), ("HRB", "kiosk"),
        ("HRB", "display")}
    assert {secrets for *_, token, cookie in demo for secrets in (token, cookie)} == {None}
    with app.app_context():  # run again: nothing new, and nothing to print but counts
        assert str(seed_demo(db.session, password="demo")).endswith(", 0 devices")
