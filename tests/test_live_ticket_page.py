"""The live ticket on the phone, ``/t/<service number>``: the ticket's QR leads here."""
from __future__ import annotations

import re

import pytest

from conftest import actor
from hall import queue
from hall.web.extensions import db
from tracking_helpers import never_issued

pytestmark = pytest.mark.hall_open  # tickets are taken and windows opened


@pytest.fixture
def ticket(client):
    return client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"}).get_json()


def path_of(url: str) -> str:
    return url.removeprefix("http://localhost")


def test_the_qr_opens_the_live_ticket_with_the_place_and_no_copy_is_kept(client, ticket):
    assert re.fullmatch(r"http://localhost/t/\d{14}[\dX]\?c=\w+", ticket["ticket_url"])
    r = client.get(path_of(ticket["ticket_url"]))
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-store" and r.headers["Referrer-Policy"] == "no-referrer"
    assert "A001" in html and "公务员考试录用资格复审" in html
    assert "下一位就是您" in html and "办理该事项的窗口尚未开放" in html
    assert f'data-service-no="{ticket["service_no"]}"' in html
    assert "socket.io.min.js" in html and "ticket.js" in html


def test_the_kiosk_screen_and_the_printed_ticket_carry_the_live_ticket_address(
        client, ticket, monkeypatch):
    from hall import printing
    from test_kiosk import tap

    encoded: list[str] = []
    real_svg, real_block = printing.qr_svg, printing._qr
    monkeypatch.setattr(printing, "qr_svg", lambda url: encoded.append(url) or real_svg(url))
    monkeypatch.setattr(printing, "_qr", lambda url: encoded.append(url) or real_block(url))
    kiosk = tap(client, "EXAM")
    assert kiosk.status_code == 201
    pdf = client.get(path_of(ticket["pdf_url"]) if ticket["pdf_url"].startswith("http")
                     else ticket["pdf_url"])
    assert pdf.status_code == 200
    assert len(encoded) == 2
    assert all(re.fullmatch(r"http://localhost/t/\d{14}[\dX]\?c=\w+", url) for url in encoded)
    assert f"/t/{ticket['service_no']}?c={ticket['access_code']}" in encoded[1]


def test_a_called_visitor_sees_the_window_in_large_type(client, app, ticket):
    with app.app_context():
        clerk = actor(app, "clerk04")
        queue.open_window(db.session, "HQ", 4, actor=clerk)
        queue.call_next(db.session, "HQ", 4, actor=clerk)
    html = client.get(path_of(ticket["ticket_url"])).get_data(as_text=True)
    assert "请立即到 4 号窗口办理" in html
    assert re.search(r'data-window-no>4<', html)
    assert "status-called" in html


def test_without_the_code_the_page_asks_for_it_and_shows_nothing(client, ticket):
    r = client.get(f"/t/{ticket['service_no']}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "A001" not in html and 'name="code"' in html


def test_a_wrong_code_and_an_unknown_number_read_the_same(client, ticket):
    number = ticket["service_no"]
    wrong = client.post(f"/t/{number}", data={"code": "WRONG1"})
    unknown = client.post(f"/t/{never_issued(number)}", data={"code": ticket["access_code"]})
    assert wrong.status_code == unknown.status_code == 404
    words = re.compile(r'<p class="error" role="alert">(.*?)</p>', re.S)
    assert words.search(wrong.get_data(as_text=True)).group(1) == \
        words.search(unknown.get_data(as_text=True)).group(1)
    assert "A001" not in wrong.get_data(as_text=True)


def test_the_code_typed_by_hand_opens_the_page(client, ticket):
    r = client.post(f"/t/{ticket['service_no']}", data={"code": ticket["access_code"].lower()})
    assert r.status_code == 200 and "A001" in r.get_data(as_text=True)


@pytest.mark.parametrize("raw", ["12345", "x" * 500, "1\x002", "%00", "../../etc"])
def test_nonsense_numbers_get_a_readable_page(client, raw):
    for r in (client.get(f"/t/{raw}?c=ABC"), client.post(f"/t/{raw}", data={"code": "A\x00"})):
        html = r.get_data(as_text=True)
        assert r.status_code in (400, 404) and "<main" in html and "A001" not in html


def test_lookups_are_rate_limited(client, app, ticket):
    app.config["TRACK_RATE_LIMIT"] = "3 per minute"
    answers = [client.get(path_of(ticket["ticket_url"])).status_code for _ in range(5)]
    assert answers[:3] == [200, 200, 200] and answers[3:] == [429, 429]
