"""The audit log page: every change with who and when, newest first, filtered and paged;
administrators only."""
from __future__ import annotations

import re

import pytest

from conftest import MONDAY_0930, actor
from hall import admin, clock
from hall.web.extensions import db
from test_auth import sign_in


def kinds(html: str) -> list[str]:
    return re.findall(r'data-kind="([^"]+)"', html)


@pytest.fixture
def changes(app):
    """Three administrative changes on three days, by the administrator."""
    who = actor(app, "admin")
    with clock.frozen(MONDAY_0930) as frozen, app.app_context():
        admin.add_window(db.session, "HQ", no=30, services=["EXAM"], actor=who)
        frozen.advance(days=1)
        admin.create_division(db.session, "HRB", code="AUDIT", name_zh="审计科",
                              name_en="Audit", actor=who)
        frozen.advance(days=1)
        admin.edit_service(db.session, "HQ", "EXAM", time_limit_days=7, actor=who)
        db.session.remove()


def test_only_administrators_read_the_log(client):
    assert client.get("/admin/audit").status_code == 302
    for username in ("clerk03", "manager", "hrb-manager"):
        sign_in(client, username)
        assert client.get("/admin/audit").status_code == 403


def test_changes_appear_newest_first_with_who_and_when(client, changes):
    sign_in(client, "admin")
    html = client.get("/admin/audit?kind=admin.").get_data(as_text=True)
    assert kinds(html) == ["admin.service_edited", "admin.division_created",
                           "admin.window_added"]
    assert html.count('data-actor="admin"') == 3
    # when, in the hall's time: Monday 09:30 + 2 days
    assert "2026-11-25 09:30:00" in html and "2026-11-23 09:30:00" in html
    # what changed, before and after, in words
    assert "时限：<del>5 个工作日</del> → <ins>7 个工作日</ins>" in html


def test_filters_by_hall_kind_actor_and_days(client, changes):
    sign_in(client, "admin")
    html = client.get("/admin/audit?kind=admin.&hall=HRB").get_data(as_text=True)
    assert kinds(html) == ["admin.division_created"]
    html = client.get("/admin/audit?kind=admin.window").get_data(as_text=True)
    assert kinds(html) == ["admin.window_added"]
    html = client.get("/admin/audit?kind=admin.&since=2026-11-24&until=2026-11-24").get_data(
        as_text=True)
    assert kinds(html) == ["admin.division_created"]
    html = client.get("/admin/audit?actor=nobody").get_data(as_text=True)
    assert kinds(html) == []
    html = client.get("/admin/audit?actor=admin&kind=staff.").get_data(as_text=True)
    assert kinds(html) == ["staff.signed_in"]
    # nonsense in the filters is ignored or matches nothing, never an error
    assert client.get("/admin/audit?since=yesterday&before=x&kind=%25_").status_code == 200


def test_the_log_is_paged(client, app):
    who = actor(app, "admin")
    with app.app_context():
        for no in range(30, 85):
            admin.add_window(db.session, "HQ", no=no, actor=who)
        db.session.remove()
    sign_in(client, "admin")
    first = client.get("/admin/audit?kind=admin.").get_data(as_text=True)
    assert len(kinds(first)) == 50
    older = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(older).get_data(as_text=True)
    assert len(kinds(second)) == 5 and 'rel="next"' not in second
    ids = [int(i) for i in re.findall(r'data-event="(\d+)"', first + second)]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 55


def test_a_city_administrator_sees_only_their_hall(client, app, changes):
    with app.app_context():
        admin.create_staff(db.session, "HRB", username="hrb-admin", name="市管理员",
                           password="cityadmin9", roles=["admin"], actor=actor(app, "admin"))
    sign_in(client, "hrb-admin", "cityadmin9")
    html = client.get("/admin/audit?kind=admin.").get_data(as_text=True)
    assert kinds(html) == ["admin.staff_created", "admin.division_created"]
    assert kinds(client.get("/admin/audit?kind=admin.&hall=HQ").get_data(as_text=True)) == []


def test_an_admin_change_made_on_a_page_appears_in_the_log(client):
    from test_auth import csrf_token

    sign_in(client, "admin")
    token = csrf_token(client, "/admin/halls/HQ/divisions")
    client.post("/admin/halls/HQ/divisions", data={"csrf_token": token, "code": "NEW",
                                                   "name_zh": "新处", "name_en": "New"})
    html = client.get("/admin/audit").get_data(as_text=True)
    assert kinds(html)[0] == "admin.division_created"
    assert re.search(r'data-kind="admin.division_created" data-actor="admin"', html)
