"""The kiosk's "I have an appointment" (我有预约) as a visitor uses it, without JavaScript:
type or scan the booking code, get the appointment's ticket, or a refusal in Chinese and
English with nothing written.

The booking is made on Monday 2026-11-23 for Tuesday 09:00 (check-in from 08:30 to 09:15);
HQ opens at 08:30 on Tuesdays.
"""
from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from device_helpers import _stop_apps_like, app_like, bearer, client_at, register  # noqa: F401  (_stop_apps_like: a fixture)
from hall import bookings, clock
from hall.lookup import get_hall, get_service
from hall.models import Booking, DailyCounter, Event, ServiceBooking, SlotPlaces, Ticket
from hall.web.extensions import db

MONDAY_MORNING = "2026-11-23T10:00:00+08:00"
TUESDAY_0900 = datetime.fromisoformat("2026-11-24T09:00:00+08:00")
IN_TIME = datetime.fromisoformat("2026-11-24T08:45:00+08:00")
PERSON = {"name": "欧阳芒", "phone": "13800138000"}

pytestmark = pytest.mark.hall_clock(MONDAY_MORNING)


def book(app, start: datetime = TUESDAY_0900, phone: str = PERSON["phone"]) -> dict:
    """A booking made through the domain, as the booking pages make it; its codes."""
    with app.app_context():
        hall = get_hall(db.session, "HQ")
        service = get_service(db.session, hall, "EXAM")
        if db.session.get(ServiceBooking, service.id) is None:
            db.session.add(ServiceBooking(service_id=service.id, bookable=True,
                                          places_per_slot=4))
            db.session.commit()
        made = bookings.book(db.session, "HQ", "EXAM", start, name=PERSON["name"],
                             phone=phone)
        return {"code": made.booking_code, "service_no": made.service_no,
                "access_code": made.access_code}


def form_fields(html: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def check_in(client, code: str, *, hall: str = "HQ", query: str = "", headers=None):
    """Open the appointment screen and send the code as the scanner or the keypad does."""
    page = client.get(f"/kiosk/{hall}/appointment{query}", headers=headers)
    assert page.status_code == 200, page.get_data(as_text=True)
    fields = form_fields(page.get_data(as_text=True))
    return client.post(f"/kiosk/{hall}/check-ins{query}", data={**fields, "code": code},
                       headers=headers)


def written(app) -> tuple[int, ...]:
    with app.app_context():
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(table))
                     for table in (Booking, SlotPlaces, Event, DailyCounter, Ticket))


def booking_status(app, code: str) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(Booking.status).where(Booking.booking_code == code))


# -- the start screen and the appointment screen -------------------------------------------

def test_the_start_screen_has_the_appointment_button_in_both_languages(client):
    with clock.frozen(IN_TIME):
        chinese = client.get("/kiosk/HQ").get_data(as_text=True)
        english_large = client.get("/kiosk/HQ?lang=en&large=1").get_data(as_text=True)
    assert 'href="/kiosk/HQ/appointment"' in chinese
    assert "我有预约" in chinese and '<span lang="en">I have an appointment</span>' in chinese
    # the visitor's language and type size go along
    assert 'href="/kiosk/HQ/appointment?lang=en&amp;large=1"' in english_large
    assert '<span lang="zh-CN">我有预约</span>' in english_large


def test_the_appointment_screen_has_a_field_for_the_scanner_and_a_keypad(client):
    with clock.frozen(IN_TIME):
        page = client.get("/kiosk/HQ/appointment")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "请扫描预约二维码，或输入预约码" in html
    field = re.search(r"<input id=\"booking-code\"[^>]*>", html, re.S).group(0)
    assert "autofocus" in field and 'name="code"' in field
    keys = re.findall(r'data-key="([^"]+)"', html)
    # exactly the letters and digits booking codes are made of: no 0/O, 1/I/L to confuse
    assert "".join(keys) == "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    assert "data-key-back" in html and "data-key-clear" in html
    assert 'action="/kiosk/HQ/check-ins"' in html
    assert 'data-idle-home="/kiosk/HQ"' in html  # back to the clean start when left


