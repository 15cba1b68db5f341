"""The live ticket on a phone, in Chromium at a phone's size: the visitor scans the ticket's
QR, watches the people ahead go down, is alerted when nearly there, and sees the window when
called, without touching the page."""
from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from browser import shot
from wire import Clerk

pytestmark = pytest.mark.hall_open

PHONE = {"width": 390, "height": 844}
# What the page did to get the visitor's attention, recorded instead of buzzing.
RECORD_ALERTS = """
window.__alerts = [];
navigator.vibrate = function (pattern) { window.__alerts.push(['vibrate', pattern]); return true; };
"""


def take(base: str) -> dict:
    return requests.post(f"{base}/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"},
                         timeout=10).json()


def test_the_phone_follows_the_queue_and_shows_the_window_when_called(live_server, browser_page,
                                                                     app):
    app.config["NOTIFY_AHEAD"] = 1
    tickets = [take(live_server) for _ in range(4)]
    mine = tickets[-1]
    page = browser_page
    page.set_viewport_size(PHONE)
    page.add_init_script(RECORD_ALERTS)
    page.goto(mine["ticket_url"].replace("http://localhost", live_server))
    expect(page.locator("[data-live-note]")).to_have_text("实时更新中：本页会自动刷新")
    expect(page.locator("[data-status-line]")).to_have_text("排队中：前面还有 3 人")
    shot(page, "live-ticket-waiting-390x844")

    clerk = Clerk(live_server, "clerk03", 3)
    clerk.do("open")
    expect(page.locator("[data-wait-line]")).to_contain_text("分钟")
    clerk.do("call")
    expect(page.locator("[data-status-line]")).to_have_text("排队中：前面还有 2 人")
    assert page.evaluate("window.__alerts") == []
    clerk.do("finish")
    clerk.do("call")
    expect(page.locator("[data-status-line]")).to_have_text("排队中：前面还有 1 人")
    page.wait_for_function("window.__alerts.length === 1")  # nearly: NOTIFY_AHEAD = 1
    clerk.do("finish")
    clerk.do("call")
    expect(page.locator("[data-status-line]")).to_have_text("下一位就是您")
    clerk.do("finish")
    clerk.do("call")
    expect(page.locator("[data-status-line]")).to_have_text("请立即到 3 号窗口办理")
    expect(page.locator("[data-window-no]")).to_have_text("3")
    expect(page.locator("[data-wait-line]")).to_be_hidden()
    page.wait_for_function("window.__alerts.length === 2")  # and the call, more strongly
    assert len(page.evaluate("window.__alerts[1][1]")) > len(page.evaluate("window.__alerts[0][1]"))
    size = page.locator("[data-window]").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 40  # the largest thing on the screen
    shot(page, "live-ticket-called-390x844")


def test_a_phone_that_slept_shows_the_truth_when_it_wakes(live_server, browser_page):
    first, mine = take(live_server), take(live_server)
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(mine["ticket_url"].replace("http://localhost", live_server))
    expect(page.locator("[data-status-line]")).to_have_text("排队中：前面还有 1 人")
    expect(page.locator("[data-live-note]")).to_have_text("实时更新中：本页会自动刷新")
    # The phone sleeps: its socket is gone, and meanwhile the visitor ahead is called.
    page.evaluate("hallTicket.socket.disconnect()")
    expect(page.locator("[data-live-note]")).to_have_text("连接已断开，正在重新连接…")
    clerk = Clerk(live_server, "clerk03", 3)
    clerk.do("open")
    assert clerk.do("call").json()["number"] == first["number"]
    page.wait_for_timeout(500)
    expect(page.locator("[data-status-line]")).to_have_text("排队中：前面还有 1 人")  # asleep
    # It wakes: the page is shown again, follows again and shows where things stand.
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.locator("[data-status-line]")).to_have_text("下一位就是您")
    expect(page.locator("[data-live-note]")).to_have_text("实时更新中：本页会自动刷新")


def test_without_javascript_the_page_still_says_where_the_visit_stands(live_server, chromium):
    mine = take(live_server)
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(mine["ticket_url"].replace("http://localhost", live_server))
        expect(page.locator("[data-status-line]")).to_have_text("下一位就是您")
        Clerk(live_server, "clerk03", 3).do("open")
        Clerk(live_server, "clerk03", 3).do("call")
        page.get_by_role("button", name="刷新").click()
        expect(page.locator("[data-status-line]")).to_have_text("请立即到 3 号窗口办理")
    finally:
        context.close()
