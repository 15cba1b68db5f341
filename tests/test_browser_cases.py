"""A case from the window to its close in real browsers: clerk03 accepts the visitor at window 3
as a case; division01, watching the inbox, sees it arrive live and works it to the end; a
member of the public then opens the receipt's tracking link.

Every page fails the test on a JavaScript or console error and on any request that leaves
this machine (see ``browser.py``)."""
from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest
import zxingcpp
from playwright.sync_api import expect

from browser import LANDSCAPE, OFF_MACHINE, shot, watch
from test_browser_console import CLERK_SCREEN, CONSOLE, issue, sign_in

pytestmark = pytest.mark.hall_open  # tickets are taken and windows opened: in opening hours


@pytest.fixture
def second_page(chromium, page_log):
    """Another person's browser (own cookies), watched like ``browser_page``."""
    context = chromium.new_context(viewport=LANDSCAPE, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    context.route(OFF_MACHINE, lambda route: route.abort("blockedbyclient"))
    context.on("page", lambda page: watch(page, page_log))
    yield context.new_page()
    context.close()


def qr_of(pdf: bytes) -> str:
    [code] = zxingcpp.read_barcodes(pdfium.PdfDocument(pdf)[0].render(scale=4).to_pil().convert("L"))
    return code.text


def accept_at_window(page, live_server) -> str:
    """clerk03 opens window 3, calls the visitor, accepts the matter; returns the receipt's
    address from the list of today's cases."""
    page.set_viewport_size(CLERK_SCREEN)
    sign_in(page, live_server, "clerk03")
    page.goto(f"{live_server}{CONSOLE}")
    page.locator('form[data-move="open"] button').click()
    expect(page.locator("[data-window-state]")).to_have_attribute("data-window-state", "open")
    page.keyboard.press("F1")
    expect(page.locator("[data-current-number]")).to_have_text("A001")
    form = page.locator('form[data-move="accept"]')
    form.locator('input[name="applicant_name"]').fill("张三丰")
    form.locator('input[name="applicant_phone"]').fill("0451-8888 6666")
    form.locator('input[name="subject"]').fill("公务员考试资格复审")
    form.locator('button[type="submit"]').click()
    # The case number and its deadline; the visit is over and the receipt is one click away.
    expect(page.locator("[data-flashes] .flash-ok")).to_contain_text(re.compile(r"\d{4}-\d\d-\d\d 17:00"))
    expect(page.locator(".current-none")).to_be_visible()
    receipt = page.locator("[data-accepted-cases] [data-receipt]").first
    expect(receipt).to_be_visible()
    shot(page, "cases-accepted-at-window-zh-1366x768", full_page=False)
    return receipt.get_attribute("href")


def act(page, action: str, **fields) -> None:
    form = page.locator(f'form[data-action="{action}"]')
    for name, value in fields.items():
        form.locator(f'[name="{name}"]').fill(value)
    with page.expect_navigation():
        form.locator('button[type="submit"]').first.click()
    expect(page.locator("[data-flashes] .flash-ok")).to_be_visible()


def test_a_case_from_the_window_to_its_close(live_server, browser_page, second_page, chromium,
                                             page_log):
    division = second_page
    sign_in(division, live_server, "division01")
    assert division.url == f"{live_server}/hall/HQ/cases"
    expect(division.locator("[data-live]")).to_have_attribute("data-live", "on")
    expect(division.locator("[data-inbox] tr[data-case]")).to_have_count(0)

    issue(live_server)
    receipt_url = accept_at_window(browser_page, live_server)

    # The case arrives in the inbox without a reload.
    row = division.locator('[data-inbox] tr[data-case="1"]')
    expect(row).to_be_visible()
    shot(division, "cases-inbox-zh-1920x1080", full_page=False)
    row.locator("a.case-link").click()
    expect(division.locator("[data-state]")).to_have_attribute("data-state", "accepted")

    act(division, "take")
    expect(division.locator("[data-state]")).to_have_attribute("data-state", "in_progress")
    act(division, "request_documents", documents="学历证书原件及复印件\n单位同意报考证明")
    expect(division.locator("[data-missing] li")).to_have_count(2)
    act(division, "supply_documents")
    division.locator('form[data-action="decide"] input[value="approved"]').check()
    # Not without the confirmation ticked: the browser asks for it and sends nothing.
    division.locator('form[data-action="decide"] button[type="submit"]').click()
    expect(division.locator("[data-state]")).to_have_attribute("data-state", "in_progress")
    division.locator('form[data-action="decide"] input[name="confirm"]').check()
    act(division, "decide")
    expect(division.locator("[data-state]")).to_have_attribute("data-state", "decided")
    act(division, "mark_ready")
    act(division, "close")
    expect(division.locator("[data-state]")).to_have_attribute("data-state", "closed")
    expect(division.locator('[data-timeline] li[data-kind="case.closed"]')).to_be_visible()
    shot(division, "cases-case-closed-zh-1920x1080")

    # The receipt's QR code opens the tracking page with the access code.
    pdf = browser_page.request.get(f"{live_server}{receipt_url}")
    assert pdf.ok and pdf.headers["cache-control"] == "no-store"
    track = qr_of(pdf.body())
    service_no = re.search(r"/track/(\w+)\?c=", track).group(1)
    public = chromium.new_context(viewport=LANDSCAPE, locale="zh-CN")
    public.route(OFF_MACHINE, lambda route: route.abort("blockedbyclient"))
    try:
        citizen = public.new_page()
        watch(citizen, page_log)
        citizen.goto(track)
        text = re.sub(r"[\s-]", "", citizen.locator("main").inner_text())
        assert service_no in text
        assert "办结" in text  # the closed stage
        shot(citizen, "cases-tracking-closed-zh")
        # The citizen rates the closed case, once.
        rate = citizen.locator('form.rate:has(input[name="case"])')
        rate.locator('input[name="level"][value="5"]').check()
        rate.locator('textarea[name="comment"]').fill("材料一次说清，办得快")
        with citizen.expect_navigation():
            rate.locator('button[type="submit"]').click()
        expect(citizen.locator("main")).to_contain_text("感谢您对本次服务的评价")
        citizen.goto(track)
        expect(citizen.locator('form.rate:has(input[name="case"])')).to_have_count(0)
    finally:
        public.close()
