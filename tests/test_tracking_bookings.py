"""A booked visit on the tracking pages before it has a ticket: the booking's ``track_url``
and the live ticket page say when and how to check in, not "no such visit"."""
from __future__ import annotations

import pytest

from hall import clock
from test_bookings import MONDAY_MORNING, at, book, check_in


def path_of(url: str) -> str:
    return url.removeprefix("http://localhost")


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_the_booking_address_shows_the_slot_and_how_to_check_in(client):
    made = book(client).get_json()
    html = client.get(path_of(made["track_url"])).get_data(as_text=True)
    assert "已预约：2026-11-24 09:00" in html
    assert "08:30 起在大厅取号机上凭预约码或二维码签到" in html
    assert made["booking_code"] in html  # with the code: the booking code too
    assert "欧阳" not in html and "13800138000" not in html  # never the person


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_without_the_code_the_slot_but_not_the_booking_code(client):
    made = book(client).get_json()
    r = client.get(f"/track/{made['service_no']}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "已预约" in html and made["booking_code"] not in html
    live = client.get(f"/t/{made['service_no']}")
    assert made["booking_code"] not in live.get_data(as_text=True)  # asks for the code


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_a_wrong_code_for_a_booking_reads_like_an_unknown_number(client):
    made = book(client).get_json()
    wrong = client.get(f"/track/{made['service_no']}?c=ZZZZZZZZ")
    assert wrong.status_code == 404 and "已预约" not in wrong.get_data(as_text=True)
    live = client.post(f"/t/{made['service_no']}", data={"code": "ZZZZZZZZ"})
    assert live.status_code == 404 and "已预约" not in live.get_data(as_text=True)


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_the_live_page_shows_the_booking_then_the_ticket_once_checked_in(client):
    made = book(client).get_json()
    page = f"/t/{made['service_no']}?c={made['access_code']}"
    assert "已预约" in client.get(page).get_data(as_text=True)
    with clock.frozen(at("2026-11-24T08:45:00+08:00")):
        assert check_in(client, made["booking_code"]).status_code == 201
        html = client.get(page).get_data(as_text=True)
    assert "Y001" in html and "已预约" not in html


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_a_cancelled_booking_says_so(client):
    made = book(client).get_json()
    client.delete(f"/api/v1/bookings/{made['booking_code']}",
                  headers={"X-Access-Code": made["access_code"]})
    html = client.get(path_of(made["track_url"])).get_data(as_text=True)
    assert "该预约已取消" in html


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_a_booking_cannot_be_rated(app, client):
    app.config["WTF_CSRF_ENABLED"] = False  # the rating form's token is not the point here
    made = book(client).get_json()
    r = client.post(f"/track/{made['service_no']}/rate",
                    data={"code": made["access_code"], "level": "5"})
    assert r.status_code == 404


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_the_tracking_api_answers_a_booked_visit(client):
    made = book(client).get_json()
    mine = client.get(f"/api/v1/track/{made['service_no']}",
                      headers={"X-Access-Code": made["access_code"]})
    assert mine.status_code == 200
    body = mine.get_json()[0]
    assert body["detailed_status"] == "booked" and body["number"] is None
    assert body["appointment"] == {"start": "2026-11-24T09:00:00+08:00",
                                   "end": "2026-11-24T09:30:00+08:00",
                                   "booking_code": made["booking_code"]}
    public = client.get(f"/api/v1/track/{made['service_no']}").get_json()[0]
    assert "booking_code" not in public["appointment"] and public["verified"] is False
