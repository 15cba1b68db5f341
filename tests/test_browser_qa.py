"""The public Q&A in a real browser (issue 15): on a phone, a member of the public searches
怎么办理退休, finds the answer about 退休 among the results with the guide's items, opens it,
and goes back; the page fits the screen. Fails on a JavaScript or console error and on any
request that leaves this machine (see ``browser.py``)."""
from __future__ import annotations

from playwright.sync_api import expect

from hall import demo_qa
from hall.web.extensions import db
from test_browser_results import PHONE, phone  # noqa: F401  (a member of the public's phone)


def test_searching_on_a_phone_and_opening_an_answer(app, live_server, phone):
    with app.app_context():
        demo_qa.seed_demo_answers(db.session)
    phone.goto(f"{live_server}/qa/HQ")
    expect(phone.locator("h1")).to_have_text("公开问答")
    phone.locator("#q").fill("怎么办理退休")
    with phone.expect_navigation():
        phone.locator('form[role="search"] button').click()
    first = phone.locator(".qa-hits li").first
    expect(first.locator(".qa-title")).to_contain_text("退休")
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    with phone.expect_navigation():
        phone.get_by_role("link", name="怎么办理退休手续？").click()
    expect(phone.locator("h1")).to_have_text("怎么办理退休手续？")
    expect(phone.locator(".qa-answer")).to_contain_text("基本养老金")
    assert demo_qa.ASKER not in phone.content()
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    with phone.expect_navigation():
        phone.get_by_role("link", name="返回公开问答").click()
    phone.locator("#q").fill("职称")
    with phone.expect_navigation():
        phone.locator("#q").press("Enter")
    expect(phone.locator('.qa-hits li[data-service="TITLE"]')).to_have_count(1)
