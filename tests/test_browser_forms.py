"""Blank forms in Chromium (表格下载): an administrator uploads a form on the item's page, the
public guide lists it on a phone with the demo's forms, and its link downloads the PDF; the
guide with forms has no axe-core violation."""
from __future__ import annotations

import pytest

from browser import shot
from file_helpers import pdf
from test_accessibility import AXE, axe_violations

PHONE_SCREEN = {"width": 390, "height": 844}


@pytest.fixture
def axe_page(browser_page):
    browser_page.context.add_init_script(path=str(AXE))
    return browser_page


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill("demo")
    with page.expect_navigation():
        page.locator('button[type="submit"]').click()


def test_an_uploaded_form_is_listed_in_the_guide_and_downloads(axe_page, live_server,
                                                              tmp_path):
    page = axe_page
    blank = tmp_path / "公务员考试报名表.pdf"
    blank.write_bytes(pdf("Registration form"))
    _sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/halls/HQ/services/EXAM")
    page.get_by_label("表格名称").fill("公务员考试报名登记表")
    page.get_by_label("PDF 文件").set_input_files(str(blank))
    with page.expect_navigation():
        page.get_by_role("button", name="上传表格").click()
    assert "公务员考试报名登记表" in page.locator("[data-flashes]").inner_text()
    assert page.locator("#forms tr[data-form]").count() == 1
    shot(page, "admin-service-forms")

    page.context.clear_cookies()  # the public now, on a phone
    page.set_viewport_size(PHONE_SCREEN)
    page.goto(f"{live_server}/guide/HQ")
    exam = page.locator("#item-EXAM .guide-forms a")
    assert exam.inner_text() == "公务员考试报名登记表"
    titles = page.locator("#item-TITLE .guide-forms a").all_inner_texts()
    assert titles == ["专业技术职务任职资格评审表", "职称评审诚信承诺书"]
    assert "KB" in page.locator("#item-TITLE .guide-forms li").first.inner_text()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE_SCREEN["width"]
    shot(page, "guide-forms-phone")
    with page.expect_download() as download:
        exam.click()
    assert download.value.suggested_filename == "公务员考试报名表.pdf"
    assert open(download.value.path(), "rb").read() == blank.read_bytes()
    with page.expect_download() as download:
        page.locator("#item-TITLE .guide-forms a").first.click()
    assert open(download.value.path(), "rb").read().startswith(b"%PDF-")
    assert axe_violations(page) == []
