"""End of day: who is still in line is recorded as not served (kept, never deleted), windows
are closed, the daily report is made once, and tomorrow's numbers start at 1."""
from __future__ import annotations

import csv
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from pypdf import PdfReader

from conftest import actor
from hall import clock, endofday, issuing, queue, reports
from hall.models import DailyReport, Event, Hall, Ticket, Window
from hall.web.extensions import db

NINE = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)   # Monday 09:00 in the hall
CLOSING = NINE + timedelta(hours=9, minutes=1)              # 18:01
DAY = date(2026, 11, 23)


def busy_day(app) -> None:
    """Six tickets: two finished, one no-show, one held, one being served, two waiting."""
    c3, c1 = actor(app, "clerk03"), actor(app, "clerk01")
    s = db.session
    with app.app_context(), clock.frozen(NINE) as frozen:
        queue.open_window(s, "HQ", 3, actor=c3)
        queue.open_window(s, "HQ", 1, actor=c1)
        for _ in range(5):
            issuing.issue_ticket(s, "HQ", "EXAM")        # A001 … A005
        issuing.issue_ticket(s, "HQ", "CONSULT")         # M001
        for minutes in (10, 20):
            frozen.advance(minutes=minutes)
            queue.call_next(s, "HQ", 3, actor=c3)
            frozen.advance(minutes=5)
            queue.finish(s, "HQ", 3, actor=c3)           # A001, A002
        queue.call_next(s, "HQ", 3, actor=c3)            # A003
        queue.mark_no_show(s, "HQ", 3, actor=c3)
        queue.call_next(s, "HQ", 3, actor=c3)            # A004
        queue.hold(s, "HQ", 3, actor=c3, reason="取材料")
        queue.call_next(s, "HQ", 1, actor=c1)            # M001
        queue.start_serving(s, "HQ", 1, actor=c1)
        s.remove()


def statuses(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(sa.select(Ticket.number, Ticket.status)).all())


def test_closing_keeps_unserved_tickets_closes_windows_and_keeps_the_report(any_app):
    busy_day(any_app)
    with any_app.app_context(), clock.frozen(CLOSING):
        result = endofday.close_day(db.session, "HQ")
    assert (result.day, result.unserved, result.finished, result.windows_closed) == (
        DAY, 2, 1, 2)
    assert statuses(any_app) == {"A001": "finished", "A002": "finished", "A003": "no_show",
                                 "A004": "unserved", "A005": "unserved", "M001": "finished"}
    with any_app.app_context():
        s = db.session
        unserved = s.scalars(sa.select(Event).where(Event.kind == "ticket.unserved")).all()
        assert [(e.data["number"], e.data["before"]) for e in unserved] == [
            ("A004", "held"), ("A005", "waiting")]
        assert {e.actor for e in unserved} == {"system"}
        assert s.scalar(sa.select(sa.func.count()).select_from(Window)
                        .where(Window.state != "closed")) == 0
        kept = s.scalar(sa.select(DailyReport))
        assert kept.day == DAY and kept.totals["tickets"] == 6
        assert (kept.totals["served"], kept.totals["no_show"], kept.totals["unserved"]) == (
            3, 1, 2)
        closed = s.scalar(sa.select(Event).where(Event.kind == "day.closed"))
        assert closed.data["report"] == kept.id


def test_the_report_shows_the_days_totals_and_the_csv_parses(app):
    busy_day(app)
    with app.app_context(), clock.frozen(CLOSING):
        endofday.close_day(db.session, "HQ")
        kept = db.session.scalar(sa.select(DailyReport))
        pdf, text_csv = kept.pdf, kept.csv
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "黑龙江" in text or "人事人才" in text  # the hall's name
    assert "2026-11-23" in text
    for label in ("Tickets", "Served", "No-show", "Unserved", "Arrivals by hour"):
        assert label in text
    # the totals row of the service table: 6 tickets, 3 served, 1 no-show, 2 unserved
    assert "合计 Total 6 3 1 2" in " ".join(text.split())

    raw = reports.csv_bytes(text_csv)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0].startswith("事项代码")
    by_code = {row[0]: row for row in rows[1:]}
    assert set(by_code) == {"EXAM", "CONSULT", "TOTAL"}
    assert by_code["EXAM"][1] == "公务员考试录用资格复审"
    assert by_code["TOTAL"][3:7] == ["6", "3", "1", "2"]
    assert by_code["EXAM"][3:7] == ["5", "2", "1", "2"]


def test_closing_twice_does_nothing_the_second_time(any_app):
    busy_day(any_app)
    with any_app.app_context(), clock.frozen(CLOSING) as frozen:
        first = endofday.close_day(db.session, "HQ")
        frozen.advance(minutes=5)
        again = endofday.close_day(db.session, "HQ")
        assert again.already and again.report_id == first.report_id
        assert (again.unserved, again.windows_closed) == (0, 0)
        counts = dict(db.session.execute(
            sa.select(Event.kind, sa.func.count()).group_by(Event.kind)).all())
    assert counts["ticket.unserved"] == 2 and counts["day.closed"] == 1
    with any_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DailyReport)) == 1


def test_the_next_day_starts_at_one(app):
    busy_day(app)
    with app.app_context(), clock.frozen(CLOSING) as frozen:
        endofday.close_day(db.session, "HQ")
        frozen.advance(hours=15)  # Tuesday 09:01
        assert issuing.issue_ticket(db.session, "HQ", "EXAM").number == "A001"
        assert issuing.issue_ticket(db.session, "HQ", "CONSULT").number == "M001"
        monday = db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)
                                   .where(Ticket.day == DAY))
    assert monday == 6  # Monday's tickets are all still there


def test_due_days_wait_for_closing_time_and_catch_up_missed_days(app):
    busy_day(app)
    with app.app_context():
        s = db.session
        hq = s.scalar(sa.select(Hall).where(Hall.code == "HQ"))
        endofday.settings.end_of_day = time(18)
        assert endofday.due_days(s, hq, NINE + timedelta(hours=8)) == []        # 17:00
        assert endofday.due_days(s, hq, CLOSING) == [DAY]
        # The server was down on Monday evening: Tuesday morning closes Monday.
        assert endofday.due_days(s, hq, NINE + timedelta(days=1)) == [DAY]
        with clock.frozen(NINE + timedelta(days=1)):
            done = endofday.close_due(s, NINE + timedelta(days=1))
        assert [(d.hall, d.day, d.unserved, d.windows_closed) for d in done] == [
            ("HQ", DAY, 2, 0)]
        assert endofday.due_days(s, hq, NINE + timedelta(days=1)) == []


def test_two_scheduler_processes_close_each_day_once(any_app):
    busy_day(any_app)
    barrier = threading.Barrier(2)
    results = {}

    def scheduler(name):
        with any_app.app_context():
            for round_no in range(3):
                barrier.wait(timeout=30)
                results[(name, round_no)] = endofday.run(
                    db.session, holder=name, ttl=timedelta(minutes=3))
                db.session.remove()

    # One frozen clock for both threads (it is the process's, not a thread's).
    with clock.frozen(CLOSING), ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(scheduler, ("p1", "p2")))
    acted = [key for key, done in results.items() if done]
    assert len(acted) == 1  # one process, once: HQ and HRB closed in its first run
    assert {d.hall for d in results[acted[0]]} == {"HQ", "HRB"}
    with any_app.app_context():
        s = db.session
        assert s.scalar(sa.select(sa.func.count()).select_from(DailyReport)) == 2
        assert s.scalar(sa.select(sa.func.count()).select_from(Event)
                        .where(Event.kind == "ticket.unserved")) == 2
