"""Checking in for an appointment at the kiosk in a real browser (headless Chromium, the
kiosk's 1920×1080 touch screen, the page's own script running): the keypad, a USB scanner
typing the booking page's QR, and a visitor who came too early.

The booking is made through ``hall.bookings`` on Monday 2026-11-23 for Tuesday; the hall's
clock is then set to Tuesday 08:45, when check-in for the 09:00 slot is open."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from browser import PORTRAIT, shot
from hall import bookings, clock
from hall.lookup import get_hall, get_service
from hall.models import ServiceBooking
from hall.web.extensions import db
from test_browser_kiosk import assert_fits, qr_url

pytestmark = pytest.mark.hall_clock("2026-11-23T10:00:00+08:00")
TUESDAY_0845 = datetime.fromisoformat("2026-11-24T08:45:00+08:00")
APPOINTMENT = "a[data-appointment]"


def book(app, start: str = "2026-11-24T09:00:00+08:00") -> dict:
    with app.app_context():
        hall = get_hall(db.session, "HQ")
        service = get_service(db.session, hall, "EXAM")
        db.session.merge(ServiceBooking(service_id=service.id, bookable=True, places_per_slot=4))
        db.session.commit()
        made = bookings.book(db.session, "HQ", "EXAM", datetime.fromisoformat(start),
                             name="欧阳芒", phone="13800138000")
        return {"code": made.booking_code, "service_no": made.service_no,
                "access_code": made.access_code}


@pytest.fixture
def tuesday():
    """The hall's clock at Tuesday 08:45 for the test and the server alike."""
    with clock.frozen(TUESDAY_0845) as frozen:
        yield frozen


def open_check_in(page, live_server: str, query: str = "") -> None:
    """From the start screen, tap "I have an appointment"."""
    page.goto(f"{live_server}/kiosk/HQ{query}")
    with page.expect_navigation(url=re.compile(r"/kiosk/HQ/appointment")):
        page.locator(APPOINTMENT).tap()
    expect(page.locator("h1")).to_have_text(re.compile("预约签到|Check in for your appointment"))


def test_the_code_typed_on_the_keypad_gives_the_appointment_ticket(app, live_server,
                                                                   browser_page, tuesday):
    made = book(app)
    page = browser_page
    page.goto(f"{live_server}/kiosk/HQ")
    button = page.locator(APPOINTMENT)
    expect(button).to_be_visible()
    assert button.bounding_box()["height"] >= 60  # a finger's target
    assert_fits(page)
    page.set_viewport_size(PORTRAIT)
    expect(button).to_be_visible()
    assert_fits(page)
    shot(page, "kiosk-home-appointment-1080x1920")
    page.set_viewport_size({"width": 1920, "height": 1080})

    open_check_in(page, live_server)
    field = page.locator("#booking-code")
    expect(field).to_be_focused()  # the scanner may type at once
    assert_fits(page)
    shot(page, "kiosk-checkin-1920x1080")
    page.locator("[data-key=Z]").tap()
    page.locator("[data-key-back]").tap()
    for key in made["code"]:
        page.locator(f'[data-key="{key}"]').tap()
    expect(field).to_have_value(made["code"])
    expect(field).to_be_focused()  # the keys leave the focus in the field
    with page.expect_navigation(url=re.compile(r"/kiosk/HQ/check-ins")):
        page.get_by_role("button", name="签到取号").tap()
    expect(page.locator("[data-ticket-number]")).to_have_text("Y001")
    expect(page.locator("[data-appointment-at]")).to_have_text("预约时间 09:00")
    number = made["service_no"]
    expect(page.locator("[data-service-no]")).to_have_text(
        f"{number[:6]}-{number[6:9]}-{number[9:14]}-{number[14:]}")
    expect(page.locator("[data-access-code]")).to_have_text(made["access_code"])
    assert qr_url(page).endswith(f"/t/{number}?c={made['access_code']}")
    shot(page, "kiosk-checkin-ticket-1920x1080")
    assert_fits(page)


def test_a_scanner_typing_the_booking_pages_qr_checks_in(app, live_server, browser_page,
                                                          tuesday):
    made = book(app)
    page = browser_page
    open_check_in(page, live_server, "?lang=en&large=1")
    assert_fits(page)
    shot(page, "kiosk-checkin-en-large-1920x1080")
    # A USB scanner is a keyboard: the QR's text, then Enter.
    with page.expect_navigation(url=re.compile(r"/kiosk/HQ/check-ins")):
        page.keyboard.type(f"https://hall.example.gov.cn/book/HQ/b/{made['code']}\n", delay=5)
    expect(page.locator("[data-ticket-number]")).to_have_text("Y001")
    expect(page.locator("[data-appointment-at]")).to_have_text("Appointment at 09:00")


def test_a_scan_after_a_key_was_tapped_still_lands_in_the_field(app, live_server,
                                                                browser_page, tuesday):
    made = book(app)
    page = browser_page
    open_check_in(page, live_server)
    page.locator("[data-key-clear]").focus()  # a keyboard user, or a stray tap, moved it
    with page.expect_navigation(url=re.compile(r"/kiosk/HQ/check-ins")):
        page.keyboard.type(f"{made['code']}\n", delay=5)
    expect(page.locator("[data-ticket-number]")).to_have_text("Y001")


def test_too_early_shows_the_time_and_goes_back_to_the_clean_start(app, live_server,
                                                                  browser_page, page_log,
                                                                  tuesday):
    made = book(app, start="2026-11-24T10:00:00+08:00")
    app.config["KIOSK_IDLE_SECONDS"] = 3
    page = browser_page
    open_check_in(page, live_server, "?lang=en")
    page.locator("#booking-code").fill(made["code"])
    with page.expect_navigation(url=re.compile(r"/kiosk/HQ/check-ins")):
        page.get_by_role("button", name="Check in").tap()
    refusal = page.locator(".kiosk-refused")
    expect(refusal).to_contain_text("It is too early to check in: check-in opens today at 09:30.")
    expect(refusal).to_contain_text("09:30")
    expect(refusal.locator('p[lang="zh-CN"]')).to_contain_text("现在签到过早")
    shot(page, "kiosk-checkin-too-early-1920x1080")
    # The refusal's own 409, which Chromium reports on the console: expected here.
    page_log.errors[:] = [e for e in page_log.errors
                          if not ("status of 409" in e and "/kiosk/HQ/check-ins" in e)]
    # Left alone, the screen goes back to the clean start: Chinese, normal type.
    page.wait_for_url(f"{live_server}/kiosk/HQ", timeout=10_000)
    expect(page.locator("h1")).to_have_text("请选择您要办理的事项")