def test_outside_opening_hours_the_screen_says_when_the_hall_opens(client):
    with clock.frozen(datetime.fromisoformat("2026-11-24T07:00:00+08:00")):
        page = client.get("/kiosk/HQ/appointment")
    assert page.status_code == 409 and "08:30" in page.get_data(as_text=True)


# -- checking in ---------------------------------------------------------------------------

def test_the_booking_code_gives_the_appointments_ticket(app, client):
    made = book(app)
    with clock.frozen(IN_TIME):
        r = check_in(client, made["code"].lower())
    html = r.get_data(as_text=True)
    assert r.status_code == 201 and r.headers["Cache-Control"] == "no-store"
    assert 'data-ticket-number>Y001<' in html
    assert "预约时间 09:00" in html and "公务员考试录用资格复审" in html
    number = made["service_no"]
    assert f"{number[:6]}-{number[6:9]}-" in html and made["access_code"] in html
    assert "<svg" in html and "扫码查询办理进度" in html
    pdf = f"/api/v1/tickets/{number}/ticket.pdf?code={made['access_code']}"
    assert pdf in html
    printed = client.get(pdf)
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(printed.data)).pages[0].extract_text()
    assert "Y001" in text and made["access_code"] in text
    assert re.sub(r"\D", "", text).count(number[:-1]) == 1  # the service number, printed
    assert booking_status(app, made["code"]) == "checked_in"
    with app.app_context():
        ticket = db.session.scalars(sa.select(Ticket)).one()
        assert (ticket.number, ticket.service_no, ticket.source) == ("Y001", number, "booking")
        assert ticket.appointment_at == TUESDAY_0900


@pytest.mark.parametrize("typed", [
    "https://hall.example/book/HQ/b/{code}",       # the booking page's QR, as a scanner types it
    "http://10.20.0.5:5000/book/HQ/b/{code}/?x=1",
    "{code4}-{rest}",                                # read aloud in two groups
])
def test_a_scanned_address_or_a_grouped_code_is_taken(app, client, typed):
    made = book(app)
    code = made["code"]
    with clock.frozen(IN_TIME):
        r = check_in(client, typed.format(code=code, code4=code[:4], rest=code[4:].lower()))
    assert r.status_code == 201 and "Y001" in r.get_data(as_text=True)


def test_english_and_large_type_stay_on_the_ticket(app, client):
    made = book(app)
    with clock.frozen(IN_TIME):
        r = check_in(client, made["code"], query="?lang=en&large=1")
    html = r.get_data(as_text=True)
    assert r.status_code == 201 and '<html lang="en" class="kiosk-large">' in html
    assert "Appointment at 09:00" in html


# -- refusals: in both languages, nothing written, back to the start when left -------------

def refusal(response, status: int, *chinese_and_english: str) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == status, html
    assert response.mimetype == "text/html"
    assert "无法签到" in html
    for words in chinese_and_english:
        assert words in html, (words, html)
    assert 'data-idle-home="/kiosk/HQ"' in html and 'data-idle-seconds="60"' in html
    assert 'href="/kiosk/HQ/appointment"' in html  # try again
    return html


def test_too_early_says_when_check_in_opens_in_both_languages(app, client):
    made = book(app, start=datetime.fromisoformat("2026-11-24T10:00:00+08:00"))
    before = written(app)
    with clock.frozen(IN_TIME):
        r = check_in(client, made["code"])
    html = refusal(r, 409, "现在签到过早", "It is too early to check in")
    assert html.count("09:30") >= 2
    assert written(app) == before and booking_status(app, made["code"]) == "booked"


