"""The hall floor end to end, in one real browser (headless Chromium against the live server):
a visitor takes a ticket at the kiosk, the clerk's console calls it, the wall display shows
it and announces it. Three pages side by side, as in the hall; screenshots of each.

Every page also fails the test on a JavaScript or console error and on any request that
leaves this machine (see ``browser.py``)."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from browser import shot

pytestmark = pytest.mark.hall_open  # tickets are taken and windows opened: in opening hours

CLERK_SCREEN = {"width": 1366, "height": 768}
ANNOUNCEMENT = "请 A001 号 到 3 号窗口办理"


def test_kiosk_ticket_is_called_at_the_console_and_shown_on_the_display(live_server, browser_page):
    kiosk = browser_page
    context = kiosk.context

    # The wall display, joined to the hall, its sound turned on by whoever set up the TV.
    display = context.new_page()
    display.goto(f"{live_server}/display/HQ")
    display.wait_for_function("() => window.hallDisplay && window.hallDisplay.seq !== null")
    display.locator("[data-sound-button]").click()
    expect(display.locator("[data-sound-button]")).to_be_hidden()
    assert display.evaluate("hallDisplay.sound") is True

    # The clerk at window 3, signed in, window opened.
    clerk = context.new_page()
    clerk.set_viewport_size(CLERK_SCREEN)
    clerk.goto(f"{live_server}/login")
    clerk.locator('input[name="username"]').fill("clerk03")
    clerk.locator('input[name="password"]').fill("demo")
    with clerk.expect_navigation():
        clerk.locator('button[type="submit"]').click()
    clerk.goto(f"{live_server}/hall/HQ/windows/3")
    clerk.locator('form[data-move="open"] button').click()
    expect(clerk.locator("[data-window-state]")).to_have_attribute("data-window-state", "open")
    expect(clerk.locator("[data-live]")).to_have_attribute("data-live", "on")
    expect(clerk.locator('[data-waiting-for="EXAM"]')).to_have_text("0")
    clerk.evaluate("window.__noReload = 1")

    # A visitor taps the EXAM button at the kiosk and gets A001.
    kiosk.bring_to_front()
    kiosk.goto(f"{live_server}/kiosk/HQ")
    with kiosk.expect_navigation(url=re.compile(r"/kiosk/HQ/tickets")):
        kiosk.locator('button[value="EXAM"]').tap()
    expect(kiosk.locator("[data-ticket-number]")).to_have_text("A001")
    shot(kiosk, "floor-1-kiosk-ticket-1920x1080")

    # The clerk's console and the display both see one visitor waiting, without a reload.
    expect(clerk.locator('[data-waiting-for="EXAM"]')).to_have_text("1")
    expect(display.locator('[data-waiting-for="EXAM"]')).to_have_text("1")

    # F1 at the console calls A001 …
    clerk.bring_to_front()
    clerk.keyboard.press("F1")
    started = time.monotonic()
    expect(clerk.locator("[data-current-number]")).to_have_text("A001")
    expect(clerk.locator('[data-waiting-for="EXAM"]')).to_have_text("0")
    shot(clerk, "floor-2-console-calls-A001-1366x768", full_page=False)

    # … and the display shows it at once, with the window, and says it in Chinese.
    expect(display.locator("[data-current-number]")).to_have_text("A001", timeout=2000)
    assert time.monotonic() - started < 2.0
    expect(display.locator("[data-current-window]")).to_contain_text("3")
    expect(display.locator('[data-waiting-for="EXAM"]')).to_have_text("0")
    model = display.evaluate("hallDisplay.model")
    assert (model["calls"][0]["number"], model["calls"][0]["window"]) == ("A001", 3)
    assert next(w for w in model["windows"] if w["no"] == 3) == {
        "no": 3, "state": "open", "serving": "A001"}
    display.wait_for_function(f"() => hallDisplay.announced.includes({ANNOUNCEMENT!r})")
    assert display.evaluate("hallDisplay.announced") == [ANNOUNCEMENT]
    display.bring_to_front()
    display.wait_for_function("() => document.getAnimations().length === 0", timeout=6000)
    shot(display, "floor-3-display-shows-A001-1920x1080")

    # The console followed all of it live: it was never reloaded.
    assert clerk.evaluate("window.__noReload") == 1
