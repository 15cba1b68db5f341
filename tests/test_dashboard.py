"""The manager's dashboard: the figures of a scripted morning, and who may see which hall."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from conftest import actor
from hall import (
    applications,
    booking_figures,
    cases,
    channel_figures,
    clock,
    dashboard,
    deadlines,
    issuing,
    queue,
    ratings,
    stats,
)
from hall.events import Actor
from hall.web.extensions import db
from test_auth import sign_in

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)  # the hall's day starts at 16:00 UTC before


def at(hour: int, minute: int) -> datetime:
    """A time of Monday 23 November 2026 in the hall's zone (+08:00)."""
    return MONDAY + timedelta(hours=hour - 8, minutes=minute)


def scripted_morning(app) -> int:
    """HQ's morning at window 3 (exam recruitment, prefix A); returns the red case's id.

    08:30 A001 issued · 08:43 A002 issued · 08:45 window 3 opens · 08:50 A001 called (waited
    20) · 09:02 A001 accepted as a case, so finished (served 12) · 09:05 A002 called (waited
    22) · 09:10 A002 no-show · 09:15 A003 issued, still waiting at 09:30 (15 minutes). The
    case is taken up by division01 and overdue by March; the visit of A001 is rated 4."""
    clerk, division = actor(app, "clerk03"), actor(app, "division01")
    with app.app_context(), clock.frozen(at(8, 30)) as frozen:
        s = db.session
        issuing.issue_ticket(s, "HQ", "EXAM")
        frozen.at = at(8, 43)
        issuing.issue_ticket(s, "HQ", "EXAM")
        frozen.at = at(8, 45)
        queue.open_window(s, "HQ", 3, actor=clerk)
        frozen.at = at(8, 50)
        queue.call_ticket(s, "HQ", 3, "A001", actor=clerk)
        frozen.at = at(9, 2)
        case = cases.accept(s, "HQ", 3, actor=clerk, applicant_name="李四", subject="资格复审")
        case_id = case.id
        ratings.rate(s, case.ticket, level=4, comment="", actor=Actor("visitor"))
        cases.take(s, case_id, actor=division)
        frozen.at = at(9, 5)
        queue.call_ticket(s, "HQ", 3, "A002", actor=clerk)
        frozen.at = at(9, 10)
        queue.mark_no_show(s, "HQ", 3, actor=clerk)
        frozen.at = at(9, 15)
        issuing.issue_ticket(s, "HQ", "EXAM")
        result = deadlines.tick(s, now=datetime(2027, 3, 1, tzinfo=UTC))
        assert result.red == 1
    return case_id


def zh(msgid: str) -> str:
    """The Chinese of a message as the catalogue has it."""
    from flask import current_app
    from flask_babel import force_locale, gettext
    with current_app.test_request_context(), force_locale("zh_CN"):
        return gettext(msgid)


def snapshot_at(app, when: datetime, code: str = "HQ") -> dashboard.Snapshot:
    with app.app_context(), clock.frozen(when):
        return dashboard.snapshot(db.session, queue.get_hall(db.session, code))


def test_the_figures_of_a_scripted_morning(app):
    scripted_morning(app)
    snap = snapshot_at(app, at(9, 30))

    assert (snap.issued, snap.waiting, snap.at_windows, snap.finished, snap.no_show) == \
        (3, 1, 0, 1, 1)
    assert snap.longest_wait_min == 15
    assert snap.avg_wait_min == 21.0          # (20 + 22) / 2
    assert snap.avg_service_min == 12.0       # 08:50 → 09:02
    assert snap.no_show_rate == 0.5
    exam = next(s for s in snap.services if s.code == "EXAM")
    assert (exam.waiting, exam.longest_wait_min, exam.issued, exam.avg_wait_min) == \
        (1, 15, 3, 21.0)
    assert all(s.waiting == 0 for s in snap.services if s.code != "EXAM")

    window3 = next(w for w in snap.windows if w.no == 3)
    assert (window3.state, window3.serving, window3.clerk) == ("open", None, "张丽华")
    assert snap.open_windows == 1 and len(snap.windows) == 22

    assert snap.arrivals_by_hour[8] == 2 and snap.arrivals_by_hour[9] == 1
    assert sum(snap.arrivals_by_hour) == 3
    assert [(b.low, b.high, b.count) for b in snap.wait_distribution] == [
        (0, 5, 0), (5, 10, 0), (10, 20, 0), (20, 30, 2), (30, 60, 0), (60, None, 0)]

    assert [(d.code, d.yellow, d.red) for d in snap.divisions] == [("CIVIL", 0, 1)]
    assert [(p.username, p.division, p.red) for p in snap.people] == [("division01", "CIVIL", 1)]
    assert (snap.yellow, snap.red) == (0, 1)
    assert (snap.ratings, snap.rating_avg, snap.followups_open, snap.followups_red) == \
        (1, 4.0, 0, 0)

    body = snap.as_dict()
    assert body["day"] == "2026-11-23" and body["red"] == 1 and body["open_windows"] == 1


