"""The citizen's booking pages (#14, steps 1 and 2), through the Flask test client: choosing an
item, a day and a slot; booking with a name and a mobile number; the booking's page with its
codes, the QR code and the PDF; moving and cancelling up to the cut-off; every refusal as a
readable page in Chinese (English with ``?lang=en``); nothing written on bad input, and nothing
of a booking shown to anyone without its access code.

HQ opens Monday to Friday 08:30–12:00 and 13:30–17:00; slots are 30 minutes; cancel and move
close 2 hours before the slot (the defaults). The clock is Monday 2026-11-23 10:00 in Harbin.
"""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from conftest import actor
from hall import bookings, clock, hours_admin
from hall.events import SYSTEM
from hall.web.extensions import db
from test_bookings import MONDAY_MORNING, TUESDAY_0900, at, set_places, written
from test_pdf_glyphs import missing_glyphs

pytestmark = pytest.mark.hall_clock(MONDAY_MORNING)

NAME, PHONE, ID_NUMBER = "欧阳芒", "13800138000", "230110196505051232"
TUESDAY = "2026-11-24T09:00"
FORM = "/book/HQ/s/EXAM/book"


def text(response) -> str:
    return response.get_data(as_text=True)


def without_token(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', html)


def token(client, path: str = "/book/HQ/b/ZZZZZZZZ") -> str:
    page = text(client.get(path))
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def book(client, start: str = TUESDAY, service: str = "EXAM", **fields):
    data = {"csrf_token": token(client), "start": start, "name": NAME, "phone": PHONE,
            **fields}
    return client.post(f"/book/HQ/s/{service}/book", data=data)


def booked(client, **fields) -> tuple[str, str]:
    """Book and follow to the booking's page: (booking code, access code)."""
    made = book(client, **fields)
    assert made.status_code == 303, text(made)
    page = text(client.get(made.headers["Location"]))
    code = re.search(r"data-booking-code>(\w+)<", page).group(1)
    access = re.search(r"data-access-code>(\w+)<", page).group(1)
    return code, access


def unlock(client, code: str, access: str, hall: str = "HQ"):
    return client.post(f"/book/{hall}/b/{code}", data={
        "csrf_token": token(client), "access_code": access})


# -- choosing ------------------------------------------------------------------------------------

def test_only_items_that_take_bookings_are_offered(app, client):
    set_places(app, "EXAM", None, bookable=False)
    page = text(client.get("/book/HQ"))
    assert "/book/HQ/s/TITLE" in page and "/book/HQ/s/EXAM" not in page
    assert "预约办事" in page
    closed = client.get("/book/HQ/s/EXAM")
    assert closed.status_code == 409 and "不接受预约" in text(closed)
    assert client.get("/book/NOPE").status_code == 404
    assert client.get("/book/HQ/s/NOPE").status_code == 404
    halls = text(client.get("/book"))
    assert 'href="/book/HQ"' in halls


def test_the_next_open_days_and_each_slot_with_its_free_places(app, client):
    set_places(app, "EXAM", 1)
    page = text(client.get("/book/HQ/s/EXAM"))
    days = re.findall(r"day=(\d{4}-\d\d-\d\d)", page)
    assert len(days) == 10 and days[0] == "2026-11-23"
    assert all(date.fromisoformat(d).weekday() < 5 for d in days)  # no weekend
    # today: the slots that have not begun, each with its places
    assert 'value="2026-11-23T10:30"' in page and 'value="2026-11-23T10:00"' not in page
    booked(client)
    tuesday = text(client.get("/book/HQ/s/EXAM?day=2026-11-24"))
    # the booked slot is shown full, not as a button; the next one is bookable
    assert f'value="{TUESDAY}"' not in tuesday
    assert re.search(r'class="slot full"><span class="slot-time">09:00–09:30</span> '
                     r'<span class="slot-free">已约满', tuesday)
    assert 'value="2026-11-24T09:30"' in tuesday
    form = text(client.get(f"{FORM}?start={TUESDAY}"))
    assert "此时段已约满" in form and 'name="phone"' not in form


@pytest.mark.hall_clock("2026-09-28T10:00:00+08:00")
def test_no_day_on_a_holiday_a_make_up_day_offered_and_a_local_closure_left_out(app, client):
    with app.app_context():
        hours_admin.set_exception(db.session, "HQ", date(2026, 9, 29), (), "内部培训",
                                  actor=actor(app, "admin"))
    page = text(client.get("/book/HQ/s/EXAM"))
    days = [date.fromisoformat(d) for d in re.findall(r"day=(\d{4}-\d\d-\d\d)", page)]
    assert date(2026, 9, 29) not in days                               # the local closure
    assert not [d for d in days if date(2026, 10, 1) <= d <= date(2026, 10, 7)]  # National Day
    makeup = [d for d in days if d.weekday() >= 5]
    assert makeup and "调休上班" in page                                  # a make-up Saturday


# -- booking -------------------------------------------------------------------------------------

def test_booking_gives_the_confirmation_with_codes_slot_documents_qr_and_pdf(app, client):
    before = written(app)
    made = book(client, id_number=ID_NUMBER)
    assert made.status_code == 303
    assert re.fullmatch(r"/book/HQ/b/\w{8}\?made=1", made.headers["Location"])
    page = text(client.get(made.headers["Location"]))
    assert written(app) != before
    code = re.search(r"data-booking-code>(\w+)<", page).group(1)
    with app.app_context():
        booking = bookings.find(db.session, code, re.search(r"data-access-code>(\w+)<",
                                                            page).group(1))
        service_no, documents = booking.service_no, booking.service.documents
    assert "预约成功" in page
    assert "2026年11月24日星期二" in page and "09:00–09:30" in page and "Asia/Shanghai" in page
    assert service_no[:6] + "-" in page                       # the service number, grouped
    assert all(d["zh"] in page for d in documents) and documents
    assert "<svg" in page
    assert f"http://localhost/book/HQ/b/{code}" in page       # the QR code's text
    assert "2026-11-24 07:00" in page                         # until when it may change
    pdf = client.get(f"/book/HQ/b/{code}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    assert pdf.headers["Cache-Control"] == "no-store"
    assert missing_glyphs(pdf.data) == []
    words = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert code in words and "09:00" in words and "2026-11-24" in words
    assert documents[0]["zh"][:4] in words


def test_in_english_with_lang_en_links_and_redirects_keep_it(app, client):
    page = text(client.get("/book/HQ?lang=en"))
    assert "Book an appointment" in page and "/book/HQ/s/EXAM?lang=en" in page
    slots = text(client.get("/book/HQ/s/EXAM?lang=en&day=2026-11-24"))
    assert 'name="lang" value="en"' in slots and "free" in slots
    made = client.post(f"{FORM}?lang=en", data={
        "csrf_token": token(client), "start": TUESDAY, "name": NAME, "phone": PHONE})
    assert made.status_code == 303 and "lang=en" in made.headers["Location"]
    assert "Your appointment" in text(client.get(made.headers["Location"]))
    refused = client.post(f"{FORM}?lang=en", data={
        "csrf_token": token(client), "start": TUESDAY, "name": NAME, "phone": "123"})
    assert "mainland mobile number" in text(refused)


@pytest.mark.parametrize("fields, field, words", [
    ({"name": ""}, "name", "最多 40 个字符"),
    ({"name": "名" * 41}, "name", "最多 40 个字符"),
    ({"name": "长" * 3000}, "name", "最多 40 个字符"),
    ({"phone": "12345"}, "phone", "以 1 开头的 11 位数字"),
    ({"phone": "1" * 3000}, "phone", "以 1 开头的 11 位数字"),
    ({"phone": "1380013800\u202e"}, "phone", "以 1 开头的 11 位数字"),
    ({"id_number": "230110196505051233"}, "id_number", "校验位不符"),
    ({"id_number": "x" * 3000}, "id_number", "身份证号码无效"),
    ({"start": ""}, None, "请选择预约时段"),
    ({"start": "2026-11-24T09:10"}, None, "该时间没有可预约的时段"),
    ({"start": "2026-11-23T09:00"}, None, "该时段已开始"),
    ({"start": "not a time" * 300}, None, "请选择预约时段"),
])
def test_a_bad_form_says_which_field_and_writes_nothing(app, client, fields, field, words):
    before = written(app)
    answer = book(client, **fields)
    assert 400 <= answer.status_code < 500
    page = text(answer)
    assert words in page and 'role="alert"' in page
    if field:
        assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', page)
        assert "长" * 100 not in page  # an oversized value is not sent back whole
    assert written(app) == before


def test_nul_bytes_and_a_missing_csrf_token_write_nothing(app, client):
    before = written(app)
    nul = client.post(FORM, data={"csrf_token": token(client), "start": TUESDAY,
                                  "name": "欧阳\x00芒", "phone": PHONE})
    assert nul.status_code == 400
    no_token = client.post(FORM, data={"start": TUESDAY, "name": NAME, "phone": PHONE})
    assert no_token.status_code == 400 and "页面已过期" in text(no_token)
    assert client.get("/book/HQ/s/EXAM?day=%00").status_code == 400
    assert written(app) == before


def test_slot_full_one_per_person_and_too_many_bookings_are_said_in_words(app, client):
    set_places(app, "EXAM", 1)
    booked(client)
    before = written(app)
    full = book(client, phone="13900139000")
    assert full.status_code == 409 and "刚刚约满" in text(full)
    again = book(client, start="2026-11-24T09:30")
    assert again.status_code == 409 and "您当天已预约该事项" in text(again)
    assert written(app) == before
    for n, day in enumerate(("2026-11-25", "2026-11-26", "2026-11-27", "2026-11-30")):
        assert book(client, start=f"{day}T09:00").status_code == 303, n
    too_many = book(client, start="2026-12-01T09:00")
    assert too_many.status_code == 429 and "明天" in text(too_many)


def test_missed_appointments_block_booking_until_a_date_said_on_the_page(app, client):
    with app.app_context():
        for day in ("2026-11-24", "2026-11-25", "2026-11-26"):
            with clock.frozen(at(f"{day}T08:00:00+08:00") - timedelta(days=1)):
                bookings.book(db.session, "HQ", "EXAM", at(f"{day}T09:00:00+08:00"),
                              name=NAME, phone=PHONE)
            with clock.frozen(at(f"{day}T09:16:00+08:00")):
                bookings.record_missed(db.session, actor=SYSTEM)
    with clock.frozen(at("2026-11-27T10:00:00+08:00")):
        refused = book(client, start="2026-11-30T09:00")
    assert refused.status_code == 409
    assert "2026-12-26" in text(refused) and "预约未到" in text(refused)


# -- the booking's page: only with its code ------------------------------------------------------

def test_the_booking_opens_only_with_its_access_code_and_unknown_reads_the_same(app, client):
    code, access = booked(client, id_number=ID_NUMBER)
    stranger = app.test_client()
    form = text(stranger.get(f"/book/HQ/b/{code}"))
    for secret in (access, NAME, PHONE, ID_NUMBER, "09:00"):
        assert secret not in form
    assert 'name="access_code"' in form
    assert stranger.get(f"/book/HQ/b/{code}/pdf").mimetype == "text/html"   # the form again
    wrong, unknown = unlock(stranger, code, "ZZZZZZZZ"), unlock(stranger, "ZZZZZZZZ", access)
    assert wrong.status_code == unknown.status_code == 404
    # The same page word for word, but for the code typed and the form's CSRF token (signed
    # with the second it was made in).
    assert (without_token(text(wrong)).replace(code, "#")
            == without_token(text(unknown)).replace("ZZZZZZZZ", "#"))
    other_hall = unlock(stranger, code, access, hall="HRB")
    assert other_hall.status_code == 404 and access not in text(other_hall)
    opened = unlock(stranger, code, access.lower())
    assert opened.status_code == 303
    assert access in text(stranger.get(opened.headers["Location"]))


def test_one_booking_held_does_not_open_another(app, client):
    mine, _ = booked(client)
    neighbour = app.test_client()
    theirs, theirs_access = booked(neighbour, name="张三", phone="13900139000")
    page = text(client.get(f"/book/HQ/b/{theirs}"))
    assert theirs_access not in page and "张三" not in page and 'name="access_code"' in page
    for path in ("cancel", "move", "pdf"):
        assert "张三" not in text(client.get(f"/book/HQ/b/{theirs}/{path}"))
    before = written(app)
    csrf = token(client)
    assert "张三" not in text(client.post(f"/book/HQ/b/{theirs}/cancel",
                                         data={"csrf_token": csrf}))
    assert written(app) == before


def test_lookups_are_rate_limited(app, client):
    app.config["BOOKING_RATE_LIMIT"] = "3 per hour"
    answers = [unlock(client, "ZZZZZZZZ", f"WRONG{n}").status_code for n in range(4)]
    assert answers == [404, 404, 404, 429]
    assert book(client).status_code == 429  # booking spends the same budget


# -- cancel and move -----------------------------------------------------------------------------

def test_cancel_asks_first_then_frees_the_place(app, client):
    set_places(app, "EXAM", 1)
    code, _ = booked(client)
    page = text(client.get(f"/book/HQ/b/{code}"))
    assert f"/book/HQ/b/{code}/cancel" in page
    confirm = text(client.get(f"/book/HQ/b/{code}/cancel"))
    assert "确定要取消吗" in confirm and "确定取消" in confirm
    done = client.post(f"/book/HQ/b/{code}/cancel",
                       data={"csrf_token": token(client)})
    assert done.status_code == 303
    after = text(client.get(done.headers["Location"]))
    assert "预约已取消" in after and 'data-status="cancelled"' in after
    assert f"/book/HQ/b/{code}/cancel" not in after
    assert f'value="{TUESDAY}"' in text(client.get("/book/HQ/s/EXAM?day=2026-11-24"))
    again = client.post(f"/book/HQ/b/{code}/cancel",
                        data={"csrf_token": token(client)})
    assert again.status_code == 409 and "该预约已取消" in text(again)


def test_past_the_cut_off_nothing_changes_and_the_page_says_until_when(app, client):
    code, _ = booked(client)
    csrf = token(client)
    before = written(app)
    with clock.frozen(at("2026-11-24T07:30:00+08:00")):
        page = text(client.get(f"/book/HQ/b/{code}"))
        assert "data-cut-off" in page and "2026-11-24 07:00" in page
        assert f"/book/HQ/b/{code}/cancel" not in page
        assert "data-cut-off" in text(client.get(f"/book/HQ/b/{code}/move"))
        refused = client.post(f"/book/HQ/b/{code}/cancel", data={"csrf_token": csrf})
        assert refused.status_code == 409 and "现已超过该时间" in text(refused)
        moved = client.post(f"/book/HQ/b/{code}/move",
                            data={"csrf_token": csrf, "start": "2026-11-24T10:00"})
        assert moved.status_code == 409
    assert written(app) == before


def test_move_to_another_slot_of_the_same_item(app, client):
    set_places(app, "EXAM", 1)
    code, access = booked(client)
    booked(app.test_client(), start="2026-11-24T10:00", phone="13900139000")
    page = text(client.get(f"/book/HQ/b/{code}/move?day=2026-11-24"))
    assert "您的预约" in page and 'value="2026-11-24T09:30"' in page
    assert 'value="2026-11-24T10:00"' not in page                          # full
    csrf = token(client)
    full = client.post(f"/book/HQ/b/{code}/move",
                       data={"csrf_token": csrf, "start": "2026-11-24T10:00"})
    assert full.status_code == 409 and "刚刚约满" in text(full)
    bad = client.post(f"/book/HQ/b/{code}/move", data={"csrf_token": csrf, "start": "x" * 999})
    assert bad.status_code == 422
    moved = client.post(f"/book/HQ/b/{code}/move",
                        data={"csrf_token": csrf, "start": "2026-11-24T09:30"})
    assert moved.status_code == 303 and "done=moved" in moved.headers["Location"]
    after = text(client.get(moved.headers["Location"]))
    assert "09:30–10:00" in after and access in after and "预约已改到新的时段" in after
    with app.app_context():
        assert bookings.find(db.session, code, access).start == at("2026-11-24T09:30:00+08:00")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(
            sa.table("bookings"))) == 2
    assert f'value="{TUESDAY}"' in text(client.get("/book/HQ/s/EXAM?day=2026-11-24"))


def test_the_qr_text_is_the_booking_page_which_the_kiosk_reads_as_the_code(app, client):
    app.config["PUBLIC_BASE_URL"] = "https://hall.example"
    code, _ = booked(client)
    page = text(client.get(f"/book/HQ/b/{code}"))
    url = re.search(r"data-qr-text>([^<]+)<", page).group(1)
    assert url == f"https://hall.example/book/HQ/b/{code}"
    assert bookings.normalize_code(url) == code
    assert TUESDAY_0900.startswith("2026-11-24T09:00")


def test_the_browser_keeps_the_codes_of_its_last_five_bookings(app, client):
    made = [booked(client, start=f"{day}T09:00") for day in (
        "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-30")]
    # a sixth with another number (5 bookings a day per mobile number)
    made.append(booked(client, start="2026-12-01T09:00", phone="13900139000"))
    opened = [('name="access_code"' not in text(client.get(f"/book/HQ/b/{code}")))
              for code, _ in made]
    assert opened == [False, True, True, True, True, True]  # the oldest is forgotten
