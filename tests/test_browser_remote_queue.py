"""Queueing from home on a phone (390×844), in Chromium: the visitor joins today's queue from
/queue/HQ, the live ticket says "not yet arrived" while the window calls those in the hall,
the door's QR code of the day opens "I am here", one tap, and the ticket is called in its
place; the open ticket page follows all of it live."""
from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from playwright.sync_api import expect

from browser import shot
from hall import clock, remote
from wire import Clerk

pytestmark = pytest.mark.hall_open

PHONE = {"width": 390, "height": 844}
SECRET = "test-secret-key-not-for-production"  # TestConfig's


def test_join_from_home_wait_away_arrive_at_the_door_and_be_called(live_server, browser_page):
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/queue/HQ")
    expect(page.locator("h1")).to_have_text("远程取号")
    page.locator("#service-EXAM").check()
    page.locator("#phone").fill("138 0013 8000")
    shot(page, "remote-queue-form-390x844")
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    assert "/t/" in page.url
    expect(page.locator(".ticket-number")).to_have_text("A001")
    away = page.locator("[data-away-note]")
    expect(away).to_be_visible()
    expect(away).to_contain_text("尚未到达")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing wider than the phone
    shot(page, "remote-ticket-away-390x844")

    # In the hall, a walk-in takes A002; the window calls A002: A001 is not there yet.
    walk_in = requests.post(f"{live_server}/api/v1/tickets",
                            json={"hall": "HQ", "service": "EXAM"}, timeout=10).json()
    clerk = Clerk(live_server, "clerk03", 3)
    clerk.do("open")
    assert clerk.do("call").json()["number"] == walk_in["number"] == "A002"
    expect(away).to_be_visible()

    # At the door: the phone scans today's code; one tap on this browser's ticket.
    today = clock.local_date(clock.now(), "Asia/Shanghai")
    door = page.context.new_page()
    door.set_viewport_size(PHONE)
    door.goto(f"{live_server}/queue/HQ/here/{remote.door_code(SECRET, 'HQ', today)}")
    button = door.locator("[data-arrive='A001']")
    expect(button).to_have_text("我已到达")
    shot(door, "remote-door-390x844")
    with door.expect_navigation():
        button.click()
    expect(door.locator("[data-away-note]")).to_be_hidden()
    # The ticket page left open follows the arrival live, then the call.
    expect(away).to_be_hidden()
    clerk.do("finish")
    assert clerk.do("call").json()["number"] == "A001"
    expect(page.locator("[data-status-line]")).to_have_text("请立即到 3 号窗口办理")


def test_yesterdays_door_code_is_refused_in_words(live_server, browser_page, page_log):
    page = browser_page
    page.set_viewport_size(PHONE)
    yesterday = clock.local_date(clock.now(), "Asia/Shanghai") - timedelta(days=1)
    code = remote.door_code(SECRET, "HQ", yesterday)
    response = page.goto(f"{live_server}/queue/HQ/here/{code}")
    assert response.status == 409
    expect(page.locator("[data-refusal]")).to_contain_text("不是今天的大厅门口二维码")
    expect(page.locator("[data-arrive]")).to_have_count(0)
    # The browser notes the refusal's status in its console: expected here, nothing else.
    assert [e for e in page_log.errors if "409" not in e] == []
    page_log.errors.clear()
