"""A closed hall, as a visitor and a device meet it (SPEC §7, opening hours): the API answers
409 ``hall-closed`` with the next opening and writes nothing; the kiosk says when the hall
opens again, in Chinese and English, with nothing to press. And no wait is promised while no
open window serves the item.

HQ opens Monday to Friday 08:30–12:00 and 13:30–17:00, tickets until half an hour before
each closing; the National Day week of 2026 is off (1–7 October).
"""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from pypdf import PdfReader

from browser import PORTRAIT, shot
from conftest import actor
from hall import queue
from hall.models import DailyCounter, Event, Ticket
from hall.web.extensions import db

MONDAY_EVENING = "2026-11-23T16:45:00+08:00"
NATIONAL_DAY = "2026-10-01T10:00:00+08:00"
MONDAY_MORNING = "2026-11-23T10:00:00+08:00"


def written(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(table))
                     for table in (Ticket, Event, DailyCounter))


def kiosk_ticket(client, service: str = "EXAM", lang: str | None = None):
    home = client.get("/kiosk/HQ" + (f"?lang={lang}" if lang else "")).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    key = re.search(r'name="request_key" value="([^"]+)"', home)
    data = {"csrf_token": token, "service": service}
    if key:
        data["request_key"] = key.group(1)
    return client.post("/kiosk/HQ/tickets" + (f"?lang={lang}" if lang else ""), data=data)


# -- the API -----------------------------------------------------------------------------------

@pytest.mark.hall_clock(MONDAY_EVENING)
def test_after_the_last_ticket_the_api_answers_hall_closed_and_writes_nothing(app, client):
    before = written(app)
    refused = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"})
    assert refused.status_code == 409
    assert refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert (body["code"], body["status"]) == ("hall-closed", 409)
    assert body["next_opening"] == "2026-11-24T08:30:00+08:00"
    assert "明天（星期二）08:30" in body["title"]
    english = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"},
                          headers={"Accept-Language": "en"}).get_json()
    assert "opens again tomorrow (Tuesday) at 08:30" in english["title"]
    assert written(app) == before == (0, 0, 0)


@pytest.mark.hall_clock(NATIONAL_DAY)
def test_on_a_national_holiday_the_next_opening_is_after_the_holiday(client):
    body = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"}).get_json()
    assert body["next_opening"] == "2026-10-08T08:30:00+08:00"
    assert "10月8日（星期四）08:30" in body["title"]


@pytest.mark.hall_clock("2026-11-23T16:25:00+08:00")
def test_a_retried_request_of_a_ticket_taken_in_time_still_gets_it(client, hall_clock):
    headers = {"Idempotency-Key": "kiosk-3-late"}
    first = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"},
                        headers=headers)
    assert first.status_code == 201
    hall_clock.at += timedelta(minutes=15)  # 16:40: the last ticket has gone
    again = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"},
                        headers=headers)
    assert again.status_code == 201 and again.get_json()["number"] == first.get_json()["number"]
    fresh = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"})
    assert fresh.status_code == 409


# -- the kiosk ---------------------------------------------------------------------------------

@pytest.mark.hall_clock(MONDAY_EVENING)
def test_the_closed_kiosk_says_when_the_hall_opens_in_both_languages(client):
    page = client.get("/kiosk/HQ")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "data-hall-closed" in html
    assert 'data-next-opening="2026-11-24T08:30:00+08:00"' in html
    assert "非办公时间" in html
    assert "大厅现在不取号，明天（星期二）08:30再开放。" in html
    assert "The hall is closed for tickets now. It opens again tomorrow (Tuesday) at 08:30." in html
    assert 'name="service"' not in html  # nothing to press
    assert 'data-reload-after="60"' in html  # it wakes up at opening (kiosk.js)
    assert "http-equiv" not in html  # no meta refresh: axe-core's critical finding (#10.15)
    english = client.get("/kiosk/HQ?lang=en").get_data(as_text=True)
    assert english.index("It opens again tomorrow") < english.index("明天（星期二）08:30再开放")


@pytest.mark.hall_clock("2026-11-23T16:25:00+08:00")
def test_a_ticket_refused_at_closing_says_the_same_and_writes_nothing(app, client, hall_clock):
    home = client.get("/kiosk/HQ").get_data(as_text=True)  # the screen shows the buttons
    assert 'name="service" value="EXAM"' in home
    token = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    hall_clock.at += timedelta(minutes=6)  # 16:31: the visitor hesitated
    refused = client.post("/kiosk/HQ/tickets", data={"csrf_token": token, "service": "EXAM"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "大厅现在不取号，明天（星期二）08:30再开放。" in html
    assert "It opens again tomorrow (Tuesday) at 08:30." in html
    assert written(app) == (0, 0, 0)


# -- no estimate without an open window -------------------------------------------------------

@pytest.mark.hall_clock(MONDAY_MORNING)
def test_no_wait_is_promised_while_no_window_serves_the_item(app, client):
    first = kiosk_ticket(client).get_data(as_text=True)
    wait = re.search(r"<dd data-wait>(.*?)</dd>", first).group(1)
    assert wait == "暂无窗口办理此事项"
    assert "即将叫号" not in first and "约" not in wait

    issued = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"}).get_json()
    assert (issued["ahead"], issued["wait_minutes"], issued["no_window_open"]) == (1, None, True)
    pdf = client.get(issued["pdf_url"])
    text = " ".join(PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text().split())
    assert "No window open yet" in text and "Soon" not in text

    with app.app_context():
        queue.open_window(db.session, "HQ", 3, actor=actor(app, "clerk03"))
        db.session.remove()
    now_open = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"}).get_json()
    assert now_open["no_window_open"] is False and now_open["wait_minutes"] > 0
    text = " ".join(PdfReader(io.BytesIO(client.get(issued["pdf_url"]).data))
                    .pages[0].extract_text().split())
    assert "No window open yet" not in text and "Est. wait, min" in text
    english = kiosk_ticket(client, "CONSULT", lang="en").get_data(as_text=True)
    assert "No window is open for this service yet" in english  # window 3 serves exams only


@pytest.mark.hall_clock(NATIONAL_DAY)
def test_the_closed_kiosk_in_a_browser(live_server, browser_page):
    """What a visitor sees on National Day: the notice in both languages, nothing to tap."""
    page = browser_page
    page.set_viewport_size(PORTRAIT)
    page.goto(f"{live_server}/kiosk/HQ")
    notice = page.locator("[data-hall-closed]")
    expect(notice).to_be_visible()
    expect(notice.locator("h1")).to_have_text("非办公时间")
    expect(notice).to_contain_text("大厅现在不取号，10月8日（星期四）08:30再开放。")
    expect(notice).to_contain_text("It opens again Thursday 8 October at 08:30.")
    expect(page.locator("button")).to_have_count(0)
    expect(page.locator("[data-clock]")).to_have_text("2026-10-01 10:00")  # the hall's clock
    shot(page, "kiosk-closed-national-day")


@pytest.mark.hall_clock("2026-11-23T16:29:00+08:00")
def test_an_open_kiosk_turns_to_the_closed_screen_when_the_last_ticket_has_gone(client):
    html = client.get("/kiosk/HQ").get_data(as_text=True)
    assert 'name="service" value="EXAM"' in html
    reload_in = int(re.search(r'data-reload-after="(\d+)"', html).group(1))
    assert 59 <= reload_in <= 60  # at 16:30:00, when the last ticket has gone
