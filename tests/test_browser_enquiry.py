"""Asking online in real browsers (issue 15): on a phone (390×844, Chromium) a citizen asks the
Professional and Technical Personnel Division a question, with a photo attached, and notes the
service number and access code; division02, at a desk, finds it in the division's inbox,
opens the photo and answers; on the phone the citizen reads the answer on the tracking page
and writes back, which the division sees.

Every page fails the test on a JavaScript or console error and on any request that leaves
this machine (see ``browser.py``). The hall's clock starts on Monday 2026-11-23 at 10:00."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser import LANDSCAPE, OFF_MACHINE, shot, watch
from file_helpers import png
from test_browser_booking import PHONE_SCREEN, fits_the_screen, go
from test_browser_console import sign_in

pytestmark = pytest.mark.hall_clock("2026-11-23T10:00:00+08:00")


@pytest.fixture
def desk_page(chromium, page_log):
    """division02's browser at a desk (own cookies), watched like ``browser_page``."""
    context = chromium.new_context(viewport=LANDSCAPE, locale="zh-CN",
                                   timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    context.route(OFF_MACHINE, lambda route: route.abort("blockedbyclient"))
    context.on("page", lambda page: watch(page, page_log))
    yield context.new_page()
    context.close()


def test_ask_on_a_phone_answered_by_the_division_and_written_back(browser_page, desk_page,
                                                                 live_server, tmp_path):
    phone = browser_page
    phone.set_viewport_size(PHONE_SCREEN)
    # -- the citizen asks ---------------------------------------------------------------------
    phone.goto(f"{live_server}/track")
    go(phone, phone.get_by_role("link", name="在线咨询投诉"))
    go(phone, phone.get_by_role("link", name="黑龙江省人事人才公共服务大厅"))
    assert fits_the_screen(phone)
    expect(phone.locator("a.kind[aria-current=page]")).to_have_text("咨询")
    phone.get_by_label("事项类别").select_option(label="职称评审")
    phone.get_by_label("标题").fill("职称评审材料能否补交")
    phone.get_by_label("您的问题").fill("我的中级职称评审材料漏交了继续教育证明，能否补交？")
    photo = tmp_path / "证明.png"
    photo.write_bytes(png(40, 30))
    phone.locator('input[name="attachments"]').set_input_files(str(photo))
    phone.get_by_label("姓名").fill("欧阳芒")
    phone.get_by_label("手机号码").fill("13800138000")
    shot(phone, "ask-form-phone")
    go(phone, phone.get_by_role("button", name="提交咨询"))
    expect(phone.locator(".done")).to_have_text("您的咨询已提交。")
    number = phone.locator("[data-service-no]").inner_text()
    code = phone.locator("[data-access-code]").inner_text()
    assert re.fullmatch(r"\d{6}-\d{3}-\d{5}-[\dX]", number) and len(code) == 8
    assert "3个工作日内答复，即11月26日（星期四）17:00前" in phone.locator("[data-limit]").inner_text()
    assert fits_the_screen(phone)
    shot(phone, "ask-sent-phone")

    # -- the division answers, at a desk ---------------------------------------------------------
    desk = desk_page
    sign_in(desk, live_server, "division02")
    desk.goto(f"{live_server}/hall/HQ/cases")
    go(desk, desk.locator("[data-tab=enquiries]"))
    row = desk.locator("tr[data-enquiry]", has_text="职称评审材料能否补交")
    expect(row).to_have_count(1)
    expect(row.locator(".due")).to_contain_text("2026-11-26 17:00")
    go(desk, row.locator("a.case-link"))
    expect(desk.locator("[data-body]")).to_contain_text("继续教育证明")
    with desk.expect_popup() as opened:
        desk.get_by_role("link", name="证明.png").click()
    attachment = opened.value
    attachment.wait_for_load_state()
    assert attachment.evaluate("document.images.length") == 1
    attachment.close()
    desk.locator('form[data-action="reply"] textarea[name="body"]').fill(
        "可以补交。请于12月10日前将继续教育证明交到3号窗口。")
    go(desk, desk.locator('form[data-action="reply"] button[type="submit"]'))
    expect(desk.locator("[data-state]")).to_have_text("已答复")
    shot(desk, "enquiry-answered-desk", full_page=False)

    # -- the citizen reads the answer and writes back on the phone ------------------------------
    phone.goto(f"{live_server}/track")
    phone.get_by_label("服务编号").fill(number)
    phone.get_by_label("查询码（选填，见排队凭条）").fill(code)
    go(phone, phone.get_by_role("button", name="查询"))
    expect(phone.locator("[data-headline]")).to_contain_text("已答复")
    expect(phone.locator("[data-thread]")).to_contain_text("请于12月10日前将继续教育证明交到3号窗口")
    assert fits_the_screen(phone)
    phone.get_by_label("给办理部门留言").fill("好的，谢谢。12月8日交。")
    go(phone, phone.get_by_role("button", name="发送"))
    expect(phone.locator("[data-written]")).to_have_text("您的留言已发送给办理部门。")
    expect(phone.locator("[data-thread] li").last).to_contain_text("好的，谢谢。12月8日交。")
    assert fits_the_screen(phone)
    shot(phone, "enquiry-thread-phone")

    # -- the division sees that the citizen wrote -------------------------------------------------
    desk.goto(f"{live_server}/hall/HQ/enquiries")
    expect(desk.locator("tr[data-enquiry] [data-citizen-wrote]")).to_have_count(1)
