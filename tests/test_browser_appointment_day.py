"""An appointment from end to end, in Chromium: booked on a phone on Monday, checked in at the
kiosk by its booking code on Tuesday morning, called by the clerk; the phone, following the
visit live, shows the window without a reload."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from browser import shot
from hall import clock
from test_bookings import MONDAY_MORNING
from test_browser_booking import PHONE_SCREEN, book_tuesday
from wire import Clerk

pytestmark = pytest.mark.hall_clock(MONDAY_MORNING)
TUESDAY_0845 = datetime.fromisoformat("2026-11-24T08:45:00+08:00")


def test_book_on_the_phone_check_in_at_the_kiosk_and_see_the_call(live_server, browser_page):
    phone = browser_page
    phone.set_viewport_size(PHONE_SCREEN)
    code = book_tuesday(phone, live_server)
    with phone.expect_navigation(url=re.compile(r"/t/\d{14}[\dX]")):
        phone.locator("[data-follow]").click()
    expect(phone.locator("[data-headline=booking-booked]")).to_have_text(
        re.compile("已预约：2026-11-24 09:00"))

    with clock.frozen(TUESDAY_0845):
        kiosk = phone.context.new_page()
        kiosk.set_viewport_size({"width": 1920, "height": 1080})
        kiosk.goto(f"{live_server}/kiosk/HQ")
        with kiosk.expect_navigation(url=re.compile(r"/kiosk/HQ/appointment")):
            kiosk.locator("a[data-appointment]").tap()
        kiosk.locator("#booking-code").fill(code)
        with kiosk.expect_navigation(url=re.compile(r"/kiosk/HQ/check-ins")):
            kiosk.locator("#booking-code").press("Enter")
        expect(kiosk.locator("[data-ticket-number]")).to_have_text("Y001")
        shot(kiosk, "appointment-day-kiosk-Y001")

        phone.bring_to_front()
        phone.reload()  # the visitor opens the page again: now it is a ticket in the queue
        expect(phone.locator("[data-status-line]")).to_have_text("下一位就是您")
        expect(phone.locator("[data-live-note]")).to_have_text("实时更新中：本页会自动刷新")
        clerk = Clerk(live_server, "clerk03", 3)
        assert clerk.do("open").status_code == 200
        called = clerk.do("call")
        assert called.status_code == 200 and called.json()["number"] == "Y001"
        expect(phone.locator("[data-status-line]")).to_have_text("请立即到 3 号窗口办理")
        expect(phone.locator("[data-window-no]")).to_have_text("3")
        shot(phone, "appointment-day-phone-called")