def test_a_call_is_at_a_window_and_waits_start_counting_from_the_issue(app):
    clerk = actor(app, "clerk03")
    with app.app_context(), clock.frozen(at(10, 0)) as frozen:
        issuing.issue_ticket(db.session, "HQ", "EXAM")
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        frozen.at = at(10, 4)
        queue.call_next(db.session, "HQ", 3, actor=clerk)
    snap = snapshot_at(app, at(10, 5))
    assert (snap.waiting, snap.at_windows, snap.longest_wait_min) == (0, 1, None)
    assert next(w for w in snap.windows if w.no == 3).serving == "A001"
    assert snap.wait_distribution[0].count == 1  # 4 minutes: the 0–5 bucket
    assert snap.avg_service_min is None and snap.no_show_rate == 0.0  # nobody missed a call


def test_the_wait_ends_at_the_first_call_as_in_the_daily_report(app):
    """A transfer and a second call at another window do not make the visitor's wait
    longer, on the dashboard as in ``hall.stats`` (the report): both count the same wait."""
    clerk3, clerk4 = actor(app, "clerk03"), actor(app, "clerk04")
    with app.app_context(), clock.frozen(at(10, 0)) as frozen:
        issuing.issue_ticket(db.session, "HQ", "EXAM")
        queue.open_window(db.session, "HQ", 3, actor=clerk3)
        queue.open_window(db.session, "HQ", 4, actor=clerk4)
        frozen.at = at(10, 6)
        queue.call_next(db.session, "HQ", 3, actor=clerk3)
        queue.transfer(db.session, "HQ", 3, actor=clerk3, to_window=4)
        frozen.at = at(10, 20)
        queue.call_next(db.session, "HQ", 4, actor=clerk4)
    snap = snapshot_at(app, at(10, 21))
    assert snap.avg_wait_min == 6.0
    assert next(s for s in snap.services if s.code == "EXAM").avg_wait_min == 6.0


def test_yesterday_is_not_today(app):
    scripted_morning(app)
    snap = snapshot_at(app, at(9, 30) + timedelta(days=1))
    assert (snap.issued, snap.waiting, snap.avg_wait_min, snap.ratings) == (0, 0, None, 0)
    assert sum(snap.arrivals_by_hour) == 0
    assert snap.red == 1  # an overdue case stays overdue until it moves


def test_a_snapshot_reuses_its_statements_and_still_sees_every_move(app):
    """The day's figure statements are built once (hall.period.built_once) and run again
    for every snapshot: what they count is read afresh each time."""
    builders = (stats._tickets_statement, booking_figures._tickets_query,
                channel_figures._moves_statement, applications._figures_statement)
    first = snapshot_at(app, at(10, 0))
    hits = [b.cache_info().hits for b in builders]
    with app.app_context(), clock.frozen(at(10, 1)):
        issuing.issue_ticket(db.session, "HQ", "EXAM")
        issuing.issue_ticket(db.session, "HQ", "TITLE")
    again = snapshot_at(app, at(10, 2))
    assert all(b.cache_info().hits > h for b, h in zip(builders, hits, strict=True))  # reused
    assert (again.issued, again.waiting) == (first.issued + 2, first.waiting + 2)
    exam = next(s for s in again.services if s.code == "EXAM")
    assert exam.issued == next(s for s in first.services if s.code == "EXAM").issued + 1
    assert again.arrivals_by_hour[10] == first.arrivals_by_hour[10] + 2


