"""The manager's pages (#10.12) and where each member of staff lands after signing in (#10.14).

The follow-ups page links each poor rating to its case or visit, gives the telephone for the
call-back and leads back to the dashboard; extension requests wait in a queue of their own,
decided there; the dashboard shows the yellow and red tables first and no red for 0."""
from __future__ import annotations

import re

import sqlalchemy as sa

from conftest import MONDAY_0930, actor
from hall import cases, clock, deadlines, queue, ratings
from hall.events import Actor
from hall.models import Case, Event
from hall.web.extensions import db
from test_auth import csrf_token, sign_in
from tracking_helpers import PHONE, desk  # noqa: F401

FOLLOWUPS = "/hall/HQ/followups"
EXTENSIONS = "/hall/HQ/extension-requests"


def manager(app):
    client = app.test_client()
    sign_in(client, "manager")
    return client


# -- follow-ups ------------------------------------------------------------------------------

def test_a_follow_up_links_to_its_case_and_gives_the_number_to_call_back(app, desk):  # noqa: F811
    ticket, case = desk.accept()
    desk.close(case)
    desk.do(ratings.rate, ticket, level=1, comment="太慢", case_id=case.id,
            actor=Actor("visitor"))
    visit = desk.ticket()
    desk.finish(visit)
    desk.do(ratings.rate, visit, level=2, comment="没人理", actor=Actor("visitor"))
    html = manager(app).get(FOLLOWUPS).get_data(as_text=True)
    assert f'href="/hall/HQ/cases/{case.id}"' in html and "BJ261123-001-0001-" in html
    assert f'href="tel:{PHONE}"' in html  # the applicant's own number, for the call-back
    assert f'href="/track/{visit.service_no}"' in html  # a visit without a case: its page
    assert "未留电话" in html  # and no number was given for it
    assert 'href="/hall/HQ/dashboard" data-back' in html  # the way back


def test_the_follow_ups_page_stays_with_managers(app):
    client = app.test_client()
    sign_in(client, "division01")
    assert client.get(FOLLOWUPS).status_code == 403


# -- extension requests ------------------------------------------------------------------------

def test_extension_requests_wait_in_a_queue_and_are_decided_there(app, desk):  # noqa: F811
    _, first = desk.accept()
    _, second = desk.accept()
    desk.do(cases.request_extension, first.id, actor=desk.civil, days=3, reason="需专家会审")
    desk.do(cases.request_extension, second.id, actor=desk.civil, days=5, reason="待外省函复")
    client = manager(app)
    html = client.get(EXTENSIONS).get_data(as_text=True)
    rows = re.findall(r'<tr class="warning-\w+" data-case="(\d+)"', html)
    assert rows == [str(first.id), str(second.id)]  # the nearest deadline first
    assert "需专家会审" in html and "3 个工作日" in html and "BJ261123-001-0001-" in html
    dashboard = client.get("/hall/HQ/dashboard").get_data(as_text=True)
    assert re.search(r'data-extension-requests><span class="figure-name">延期审批</span>'
                     r'<span class="figure-value" data-figure="extensions_pending">2<', dashboard)
    token = csrf_token(client, EXTENSIONS)
    r = client.post(f"{EXTENSIONS}/{first.id}", data={"csrf_token": token, "approve": "1",
                                                      "note": "同意"}, follow_redirects=True)
    assert "已批准办件 BJ261123-001-0001-" in r.get_data(as_text=True)
    client.post(f"{EXTENSIONS}/{second.id}", data={"csrf_token": token, "approve": "0"})
    with app.app_context():
        kinds = list(db.session.scalars(sa.select(Event.kind).where(
            Event.kind.in_(("case.extension_granted", "case.extension_refused")))
            .order_by(Event.id)))
        assert kinds == ["case.extension_granted", "case.extension_refused"]
        assert db.session.get(Case, first.id).extension_days == 3
    html = client.get(EXTENSIONS).get_data(as_text=True)
    assert 'data-case="' not in html and "没有等待审批的延期申请" in html
    # Only managers; a second decision of the same request is a message, not an error.
    division = app.test_client()
    sign_in(division, "division01")
    assert division.get(EXTENSIONS).status_code == 403
    r = client.post(f"{EXTENSIONS}/{first.id}", data={"csrf_token": token, "approve": "1"},
                    follow_redirects=True)
    assert r.status_code == 200 and "没有等待审批的延期申请" in r.get_data(as_text=True)


# -- the dashboard -----------------------------------------------------------------------------

def test_the_dashboard_shows_yellow_and_red_first_and_no_red_for_zero(app):
    client = manager(app)
    with clock.frozen(MONDAY_0930):
        html = client.get("/hall/HQ/dashboard").get_data(as_text=True)
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert headings[:2] == ["黄牌、红牌办件（按处室）", "按承办人"]
    red = re.search(r'<a class="(figure figure-red[^"]*)"', html).group(1)
    assert "count-zero" in red.split()  # 0 overdue: not shown in red


def test_a_red_figure_is_red_only_when_something_is_overdue(app, desk):  # noqa: F811
    _, case = desk.accept()
    desk.clock.advance(days=10)
    desk.do(deadlines.tick)
    html = manager(app).get("/hall/HQ/dashboard").get_data(as_text=True)
    red = re.search(r'<a class="(figure figure-red[^"]*)"', html).group(1)
    assert "count-zero" not in red.split()


# -- where each one lands --------------------------------------------------------------------------

def landing(app, username: str) -> str:
    client = app.test_client()
    r = sign_in(client, username)
    assert r.status_code == 302
    return r.headers["Location"]


def test_each_member_of_staff_lands_where_their_work_is(app):
    assert landing(app, "manager") == "/hall/HQ/dashboard"
    assert landing(app, "division01") == "/hall/HQ/cases"
    assert landing(app, "admin") == "/admin/"
    # A clerk assigned one window lands on it from the first day…
    assert landing(app, "clerk03") == "/hall/HQ/windows/3"
    # …one assigned two (clerk01: windows 1 and 2) chooses from the list until they work one…
    assert landing(app, "clerk01") == "/hall/HQ/windows"
    who = actor(app, "clerk01")

    def move(*steps):
        with app.app_context():
            for step, no in steps:
                step(db.session, "HQ", no, actor=who)

    with clock.frozen(MONDAY_0930) as frozen:
        move((queue.open_window, 2))
        # …one at a window lands on it…
        assert landing(app, "clerk01") == "/hall/HQ/windows/2"
        move((queue.close_window, 2))
        frozen.advance(days=1)
        # …and the next morning, on the window they worked.
        assert landing(app, "clerk01") == "/hall/HQ/windows/2"
        move((queue.open_window, 1), (queue.close_window, 1))
        # One who moves between their windows chooses again.
        assert landing(app, "clerk01") == "/hall/HQ/windows"


def test_an_explicit_next_page_still_wins(app):
    client = app.test_client()
    r = sign_in(client, "manager", next_path="/hall/HQ/cases")
    assert r.headers["Location"] == "/hall/HQ/cases"
