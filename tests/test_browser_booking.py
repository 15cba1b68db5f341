"""Booking on a phone (390×844, Chromium): choose the item, the day and the slot, give a name
and a mobile number, see the confirmation with its QR code, download the PDF, cancel; book
and move to another time; open the booking on another phone with its codes only.

The hall's clock starts on Monday 2026-11-23 at 10:00 in Harbin and runs on.
"""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from browser import shot
from test_bookings import MONDAY_MORNING

pytestmark = pytest.mark.hall_clock(MONDAY_MORNING)

PHONE_SCREEN = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser_page):
    browser_page.set_viewport_size(PHONE_SCREEN)
    return browser_page


def fits_the_screen(page) -> bool:
    """Nothing wider than the phone: no sideways scrolling."""
    return page.evaluate("document.scrollingElement.scrollWidth") <= PHONE_SCREEN["width"]


def go(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def book_tuesday(page, base: str, time: str = "09:00") -> str:
    """From the hall's booking page to the confirmation; returns the booking code."""
    page.goto(f"{base}/book/HQ")
    assert fits_the_screen(page)
    go(page, page.get_by_role("link", name="公务员考试录用资格复审"))
    go(page, page.locator("nav.days a", has_text="11/24"))
    assert page.locator("nav.days a[aria-current=date]").inner_text().startswith("周二")
    assert fits_the_screen(page)
    shot(page, "booking-slots-phone")
    go(page, page.get_by_role("button", name=re.compile(f"^{time}")))
    assert page.locator(".facts").inner_text().count(time) == 1
    page.get_by_label("姓名").fill("欧阳芒")
    page.get_by_label("手机号码").fill("13800138000")
    go(page, page.get_by_role("button", name="预约此时段"))
    assert "预约成功" in page.locator(".done").inner_text()
    return page.locator("[data-booking-code]").inner_text()


def test_book_see_the_qr_download_the_pdf_and_cancel(phone, live_server):
    code = book_tuesday(phone, live_server)
    assert re.fullmatch(r"[A-Z0-9]{8}", code)
    assert phone.locator("[data-time]").inner_text().startswith("09:00–09:30")
    qr = phone.locator("figure.qr svg")
    box = qr.bounding_box()
    assert qr.is_visible() and box["width"] >= 150 and box["x"] + box["width"] <= 390
    assert phone.locator("[data-qr-text]").inner_text() == f"{live_server}/book/HQ/b/{code}"
    assert phone.locator("ol.documents li").count() == 6
    assert fits_the_screen(phone)
    shot(phone, "booking-confirmation-phone")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="下载预约确认单（PDF）").click()
    pdf = download.value
    assert pdf.suggested_filename == f"booking-{code}.pdf"
    data = open(pdf.path(), "rb").read()
    assert data.startswith(b"%PDF") and code in PdfReader(io.BytesIO(data)).pages[0].extract_text()

    go(phone, phone.get_by_role("link", name="取消预约"))
    assert "确定要取消吗" in phone.locator("main").inner_text()
    go(phone, phone.get_by_role("button", name="确定取消"))
    assert "预约已取消" in phone.locator(".done").inner_text()
    assert phone.locator("[data-status]").inner_text() == "已取消"
    assert phone.get_by_role("link", name="取消预约").count() == 0
    # the place is free again
    phone.goto(f"{live_server}/book/HQ/s/EXAM?day=2026-11-24")
    assert phone.get_by_role("button", name=re.compile("^09:00")).count() == 1


def test_move_to_another_time_and_open_it_on_another_phone(phone, live_server, chromium):
    code = book_tuesday(phone, live_server)
    access = phone.locator("[data-access-code]").inner_text()
    go(phone, phone.get_by_role("link", name="改约到其他时段"))
    go(phone, phone.locator("nav.days a", has_text="11/24"))
    assert "您的预约" in phone.locator(".slot.mine").inner_text()
    assert fits_the_screen(phone)
    go(phone, phone.get_by_role("button", name=re.compile("^10:00")))
    assert "预约已改到新的时段" in phone.locator(".done").inner_text()
    assert phone.locator("[data-time]").inner_text().startswith("10:00–10:30")
    assert phone.locator("[data-booking-code]").inner_text() == code  # the codes stay

    other = chromium.new_context(viewport=PHONE_SCREEN, locale="zh-CN")
    try:
        page = other.new_page()
        page.goto(f"{live_server}/book/HQ/b/{code}")  # as the QR code opens it
        assert "欧阳芒" not in page.content() and access not in page.content()
        page.get_by_label("查询码").fill("WRONG123")
        go(page, page.get_by_role("button", name="查看我的预约"))
        assert "未找到" in page.locator("[role=alert]").inner_text()
        page.get_by_label("查询码").fill(access.lower())
        go(page, page.get_by_role("button", name="查看我的预约"))
        assert page.locator("[data-time]").inner_text().startswith("10:00–10:30")
    finally:
        other.close()
