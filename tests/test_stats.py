"""Statistics against a scripted day whose figures are worked out by hand.

Monday 23 November 2026 in the provincial hall (Asia/Shanghai), minutes after 09:00:

    ticket  service    issued  first call      then                              served by
    A001    EXAM       0       10 (window 3)   start 12, finish 20               clerk03
    M001    CONSULT    0       10 (window 1)   no-show 12, called again 50,      clerk01
                                               finish 54
    A002    EXAM       5       20 (window 3)   sent to TITLE 26, called at       clerk05
                                               window 5 at 30, finish 40
    M002    CONSULT    15      20 (window 1)   no-show 25                        (clerk01)
    A003    EXAM       60      —               still waiting

Waits (issue → first call): 10, 10, 15, 5 → average 10 minutes.
Service (call at the finishing window → finish): 10, 4, 10 → average 8 minutes.
Four tickets called, one of them a no-show in the end, one transferred: both rates 1/4.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from conftest import actor
from hall import calendar, cases, clock, deadlines, issuing, queue, ratings, stats
from hall.events import Actor
from hall.models import Case, Hall, Ticket
from hall.web.extensions import db

NINE = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in the hall
DAY = date(2026, 11, 23)


def at(frozen, minute: int) -> None:
    frozen.at = NINE + timedelta(minutes=minute)


def scripted_day(app) -> None:
    c1, c3, c5 = (actor(app, f"clerk{n:02d}") for n in (1, 3, 5))
    s = db.session
    with app.app_context(), clock.frozen(NINE) as frozen:
        for no, clerk in ((1, c1), (3, c3), (5, c5)):
            queue.open_window(s, "HQ", no, actor=clerk)
        issuing.issue_ticket(s, "HQ", "EXAM")          # A001
        issuing.issue_ticket(s, "HQ", "CONSULT")       # M001
        at(frozen, 5)
        issuing.issue_ticket(s, "HQ", "EXAM")          # A002
        at(frozen, 10)
        assert queue.call_next(s, "HQ", 3, actor=c3).number == "A001"
        assert queue.call_next(s, "HQ", 1, actor=c1).number == "M001"
        at(frozen, 12)
        queue.start_serving(s, "HQ", 3, actor=c3)
        queue.mark_no_show(s, "HQ", 1, actor=c1)
        at(frozen, 15)
        issuing.issue_ticket(s, "HQ", "CONSULT")       # M002
        at(frozen, 20)
        queue.finish(s, "HQ", 3, actor=c3)
        assert queue.call_next(s, "HQ", 3, actor=c3).number == "A002"
        assert queue.call_next(s, "HQ", 1, actor=c1).number == "M002"
        at(frozen, 25)
        queue.mark_no_show(s, "HQ", 1, actor=c1)
        at(frozen, 26)
        queue.transfer(s, "HQ", 3, actor=c3, to_service="TITLE")
        at(frozen, 30)
        assert queue.call_next(s, "HQ", 5, actor=c5).number == "A002"
        at(frozen, 40)
        queue.finish(s, "HQ", 5, actor=c5)
        at(frozen, 50)
        queue.call_ticket(s, "HQ", 1, "M001", actor=c1)
        at(frozen, 54)
        queue.finish(s, "HQ", 1, actor=c1)
        at(frozen, 60)
        issuing.issue_ticket(s, "HQ", "EXAM")          # A003, never called
        at(frozen, 70)
        visitor = Actor("visitor")
        for number, level in (("A001", 5), ("M001", 2), ("A002", 4)):
            ticket = s.scalar(sa.select(Ticket).where(Ticket.number == number))
            ratings.rate(s, ticket, level=level, actor=visitor)
        s.remove()


def hq(session) -> Hall:
    return session.scalar(sa.select(Hall).where(Hall.code == "HQ"))


def test_a_scripted_day_gives_the_hand_computed_figures(any_app):
    scripted_day(any_app)
    with any_app.app_context():
        figures = stats.tickets(db.session, stats.Period.day(hq(db.session), DAY))
    total = figures.total
    assert (total.tickets, total.called, total.served, total.no_show, total.open,
            total.transferred) == (5, 4, 3, 1, 1, 1)
    assert total.avg_wait_minutes == pytest.approx(10)
    assert total.avg_service_minutes == pytest.approx(8)
    assert total.no_show_rate == total.transfer_rate == 0.25

    by_service = {f.code: f for f in figures.by_service}
    assert set(by_service) == {"EXAM", "TITLE", "CONSULT"}
    exam, title, consult = by_service["EXAM"], by_service["TITLE"], by_service["CONSULT"]
    assert (exam.tickets, exam.called, exam.served, exam.open) == (2, 1, 1, 1)
    assert (exam.avg_wait_minutes, exam.avg_service_minutes) == pytest.approx((10, 10))
    assert (title.tickets, title.transferred, title.transfer_rate) == (1, 1, 1.0)
    assert (title.avg_wait_minutes, title.avg_service_minutes) == pytest.approx((15, 10))
    assert (consult.tickets, consult.served, consult.no_show) == (2, 1, 1)
    assert (consult.avg_wait_minutes, consult.avg_service_minutes) == pytest.approx((7.5, 4))
    assert consult.no_show_rate == 0.5

    assert [(f.key, f.tickets, f.served) for f in figures.by_window] == [
        (1, 2, 1), (3, 1, 1), (5, 1, 1)]
    assert [(f.label_en, f.tickets, f.served, f.no_show) for f in figures.by_clerk] == [
        ("clerk01", 2, 1, 1), ("clerk03", 1, 1, 0), ("clerk05", 1, 1, 0)]
    assert [(f.key, f.tickets, f.avg_wait_minutes) for f in figures.by_hour] == [
        (9, 4, pytest.approx(10)), (10, 1, None)]
    assert [(f.key, f.tickets) for f in figures.by_day] == [(DAY, 5)]


def test_ratings_per_window_and_clerk(any_app):
    scripted_day(any_app)
    with any_app.app_context():
        result = stats.ratings(db.session, stats.Period.day(hq(db.session), DAY))
    assert (result.total.count, result.total.poor) == (3, 1)
    assert result.total.average == pytest.approx(11 / 3)
    assert [(r.key, r.count, r.average, r.poor_rate) for r in result.by_window] == [
        (1, 1, 2.0, 1.0), (3, 1, 5.0, 0.0), (5, 1, 4.0, 0.0)]
    # A rating is about the visit's first owner (首问负责): A002's is clerk03's.
    assert [(r.label_en, r.count, r.average) for r in result.by_clerk] == [
        ("clerk01", 1, 2.0), ("clerk03", 2, 4.5)]


def test_a_day_before_or_after_sees_nothing(app):
    scripted_day(app)
    with app.app_context():
        hall = hq(db.session)
        for day in (DAY - timedelta(days=1), DAY + timedelta(days=1)):
            figures = stats.tickets(db.session, stats.Period.day(hall, day))
            assert figures.total.tickets == 0 and figures.by_service == []
            assert figures.total.avg_wait_minutes is None


def test_on_time_and_overdue_cases_by_division_person_and_month(any_app):
    """Two exam cases accepted Monday 23 November (due Monday 30 November 17:00): one
    decided the next day, the other left to go red on 1 December and decided a day late."""
    clerk, division = actor(any_app, "clerk03"), actor(any_app, "division01")
    s = db.session
    with any_app.app_context():
        calendar.import_official(s)
        with clock.frozen(NINE + timedelta(minutes=30)) as frozen:
            queue.open_window(s, "HQ", 3, actor=clerk)
            ids = []
            for name in ("张三", "李四"):
                number = issuing.issue_ticket(s, "HQ", "EXAM").number
                queue.call_ticket(s, "HQ", 3, number, actor=clerk)
                ids.append(cases.accept(s, "HQ", 3, actor=clerk, applicant_name=name,
                                        subject="资格复审").id)
            for case_id in ids:
                cases.take(s, case_id, actor=division)
            frozen.at = datetime(2026, 11, 24, 2, tzinfo=UTC)
            cases.decide(s, ids[0], outcome="approved", actor=division)
            frozen.at = datetime(2026, 12, 1, 2, tzinfo=UTC)
            assert deadlines.tick(s).red == 1
            frozen.at = datetime(2026, 12, 2, 2, tzinfo=UTC)
            cases.decide(s, ids[1], outcome="approved", actor=division)
        hall = hq(s)
        late = s.get(Case, ids[1])
        assert late.ever_red and late.handler.username == "division01"
        autumn = stats.Period.days(hall, date(2026, 11, 1), date(2026, 12, 31))
        assert [(o.division_en.split()[0], o.month, o.decided, o.on_time, o.rate)
                for o in stats.on_time(s, autumn)] == [
            ("Civil", "2026-11", 1, 1, 1.0), ("Civil", "2026-12", 1, 0, 0.0)]
        assert [(o.month, o.handler_username, o.cases) for o in stats.overdue(s, autumn)] == [
            ("2026-12", "division01", 1)]
        assert stats.overdue(s, stats.Period.month(hall, 2026, 11)) == []
        monday = stats.case_counts(s, stats.Period.day(hall, DAY))
        assert (monday.accepted, monday.decided, monday.red) == (2, 0, 0)
        december = stats.case_counts(s, stats.Period.month(hall, 2026, 12))
        assert (december.accepted, december.decided, december.decided_on_time,
                december.red) == (0, 1, 0, 1)


def test_the_month_s_statistics_page_shows_the_scripted_day(app, client):
    from test_auth import sign_in

    scripted_day(app)
    with clock.frozen(NINE):
        sign_in(client, "clerk03")
        assert client.get("/hall/HQ/statistics?month=2026-11").status_code == 403
    other = app.test_client()
    with clock.frozen(NINE):
        sign_in(other, "hrb-manager")
        assert other.get("/hall/HQ/statistics").status_code == 403
        manager = app.test_client()
        sign_in(manager, "manager")
        page = manager.get("/hall/HQ/statistics?month=2026-11").get_data(as_text=True)
    total = re.search(r'data-stats="total">.*?<tbody><tr>(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", total)
    assert cells[:6] == ["5", "3", "1", "0", "10.0", "8.0"]  # tickets, served, no-show, …
    assert "25.0%" in page                                   # no-show and transfer rates
    by_clerk = re.search(r'data-stats="ratings-clerk".*?</table>', page, re.S).group(0)
    assert "4.50" in by_clerk and "2.00" in by_clerk
    assert "2026-11-23" in page                              # the day's row