def test_too_late_already_checked_in_cancelled_and_unknown_are_refused(app, client):
    late = book(app)
    gone = book(app, phone="13900139000")
    twice = book(app, start=datetime.fromisoformat("2026-11-24T09:30:00+08:00"),
                  phone="13700137000")
    with app.app_context():
        bookings.cancel(db.session, gone["code"], gone["access_code"])
    with clock.frozen(datetime.fromisoformat("2026-11-24T09:16:00+08:00")):
        assert check_in(client, twice["code"]).status_code == 201
        before = written(app)
        too_late = check_in(client, late["code"])
        again = check_in(client, twice["code"])
        cancelled = check_in(client, gone["code"])
        unknown = check_in(client, "ZZZZ-ZZZZ")
        nothing = check_in(client, "<b>Z&1")
        nul = check_in(client, "ZZZZ\x00ZZZZ")
    refusal(too_late, 409, "It is too late to check in")
    refusal(again, 409, "Y001", "already checked in")
    refusal(cancelled, 409, "This appointment was cancelled.")
    html = refusal(unknown, 404, "没有预约码为 ZZZZZZZZ 的预约", "No appointment has the booking code")
    assert "access code" not in html  # the kiosk asks for none
    refusal(nothing, 404, "No appointment has the booking code")
    assert "<b>" not in nothing.get_data(as_text=True)
    assert nul.status_code == 400  # refused before anything is looked up
    assert written(app) == before


def test_a_booking_of_another_hall_is_refused_there(app, client):
    made = book(app)
    with clock.frozen(IN_TIME):
        before = written(app)
        r = check_in(client, made["code"], hall="HRB")
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "not here" in html and "不在本大厅" in html
    assert written(app) == before and booking_status(app, made["code"]) == "booked"


def test_an_empty_code_is_asked_for_again(app, client):
    with clock.frozen(IN_TIME):
        before = written(app)
        r = check_in(client, "   ")
    assert r.status_code == 400 and "请扫描预约二维码，或输入预约码。" in r.get_data(as_text=True)
    assert written(app) == before


# -- only a kiosk, and not as a way to try codes --------------------------------------------

def test_a_screen_that_is_no_kiosk_checks_nothing_in(app):
    made = book(app)
    strict = app_like(app, WTF_CSRF_ENABLED=False)
    outside = client_at(strict)
    with clock.frozen(IN_TIME):
        page = outside.get("/kiosk/HQ/appointment")
        before = written(app)
        r = outside.post("/kiosk/HQ/check-ins", data={"code": made["code"]})
    assert page.status_code == 401 and "管理员" in page.get_data(as_text=True)
    assert r.status_code == 401 and "管理员" in r.get_data(as_text=True)
    assert written(app) == before and booking_status(app, made["code"]) == "booked"


def test_refused_codes_are_limited_per_kiosk_and_check_ins_are_not(app):
    strict = app_like(app, KIOSK_CHECKIN_ATTEMPTS="3 per 5 minutes")
    _, first = register(app, name="东门取号机")
    _, second = register(app, name="西门取号机")
    one, other = client_at(strict), client_at(strict)
    made = [book(app, phone=f"1380013800{n}") for n in range(3)]
    with clock.frozen(IN_TIME):
        assert check_in(one, made[0]["code"], headers=bearer(first)).status_code == 201
        for guess in ("AAAAAAAA", "AAAAAAAB", "AAAAAAAC"):
            assert check_in(one, guess, headers=bearer(first)).status_code == 404
        before = written(app)
        stopped = check_in(one, made[1]["code"], headers=bearer(first))
        html = stopped.get_data(as_text=True)
        assert stopped.status_code == 429 and int(stopped.headers["Retry-After"]) > 0
        assert "本机输入错误的预约码次数过多" in html and "Too many booking codes" in html
        assert written(app) == before and booking_status(app, made[1]["code"]) == "booked"
        # another kiosk of the hall is not held up by this one
        assert check_in(other, made[2]["code"], headers=bearer(second)).status_code == 201
