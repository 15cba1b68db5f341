"""A browser becomes a device by opening its one-time enrolment link, in headless Chromium
against a live server on which no network is trusted: before, the kiosk and the display say
they are not devices of the hall; after, the cookie alone makes them one."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser import shot
from device_helpers import _stop_apps_like, app_like, register, serving, tickets  # noqa: F401  (_stop_apps_like: a fixture)
from hall import devices
from hall.web.extensions import db

# These tests take tickets: their clock starts when the demo halls take them (conftest).
pytestmark = pytest.mark.hall_open


@pytest.fixture
def untrusted(app):
    strict = app_like(app, TRUSTED_DEVICE_NETWORKS="")
    with serving(strict) as base:
        yield strict, base


def enrolment_link(app, base: str, device_id: int) -> str:
    with app.app_context():
        _, code = devices.open_enrolment(db.session, device_id, hours=24,
                                         actor=devices.OPERATOR)
    return f"{base}/devices/enrol/{code}"


def forget_refusals(page_log) -> None:
    """The 401/404 pages this test opens on purpose log a failed load; nothing else may."""
    page_log.errors[:] = [e for e in page_log.errors
                          if "status of 401" not in e and "status of 404" not in e]


def test_a_kiosk_browser_is_enrolled_once_and_then_issues_as_that_kiosk(untrusted, browser_page,
                                                                        page_log):
    app, base = untrusted
    device_id, _ = register(app, name="入口取号机 7")
    page = browser_page
    page.goto(f"{base}/kiosk/HQ")
    expect(page.locator(".kiosk-refused")).to_contain_text("管理员")
    link = enrolment_link(app, base, device_id)
    page.goto(link)
    expect(page.locator("[data-enrolment]")).to_contain_text("入口取号机 7")
    page.locator("[data-enrol]").click()
    expect(page.locator('[data-enrolment="done"]')).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "hall_device")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.locator("[data-start]").click()
    page.locator('button[value="EXAM"]').tap()
    expect(page.locator(".ticket-number, [data-ticket-number]").first).to_be_visible()
    shot(page, "device-enrolled-kiosk-ticket")
    assert [t.device_id for t in tickets(app)] == [device_id]
    page.goto(link)  # used up
    expect(page.locator("body")).to_contain_text("登记链接")
    forget_refusals(page_log)


def test_an_enrolled_display_browser_follows_the_hall_over_its_socket(untrusted, browser_page,
                                                                      page_log):
    app, base = untrusted
    device_id, _ = register(app, kind="display", name="大厅显示屏 5")
    page = browser_page
    page.goto(enrolment_link(app, base, device_id))
    page.locator("[data-enrol]").click()
    page.locator("[data-start]").click()
    page.wait_for_function("() => window.hallDisplay && window.hallDisplay.seq !== null")
    expect(page.locator("[data-connection]")).to_have_attribute("data-connection", "connected")
    # revoked: the board's next connection (after a network cut) is refused, and it says why
    with app.app_context():
        devices.revoke(db.session, device_id, actor=devices.OPERATOR)
    page.context.set_offline(True)
    page.wait_for_timeout(300)
    page.context.set_offline(False)
    expect(page.locator("[data-connection]")).to_have_attribute("data-connection", "problem")
    expect(page.locator("[data-connection-text]")).to_contain_text("管理员")
    shot(page, "device-revoked-display")
    page.reload()  # and the page itself now says so in words
    expect(page.locator("body")).to_contain_text("管理员")
    forget_refusals(page_log)
