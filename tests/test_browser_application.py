"""Applying online in real browsers (issue 15): on a phone (390×844, Chromium) a citizen applies
for an archive certificate (人事档案证明出具) with two files and notes the service number and
access code; division04, at a desk, opens the application in the pre-review inbox and asks for
one document; on the phone the citizen re-uploads it on the tracking page; the division
accepts it and it becomes a case, which the division takes up; the manager puts its proposed
result under public notice; on the phone someone objects, which opens a complaint; the
division answers it and the objector reads the answer; the manager ends the notice, the
division decides the case, and the applicant reads it on the tracking page.

Every page fails the test on a JavaScript or console error and on any request that leaves
this machine (see ``browser.py``). The hall's clock starts on Monday 2026-11-23 at 10:00."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from file_helpers import jpeg, pdf
from test_browser_booking import PHONE_SCREEN, fits_the_screen, go
from test_browser_console import sign_in
from test_browser_enquiry import desk_page  # noqa: F401  (a second browser, at a desk)

pytestmark = pytest.mark.hall_clock("2026-11-23T10:00:00+08:00")


def test_apply_on_a_phone_then_pre_review_case_notice_objection_answer_decision(
        browser_page, desk_page, live_server, tmp_path):  # noqa: F811
    phone = browser_page
    phone.set_viewport_size(PHONE_SCREEN)
    # -- the citizen applies with two files ------------------------------------------------------
    phone.goto(f"{live_server}/apply/HQ")
    go(phone, phone.locator('a[data-item="ARCHPROOF"]'))
    assert fits_the_screen(phone)
    phone.get_by_label("姓名").fill("欧阳芒")
    phone.get_by_label("手机号码").fill("13800138000")
    phone.locator('input[name="field_purpose"]').fill("出国政审")
    phone.locator('input[name="field_copies"]').fill("2")
    card, agreement = tmp_path / "身份证.jpg", tmp_path / "协议书.pdf"
    card.write_bytes(jpeg(40, 30))
    agreement.write_bytes(pdf("agreement"))
    phone.locator('input[name="document_0"]').set_input_files(str(card))
    phone.locator('input[name="document_1"]').set_input_files(str(agreement))
    phone.locator('input[name="declared"]').check()
    go(phone, phone.get_by_role("button", name="提交申报"))
    expect(phone.locator(".done")).to_have_text("您的申报已提交。")
    number = phone.locator("[data-service-no]").inner_text()
    code = phone.locator("[data-access-code]").inner_text()
    assert re.fullmatch(r"\d{6}-\d{3}-\d{5}-[\dX]", number) and len(code) == 8
    assert fits_the_screen(phone)

    # -- the division asks for one document ------------------------------------------------------
    desk = desk_page
    sign_in(desk, live_server, "division04")
    desk.goto(f"{live_server}/hall/HQ/applications")
    row = desk.locator("tr[data-application]", has_text=number)
    expect(row).to_have_count(1)
    go(desk, row.locator("a"))
    expect(desk.locator("ul.documents li")).to_have_count(2)
    desk.locator('textarea[name="documents"]').fill("身份证反面")
    go(desk, desk.locator('button[data-action="request_documents"]'))
    expect(desk.locator("[data-state]")).to_have_attribute("data-state", "awaiting_documents")

    # -- the citizen re-uploads it on the tracking page -------------------------------------------
    phone.goto(f"{live_server}/track")
    phone.get_by_label("服务编号").fill(number)
    phone.get_by_label("查询码（选填，见排队凭条）").fill(code)
    go(phone, phone.get_by_role("button", name="查询"))
    expect(phone.locator("[data-asked]")).to_contain_text("身份证反面")
    back = tmp_path / "反面.jpg"
    back.write_bytes(jpeg(30, 20))
    phone.locator('li[data-missing="0"] input[type=file]').set_input_files(str(back))
    go(phone, phone.locator('li[data-missing="0"] button[type=submit]'))
    expect(phone.locator("[data-headline]")).to_have_attribute("data-headline", "submitted")
    assert fits_the_screen(phone)

    # -- the division accepts it: a case --------------------------------------------------------
    desk.reload()
    expect(desk.locator("ul.documents li")).to_have_count(3)
    go(desk, desk.locator('button[data-action="accept"]'))
    expect(desk.locator("[data-state]")).to_have_attribute("data-state", "accepted")
    expect(desk.locator("dd.mono", has_text="BJ")).to_have_count(1)

    # -- the case: taken up, its proposed result under public notice (公示) -------------------------
    go(desk, desk.locator("[data-case-link]"))
    go(desk, desk.locator('form[data-action="take"] button'))
    expect(desk.locator('[data-state="in_progress"]')).to_be_visible()
    history = desk.locator("main").inner_text()
    assert "服务编号" in history and "service_no" not in history  # the history in words
    case_url = desk.url
    manager = desk.context.browser.new_context(viewport={"width": 1366, "height": 768},
                                               locale="zh-CN", timezone_id="Asia/Shanghai")
    boss = manager.new_page()
    sign_in(boss, live_server, "manager")
    boss.goto(case_url)
    form = boss.locator('form[data-action="notice"]')
    form.locator('input[name="text"]').fill("拟出具人事档案证明：欧**芒")
    form.locator('input[name="days"]').fill("3")
    go(boss, form.locator('button[type="submit"]'))
    expect(boss.locator("[data-notice-running]")).to_be_visible()

    # -- an objection on a phone opens a complaint ------------------------------------------------
    phone.goto(f"{live_server}/results/HQ/notices")
    card = phone.locator("li.notice-card", has_text="欧**芒")
    go(phone, card.get_by_role("link", name=re.compile("对此结果提出异议")))
    phone.get_by_label("姓名", exact=True).fill("赵大勇")
    phone.get_by_label("手机号码").fill("13712345678")
    phone.get_by_label(re.compile("异议内容")).fill("申请人的档案并不在本中心。")
    phone.get_by_label(re.compile("本人所反映情况属实")).check()
    go(phone, phone.get_by_role("button", name="提交异议"))
    complaint = phone.locator("[data-complaint-no]").inner_text()
    complaint_code = phone.locator("[data-access-code]").inner_text()

    # -- the division answers it; the objector reads the answer -----------------------------------
    # (a tab of its own: the case's page reloads itself when the case moves)
    inbox = desk.context.new_page()
    inbox.goto(f"{live_server}/hall/HQ/enquiries")
    go(inbox, inbox.locator(f'a[data-service-no="{complaint.replace("-", "")}"]'))
    form = inbox.locator('form[data-action="reply"]')
    form.locator('textarea[name="body"]').fill("经核实，档案已于2025年调入本中心。")
    go(inbox, form.locator("button"))
    phone.goto(f"{live_server}/track/{complaint.replace('-', '')}?c={complaint_code}")
    expect(phone.locator("main")).to_contain_text("档案已于2025年调入本中心")
    assert fits_the_screen(phone)

    # -- the notice ends, the case is decided; the applicant sees it on the tracking page ---------
    boss.reload()
    expect(boss.locator("[data-objections]")).to_have_text("1")
    ending = boss.locator("form.action-end-notice")
    ending.locator('input[name="reason"]').fill("异议已核实不成立。")
    go(boss, ending.get_by_role("button", name="结束公示"))
    expect(boss.locator("[data-notice-ended]")).to_be_visible()
    desk.reload()
    decide = desk.locator('form[data-action="decide"]')
    decide.locator('input[value="approved"]').check()
    decide.locator('input[type="checkbox"]').check()  # the decision cannot be changed
    go(desk, decide.locator("button"))
    expect(desk.locator('[data-state="decided"]')).to_be_visible()
    phone.goto(f"{live_server}/track/{number.replace('-', '')}?c={code}")
    expect(phone.locator("main")).to_contain_text("公示")
    manager.close()
