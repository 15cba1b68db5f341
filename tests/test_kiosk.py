"""The kiosk as a visitor uses it, without JavaScript: choose, tap, get a ticket."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from hall.models import ServiceItem, Ticket
from hall.web.extensions import db

pytestmark = pytest.mark.hall_open  # tickets are taken and windows opened: in opening hours


def form_fields(html: str) -> dict:
    """The hidden fields of the kiosk's form, as the browser would send them."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def tap(client, service: str, *, hall="HQ", lang=None, **extra):
    page = client.get(f"/kiosk/{hall}" + (f"?lang={lang}" if lang else ""))
    fields = form_fields(page.get_data(as_text=True))
    return client.post(f"/kiosk/{hall}/tickets", data={**fields, "service": service, **extra})


def count_tickets(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Ticket))


def test_the_start_screen_is_chinese_with_every_open_service_and_its_queue(client):
    client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"})
    html = client.get("/kiosk/HQ").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "请选择您要办理的事项" in html
    assert "公务员考试录用资格复审" in html and "军队转业干部安置" in html
    assert 'data-waiting-for="EXAM">1<' in html
    assert 'data-waiting-for="TITLE">0<' in html
    assert ">English<" in html


def test_english_on_request_and_back_to_chinese_for_the_next_visitor(client):
    english = client.get("/kiosk/HQ?lang=en").get_data(as_text=True)
    assert "Please choose your service" in english
    assert "Civil service recruitment examination" in english
    assert ">中文<" in english
    # The choice lives in the link, not in a cookie: the start screen is Chinese again.
    assert "请选择您要办理的事项" in client.get("/kiosk/HQ").get_data(as_text=True)


def test_taking_a_ticket_shows_number_place_and_codes(client, app):
    r = tap(client, "EXAM")
    html = r.get_data(as_text=True)
    assert r.status_code == 201
    assert r.headers["Cache-Control"] == "no-store"
    ticket = _only_ticket(app)
    assert "A001" in html and "公务员考试录用资格复审" in html
    assert f"{ticket.service_no[:6]}-{ticket.service_no[6:9]}-" in html
    assert ticket.access_code in html
    assert "<svg" in html and "扫码查询办理进度" in html
    assert f"/api/v1/tickets/{ticket.service_no}/ticket.pdf?code={ticket.access_code}" in html


def test_a_double_tap_gives_one_ticket(client, app):
    page = client.get("/kiosk/HQ").get_data(as_text=True)
    fields = {**form_fields(page), "service": "EXAM"}
    first = client.post("/kiosk/HQ/tickets", data=fields)
    second = client.post("/kiosk/HQ/tickets", data=fields)
    assert count_tickets(app) == 1
    assert "A001" in second.get_data(as_text=True)
    assert "您已取过号" in second.get_data(as_text=True)
    assert first.status_code == second.status_code == 201


def test_a_priority_ticket_says_so(client, app):
    html = tap(client, "EXAM", priority="elderly").get_data(as_text=True)
    assert "优先服务" in html
    assert _only_ticket(app).priority_reason == "elderly"


def test_a_form_without_its_csrf_token_is_refused_readably(client, app):
    r = client.post("/kiosk/HQ/tickets", data={"service": "EXAM"})
    assert r.status_code == 400 and r.mimetype == "text/html"
    assert "页面已过期" in r.get_data(as_text=True)
    assert count_tickets(app) == 0


def test_refusals_are_pages_a_visitor_can_read(client, app):
    nothing = tap(client, "")
    unknown = tap(client, "NOPE")
    assert (nothing.status_code, unknown.status_code) == (400, 404)
    assert "请选择办理事项" in nothing.get_data(as_text=True)
    assert "没有代码为 NOPE 的事项" in unknown.get_data(as_text=True)
    no_hall = client.get("/kiosk/XX")
    assert no_hall.status_code == 404 and "没有代码为 XX 的大厅" in no_hall.get_data(as_text=True)
    assert 'href="/kiosk/XX"' not in no_hall.get_data(as_text=True)
    assert count_tickets(app) == 0


def test_a_service_closed_after_the_screen_was_shown_is_refused(client, app):
    page = client.get("/kiosk/HQ").get_data(as_text=True)
    with app.app_context():
        db.session.execute(sa.update(ServiceItem).where(ServiceItem.code == "EXAM")
                           .values(active=False))
        db.session.commit()
    r = client.post("/kiosk/HQ/tickets", data={**form_fields(page), "service": "EXAM"})
    assert r.status_code == 409 and "暂不办理" in r.get_data(as_text=True)
    assert "公务员考试录用资格复审" not in client.get("/kiosk/HQ").get_data(as_text=True)


def test_the_city_hall_has_its_own_kiosk_and_numbers(client):
    tap(client, "EXAM")
    html = tap(client, "EXAM", hall="HRB").get_data(as_text=True)
    assert "A001" in html and "哈尔滨市" in html


def test_kiosk_pages_load_nothing_from_outside_the_hall(client):
    for path in ("/kiosk/HQ", "/kiosk/HQ?lang=en"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r'(src|href)="(https?:)?//', html)
        assert "<script>" not in html  # scripts are static files: no inline code


def _only_ticket(app) -> Ticket:
    with app.app_context():
        return db.session.scalars(sa.select(Ticket)).one()
