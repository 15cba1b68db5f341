"""The manager's dashboard in headless Chromium: a ticket taken at the kiosk and a case turning
red appear without a reload; the red count leads to those cases."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from browser import shot
from conftest import actor
from hall import calendar, cases, deadlines, queue
from hall.web.extensions import db
from test_browser_console import issue, sign_in

pytestmark = pytest.mark.hall_open  # tickets are taken and windows opened: in opening hours


def test_the_dashboard_follows_the_hall_live(app, live_server, browser_page):
    page = browser_page
    sign_in(page, live_server, "manager")
    page.goto(f"{live_server}/hall/HQ/dashboard")
    expect(page.locator("[data-live]")).to_have_attribute("data-live", "on")
    expect(page.locator('[data-figure="issued"]')).to_have_text("0")
    page.evaluate("window.__noReload = 1")

    # A visitor takes a number at the kiosk.
    issue(live_server)
    expect(page.locator('[data-figure="issued"]')).to_have_text("1")
    expect(page.locator('[data-figure="waiting"]')).to_have_text("1")
    expect(page.locator('[data-rows="services"] tr[data-service="EXAM"] [data-waiting]')).to_have_text("1")
    # The hour's bar has grown from nothing.
    bars = page.locator('[data-chart="arrivals"] rect.chart-bar')
    assert max(float(bars.nth(i).get_attribute("height")) for i in range(24)) > 0

    # Window 3 calls and accepts the matter as a case, which later goes overdue.
    clerk = actor(app, "clerk03")
    with app.app_context():
        calendar.import_official(db.session)
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        queue.call_next(db.session, "HQ", 3, actor=clerk)
    expect(page.locator('[data-rows="windows"] [data-window="3"]')).to_have_attribute("data-state", "open")
    expect(page.locator('[data-rows="windows"] [data-window="3"] .ws-serving')).to_have_text("A001")
    with app.app_context():
        cases.accept(db.session, "HQ", 3, actor=clerk, applicant_name="张三丰", subject="资格复审")
        deadlines.tick(db.session, now=datetime(2027, 6, 1, tzinfo=UTC))
    expect(page.locator('[data-figure="red"]')).to_have_text("1")
    red = page.locator('[data-rows="divisions"] tr[data-division="CIVIL"] a[data-red]')
    expect(red).to_have_text("1")
    assert page.evaluate("window.__noReload") == 1  # updated in place, never reloaded
    shot(page, "dashboard-hq-live-zh-1920x1080")

    # The red count drills down to the overdue cases of the division.
    red.click()
    page.wait_for_url("**/hall/HQ/cases?warning=red&division=CIVIL")
    expect(page.locator("[data-inbox] tr[data-case]")).to_have_count(1)


def test_the_province_side_by_side(live_server, browser_page):
    page = browser_page
    sign_in(page, live_server, "manager")
    page.goto(f"{live_server}/dashboard")
    expect(page.locator("[data-snapshot]")).to_have_count(2)
    expect(page.locator("[data-live]")).to_have_attribute("data-live", "on")
    issue(live_server)
    expect(page.locator('[data-snapshot="HQ"] [data-figure="issued"]')).to_have_text("1")
    expect(page.locator('[data-snapshot="HRB"] [data-figure="issued"]')).to_have_text("0")
    shot(page, "dashboard-province-zh-1920x1080")


def test_the_channels_panel_follows_what_comes_online(app, live_server, browser_page):
    """A question sent online and a case accepted at a window redraw the panel of the windows
    and the online channels in place (hall.channel_figures)."""
    from hall import enquiries

    page = browser_page
    sign_in(page, live_server, "manager")
    page.goto(f"{live_server}/hall/HQ/dashboard")
    expect(page.locator("[data-live]")).to_have_attribute("data-live", "on")
    question = page.locator('[data-channel-row="consultation"] [data-channel-figure="received"]')
    expect(question).to_have_text("0")
    page.evaluate("window.__noReload = 1")
    with app.app_context():
        calendar.import_official(db.session)
        enquiries.submit(db.session, "HQ", kind="consultation", topic="TITLE",
                         subject="职称评审材料能否补交", body="能否补交继续教育证明？",
                         name="欧阳锋芒", phone="13912345678")
    expect(question).to_have_text("1")
    expect(page.locator('[data-channel-row="consultation"] [data-channel-figure="concluded_on_time"]')).to_have_text("—")

    issue(live_server)
    clerk = actor(app, "clerk03")
    with app.app_context():
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        queue.call_next(db.session, "HQ", 3, actor=clerk)
        cases.accept(db.session, "HQ", 3, actor=clerk, applicant_name="张三丰", subject="资格复审")
    hall_row = page.locator('[data-channel-row="hall"]')
    expect(hall_row.locator('[data-channel-figure="received"]')).to_have_text("1")
    expect(hall_row.locator('[data-channel-figure="tickets"]')).to_have_text("1")
    assert page.evaluate("window.__noReload") == 1
