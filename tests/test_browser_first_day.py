"""What a hall notices on its first day, in a real browser (#10.9, #10.11, #10.12).

The citizen's phone (360×740) shows where the matter stands without scrolling; the clerk takes
back a no-show pressed by mistake with F9 and holds a visitor with a reason typed after F7;
the dashboard shows no red for 0."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser import shot
from hall import cases, deadlines
from test_browser_console import console, current, flash, issue, sign_in  # noqa: F401
from tracking_helpers import desk  # noqa: F401

PHONE = {"width": 360, "height": 740}


def test_the_phone_shows_where_an_overdue_case_stands_above_the_fold(live_server, desk,  # noqa: F811
                                                                      browser_page):
    ticket, case = desk.accept()
    desk.do(cases.take, case.id, actor=desk.civil)
    desk.clock.advance(days=10)
    desk.do(deadlines.tick)
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/track/{ticket.service_no}")
    headline = page.locator("[data-headline]")
    expect(headline).to_contain_text("已超期")
    expect(headline).to_contain_text("2026-11-30 17:00")
    expect(headline).to_contain_text("超期责任在承办单位")
    box = headline.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box  # no scrolling to find it
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The link goes to the case's card.
    page.locator(".headline-case a").click()
    expect(page.locator(f"#{page.locator('.headline-case a').get_attribute('href')[1:]}")) \
        .to_be_in_viewport()
    shot(page, "tracking-overdue-zh-360x740", full_page=False)


@pytest.mark.hall_open  # takes tickets
def test_f6_is_taken_back_with_f9_and_f7_asks_why(live_server, console):  # noqa: F811
    page = console
    first = issue(live_server)
    issue(live_server)
    page.keyboard.press("F1")
    expect(current(page)).to_have_text(first)
    page.keyboard.press("F6")  # pressed by mistake
    undo = page.locator('form[data-move="undo-no-show"]')
    expect(undo).to_be_visible()
    expect(undo).to_contain_text(first)
    shot(page, "console-no-show-undo-zh-1366x768", full_page=False)
    page.keyboard.press("F9")
    expect(current(page)).to_have_text(first)
    expect(page.locator("[data-current-status]")).to_have_attribute("data-current-status", "called")
    expect(undo).to_have_count(0)
    expect(flash(page)).to_contain_text("撤销过号")

    page.keyboard.press("F7")
    reason = page.locator('form[data-move="hold"] input[name="reason"]')
    expect(reason).to_be_focused()
    reason.press("Enter")  # no reason: the browser asks for one, nothing is sent
    expect(current(page)).to_have_text(first)
    reason.fill("复印材料")
    reason.press("Enter")
    held = page.locator(f'[data-held] [data-number="{first}"]')
    expect(held).to_contain_text("复印材料")
    expect(held.locator("[data-held-since]")).to_contain_text("已挂起 0 分钟")


def test_no_red_for_zero_on_the_dashboard(live_server, browser_page):
    page = browser_page
    sign_in(page, live_server, "manager")
    assert page.url == f"{live_server}/hall/HQ/dashboard"  # a manager lands here
    red = page.locator("a.figure-red .figure-value")
    expect(red).to_have_text("0")
    bad = page.evaluate("""() => {
        const probe = document.createElement("span");
        probe.style.color = "var(--bad)";
        document.body.appendChild(probe);
        return getComputedStyle(probe).color;
    }""")
    page.wait_for_timeout(1200)  # past the highlight of a live update
    colour = red.evaluate("el => getComputedStyle(el).color")
    assert colour != bad, (colour, bad)
    first_table = page.locator(".dashboard-grid h2").first
    expect(first_table).to_contain_text("红牌")
