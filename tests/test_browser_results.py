"""Public notice in real browsers (issue 15): the provincial manager, at a desktop, puts a
title case under public notice from the case's page; a member of the public, on a phone,
finds it among the hall's notices and files an objection, which opens a complaint whose
codes they are given; the manager sees the objection on the case's page. Then the public
results page, on the phone.

Every page fails the test on a JavaScript or console error and on any request that leaves
this machine (see ``browser.py``). The hall's clock runs from Monday 2026-11-23 10:00."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser import OFF_MACHINE, shot, watch
from results_helpers import Office
from test_browser_console import sign_in

pytestmark = pytest.mark.hall_clock("2026-11-23T10:00:00+08:00")

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(chromium, page_log):
    """A member of the public's phone (own cookies), watched like ``browser_page``."""
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai",
                                   has_touch=True, is_mobile=True)
    context.set_default_timeout(10_000)
    context.route(OFF_MACHINE, lambda route: route.abort("blockedbyclient"))
    context.on("page", lambda page: watch(page, page_log))
    yield context.new_page()
    context.close()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]


def test_a_manager_puts_a_case_under_notice_and_the_public_objects_on_a_phone(
        app, live_server, browser_page, phone):
    office = Office(app)
    case_id = office.case("TITLE")
    decided = office.case("TITLE", 1)
    office.decide(decided)
    case_no = office.case_no(case_id)

    # the manager, at a desktop
    manager = browser_page
    manager.set_viewport_size(DESKTOP)
    sign_in(manager, live_server, "manager")
    manager.goto(f"{live_server}/hall/HQ/cases/{case_id}")
    form = manager.locator('form[data-action="notice"]')
    expect(form.locator('input[name="text"]')).to_have_value(
        "拟通过专业技术职务任职资格（职称）评审申报：欧**芒")
    form.locator('input[name="text"]').fill("拟通过职称评审：欧**芒，高级工程师")
    form.locator('input[name="days"]').fill("3")
    with manager.expect_navigation():
        form.locator('button[type="submit"]').click()
    expect(manager.locator("[data-flashes] .flash-ok")).to_contain_text("2026-11-26 17:00")
    expect(manager.locator("[data-notice-running]")).to_be_visible()
    expect(manager.locator('[data-state="special_procedure"]')).to_be_visible()
    shot(manager, "notice-put-up-by-the-manager-1366x768", full_page=False)

    # the public, on a phone
    phone.goto(f"{live_server}/results/HQ/notices")
    card = phone.locator("li.notice-card")
    expect(card).to_have_count(1)
    expect(card.locator(".notice-text")).to_have_text("拟通过职称评审：欧**芒，高级工程师")
    expect(card.locator("[data-ends]")).to_have_text("2026-11-26 17:00")
    assert fits_the_screen(phone)
    shot(phone, "notices-phone")
    with phone.expect_navigation():
        card.get_by_role("link", name=re.compile("对此结果提出异议")).click()
    phone.get_by_label("姓名", exact=True).fill("赵大勇")
    phone.get_by_label("手机号码").fill("137 1234 5678")
    phone.get_by_label(re.compile("异议内容")).fill("据我所知，申请人的任职年限不足五年。")
    phone.get_by_label(re.compile("本人所反映情况属实")).check()
    assert fits_the_screen(phone)
    shot(phone, "objection-form-phone")
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交异议").click()
    expect(phone.locator(".done")).to_contain_text("已收到")
    number = phone.locator("[data-complaint-no]").inner_text()
    code = phone.locator("[data-access-code]").inner_text()
    assert re.fullmatch(r"[\d-]{15,18}X?", number) and len(code) >= 6
    assert fits_the_screen(phone)
    shot(phone, "objection-received-phone")
    # the complaint is followed like any other, with its codes
    phone.goto(f"{live_server}/track/{number.replace('-', '')}?c={code}")
    expect(phone.locator("main")).to_contain_text("任职年限不足五年")

    # the manager sees the objection on the case's page
    manager.reload()
    expect(manager.locator("[data-objections]")).to_have_text("1")
    expect(manager.locator("[data-objection]")).to_contain_text("赵大勇")

    # results in the open, on the phone: the decided case, the applicant masked
    phone.goto(f"{live_server}/results/HQ")
    row = phone.locator(f'[data-case-no="{office.case_no(decided)}"]')
    expect(row.locator("[data-applicant]")).to_have_text("张*丰")
    expect(phone.locator('[data-item="TITLE"] [data-decided]')).to_have_text("办结 1 件")
    assert "张三丰" not in phone.content() and case_no not in phone.locator(".results").inner_text()
    assert fits_the_screen(phone)
    shot(phone, "results-phone")
