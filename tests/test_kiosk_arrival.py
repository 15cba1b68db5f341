"""A ticket taken from home (远程取号), its QR scanned at the kiosk's "I have an appointment"
screen: the kiosk, inside the hall, checks its visitor in, and call-next may call it."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from conftest import actor
from hall import queue
from hall.models import Event, Ticket
from hall.web.extensions import db
from test_kiosk_checkin import check_in

pytestmark = pytest.mark.hall_clock("2026-11-23T10:00:00+08:00")


def join(client, phone: str = "13800138000") -> dict:
    answer = client.post("/api/v1/remote-tickets",
                         json={"hall": "HQ", "service": "EXAM", "phone": phone})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def away(app, number: str) -> bool:
    with app.app_context():
        return db.session.scalar(sa.select(Ticket.away).where(Ticket.number == number))


def test_the_remote_tickets_qr_at_the_kiosk_checks_its_visitor_in(app, client):
    mine = join(client)
    assert away(app, mine["number"]) is True
    r = check_in(client, mine["ticket_url"])  # the scanner types the QR's address
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "签到成功" in html and mine["number"] in html
    assert mine["access_code"] not in html  # the screen is the next visitor's too
    assert away(app, mine["number"]) is False
    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.kind == "ticket.arrived"))
        assert event.data["door"] is False and event.data["late"] is False
        clerk = actor(app, "clerk03")
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        assert queue.call_next(db.session, "HQ", 3, actor=clerk).number == mine["number"]
    again = check_in(client, mine["ticket_url"])
    assert again.status_code == 200 and "您此前已签到" in again.get_data(as_text=True)


def test_a_wrong_code_in_the_qr_checks_nobody_in(app, client):
    mine = join(client)
    forged = mine["ticket_url"].replace(mine["access_code"], "ZZZZZZZZ")
    r = check_in(client, forged)
    assert r.status_code == 404 and away(app, mine["number"]) is True
    assert mine["number"] not in r.get_data(as_text=True)


def test_a_walk_in_tickets_qr_is_not_a_remote_ticket(app, client):
    walk_in = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"}).get_json()
    r = check_in(client, walk_in["ticket_url"])
    assert r.status_code == 409