def test_the_figures_on_postgresql_too(any_app):
    scripted_morning(any_app)
    snap = snapshot_at(any_app, at(9, 30))
    assert (snap.avg_wait_min, snap.avg_service_min, snap.longest_wait_min) == (21.0, 12.0, 15)
    assert snap.arrivals_by_hour[8:10] == [2, 1]
    assert [b.count for b in snap.wait_distribution] == [0, 0, 0, 2, 0, 0]
    assert snap.red == 1


# -- the pages --------------------------------------------------------------------------------

def test_the_page_shows_the_snapshot_without_javascript(app, client):
    case_id = scripted_morning(app)
    with clock.frozen(at(9, 30)):
        sign_in(client, "manager")
        r = client.get("/hall/HQ/dashboard")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    page = r.get_data(as_text=True)
    assert re.search(r'data-figure="issued">3<', page)
    assert re.search(r'data-figure="avg_wait_min">21.0<', page)
    assert re.search(r'data-figure="no_show_rate">50%<', page)
    assert "张丽华" in page and "公务员管理处" in page and "宋文博" in page
    # The red count drills down to the division's overdue cases.
    link = re.search(r'<a class="count red" data-red href="([^"]+)">1</a>', page).group(1)
    assert link == "/hall/HQ/cases?warning=red&amp;division=CIVIL"
    with app.app_context():
        label = zh("Daily reports")
    inbox = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert f'data-case="{case_id}"' in inbox
    # A person's red count drills down to that person's overdue cases only.
    person = re.search(r'<tr data-person="division01">.*?<a class="count red" href="([^"]+)">1</a>',
                       page, re.S).group(1).replace("&amp;", "&")
    assert person == "/hall/HQ/cases?warning=red&division=CIVIL&handler=division01"
    theirs = client.get(person).get_data(as_text=True)
    assert f'data-case="{case_id}"' in theirs and 'data-handler="division01"' in theirs
    others = client.get(person.replace("division01", "division02")).get_data(as_text=True)
    assert f'data-case="{case_id}"' not in others
    reports = re.search(r'<a class="button primary" href="/hall/HQ/reports" data-reports>([^<]+)</a>',
                        page).group(1)
    assert reports == label  # 日报
    assert "<svg" in page and 'data-chart="arrivals"' in page and 'data-chart="waits"' in page
    assert "socket.io.min.js" in page and "dashboard.js" in page


def test_the_page_in_english(app, client):
    sign_in(client, "manager")
    page = client.get("/hall/HQ/dashboard?lang=en").get_data(as_text=True)
    assert "Average wait" in page and "Daily reports" in page


@pytest.mark.parametrize("username", ["clerk03", "division01", "admin"])
def test_only_managers_open_the_dashboard(client, username):
    sign_in(client, username)
    assert client.get("/hall/HQ/dashboard").status_code == 403
    assert client.get("/dashboard").status_code == 403


def test_strangers_are_sent_to_sign_in(client):
    r = client.get("/hall/HQ/dashboard")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_a_city_manager_sees_only_their_hall(client):
    sign_in(client, "hrb-manager")
    assert client.get("/hall/HQ/dashboard").status_code == 403
    assert client.get("/hall/HRB/dashboard").status_code == 200
    r = client.get("/dashboard")
    assert r.status_code == 302 and r.headers["Location"].endswith("/hall/HRB/dashboard")


def test_a_provincial_manager_sees_every_hall_side_by_side(app, client):
    scripted_morning(app)
    with clock.frozen(at(9, 30)):
        sign_in(client, "manager")
        assert client.get("/hall/HRB/dashboard").status_code == 200
        page = client.get("/dashboard").get_data(as_text=True)
    assert 'data-snapshot="HQ"' in page and 'data-snapshot="HRB"' in page
    assert page.index('data-snapshot="HQ"') < page.index('data-snapshot="HRB"')
    hq = page[page.index('data-snapshot="HQ"'):page.index('data-snapshot="HRB"')]
    assert re.search(r'data-figure="issued">3<', hq) and re.search(r'data-figure="red">1<', hq)
    assert 'href="/hall/HRB/dashboard"' in page and 'href="/hall/HRB/reports"' in page


def test_an_unknown_hall_is_a_page_not_a_crash(client):
    sign_in(client, "manager")
    assert client.get("/hall/NOPE/dashboard").status_code == 404
