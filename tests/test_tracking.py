"""Following a visit by its service number: the ticket's QR leads here."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from conftest import actor
from hall import queue
from hall.models import Staff
from hall.web.extensions import db

pytestmark = pytest.mark.hall_open  # tickets are taken and windows opened: in opening hours


@pytest.fixture
def ticket(client):
    return client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"}).get_json()


def page(client, path: str):
    r = client.get(path)
    return r, r.get_data(as_text=True)


def test_the_qr_link_shows_where_the_visit_stands(client, ticket):
    r, html = page(client, ticket["track_url"].removeprefix("http://localhost"))
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert "A001" in html and "公务员考试录用资格复审" in html
    assert "排队中：前面还有 0 人" in html
    assert "查询码已验证" in html
    assert "取号 A001" in html


def test_the_timeline_follows_the_moves_and_never_names_the_clerk(client, app, ticket):
    with app.app_context():
        clerk = actor(app, "clerk03")
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        queue.call_next(db.session, "HQ", 3, actor=clerk)
        queue.finish(db.session, "HQ", 3, actor=clerk)
        name = db.session.scalar(sa.select(Staff.name).where(Staff.username == "clerk03"))
    _, html = page(client, f"/track/{ticket['service_no']}")
    assert "呼叫至 3 号窗口" in html and "在 3 号窗口办结" in html and "已办结" in html
    assert "clerk03" not in html and name not in html


def test_a_number_alone_is_not_the_access_code(client, ticket):
    _, plain = page(client, f"/track/{ticket['service_no']}")
    _, wrong = page(client, f"/track/{ticket['service_no']}?c=ZZZZZZZZ")
    assert "查询码已验证" not in plain and "查询码已验证" not in wrong
    assert ticket["access_code"] not in plain


def test_typing_the_number_with_separators_works(client, ticket):
    html = client.get("/track").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    r = client.post("/track", data={"csrf_token": token,
                                    "service_no": ticket["service_no_display"].replace("-", " ")})
    assert r.status_code == 200 and "A001" in r.get_data(as_text=True)


@pytest.mark.parametrize("typed,status,message", [
    ("12345", 400, "服务编号共 15 位"),
    ("261122001000425", 400, "校验位不符"),       # one digit off: caught by the check character
    ("200101001000015", 404, "未找到该服务编号"),  # well formed, never issued
])
def test_a_wrong_number_gets_a_helpful_answer(client, typed, status, message):
    r, html = page(client, f"/track/{typed}")
    assert r.status_code == status
    assert message in html
