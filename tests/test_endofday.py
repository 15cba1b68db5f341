"""End of day: who is still in line is recorded as not served (kept, never deleted), windows
are closed, the daily report is made once, and tomorrow's numbers start at 1."""
from __future__ import annotations

import csv
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from conftest import actor, make_config
from hall import clock, endofday, hours, hours_admin, issuing, queue, reports
from hall.errors import DayNotOver, HallClosed
from hall.models import DailyReport, Event, Hall, Ticket, Window
from hall.web import create_app, shutdown
from hall.web.extensions import db
from test_auth import csrf_token, sign_in

NINE = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)   # Monday 09:00 in the hall
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
    # The services and the totals, then (after an empty row) the channels and appointments.
    by_code = {row[0]: row for row in rows[1:rows.index([])]}
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


# -- never a running day; reports made again; no ticket of a past day left open -----------------

def test_the_job_never_closes_a_running_day(app):
    busy_day(app)
    with app.app_context():
        s = db.session
        hq = s.scalar(sa.select(Hall).where(Hall.code == "HQ"))
        for minutes in (0, 9 * 60 - 1):                                   # 09:00 … 17:59
            assert endofday.due_days(s, hq, NINE + timedelta(minutes=minutes)) == []
        with clock.frozen(NINE + timedelta(hours=8, minutes=59)):
            assert endofday.close_due(s) == []
            with pytest.raises(DayNotOver):
                endofday.close_day(s, "HQ")
        # An evening opening moves the end of the day: at 18:30 the hall still serves.
        with clock.frozen(NINE + timedelta(hours=5)):
            hours_admin.set_exception(s, "HQ", DAY, hours.parse_spans("08:30-12:00 13:30-20:00"),
                                "延时服务", actor=actor(app, "admin"))
        assert endofday.due_days(s, hq, NINE + timedelta(hours=9, minutes=30)) == []
        assert endofday.due_days(s, hq, NINE + timedelta(hours=11)) == [DAY]   # 20:00
        assert s.scalar(sa.select(sa.func.count()).select_from(DailyReport)) == 0
    runner = app.test_cli_runner()
    with clock.frozen(NINE + timedelta(hours=10)):                        # 19:00
        early = runner.invoke(args=["end-of-day", "--hall", "HQ", "--day", "2026-11-23"])
        nothing = runner.invoke(args=["end-of-day", "--hall", "HQ"])
    assert early.exit_code != 0 and "not over yet" in early.output
    assert "No day to close" in nothing.output
    assert statuses(app)["A005"] == "waiting"


def test_a_scheduler_started_after_closing_closes_the_day_and_nothing_joins_it(app):
    """#10.3: started at 18:05 the job closes the day at once; the kiosk issues nothing more
    for it, so the kept report and the tickets table agree."""
    busy_day(app)
    with app.app_context(), clock.frozen(NINE + timedelta(hours=9, minutes=5)) as frozen:
        s = db.session
        (done,) = [d for d in endofday.close_due(s) if d.hall == "HQ"]
        assert (done.day, done.totals["tickets"]) == (DAY, 6)
        frozen.advance(minutes=1)
        with pytest.raises(HallClosed):
            issuing.issue_ticket(s, "HQ", "EXAM")
        frozen.at = NINE + timedelta(hours=1)  # the clock set back to 10:00 the same day
        with pytest.raises(HallClosed):        # a closed day takes no ticket at all
            issuing.issue_ticket(s, "HQ", "EXAM")
        table = s.scalar(sa.select(sa.func.count()).select_from(Ticket)
                         .where(Ticket.day == DAY))
        assert endofday.kept_report(s, s.get(Hall, 1), DAY).totals["tickets"] == table == 6


def test_a_ticket_slipped_into_a_closed_day_is_closed_and_the_report_made_again(any_app):
    """#11.10: a second process still believes the evening opening an administrator has just
    shortened (its hours are cached for a minute) and issues a ticket after the day was
    closed. The job closes that ticket and keeps a new version of the report, so that no
    ticket of a past day stays waiting and the newest report agrees with the table."""
    admin = actor(any_app, "admin")
    other = create_app(make_config(any_app.config["SQLALCHEMY_DATABASE_URI"]))
    try:
        with clock.frozen(NINE) as frozen:
            with any_app.app_context():
                hours_admin.set_exception(db.session, "HQ", DAY,
                                    hours.parse_spans("08:30-20:00"), "延时服务", actor=admin)
                issuing.issue_ticket(db.session, "HQ", "EXAM")                     # A001
            frozen.at = NINE + timedelta(hours=9, minutes=10)                      # 18:10
            with other.app_context():
                issuing.issue_ticket(db.session, "HQ", "EXAM")          # A002, caching hours
            with any_app.app_context():
                hours_admin.set_exception(db.session, "HQ", DAY, hours.parse_spans("08:30-17:00"),
                                    "", actor=admin)
                (closed,) = [d for d in endofday.close_due(db.session) if d.hall == "HQ"]
                assert closed.totals["tickets"] == 2 and closed.version == 1
            frozen.advance(minutes=1)
            with other.app_context():
                late = issuing.issue_ticket(db.session, "HQ", "EXAM")   # the stale minute
                assert late.number == "A003" and late.day == DAY
            frozen.advance(minutes=1)
            with any_app.app_context():
                (again,) = endofday.close_due(db.session)
                assert (again.day, again.version, again.unserved) == (DAY, 2, 1)
                s = db.session
                assert s.scalar(sa.select(sa.func.count()).select_from(Ticket).where(
                    Ticket.day == DAY, Ticket.status.in_(endofday.OPEN))) == 0
                hq = s.get(Hall, 1)
                assert endofday.kept_report(s, hq, DAY).totals["tickets"] == 3
                assert endofday.kept_report(s, hq, DAY, 1).totals["tickets"] == 2
                rerun = s.scalar(sa.select(Event).where(Event.kind == "day.report_rerun"))
                assert (rerun.actor, rerun.data["version"], rerun.data["reason"]) == (
                    "system", 2, endofday.STRAY_TICKETS)
                assert endofday.close_due(db.session) == []  # done once
    finally:
        shutdown(other)
        with other.app_context():
            db.engine.dispose()


def test_a_manager_makes_a_report_again_as_a_new_version_and_the_old_stays(app, client):
    busy_day(app)
    with app.app_context(), clock.frozen(CLOSING):
        endofday.close_day(db.session, "HQ")
    with app.app_context():  # a ticket the report never saw (e.g. restored from a backup)
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO tickets (hall_id, day, prefix, seq, number, service_no, "
                "access_code, service_id, status, is_priority, queued_at, issued_at, source, "
                "call_count) SELECT 1, '2026-11-23', 'A', 6, 'A006', '261123001000070', "
                "'ABCDEFGH', service_id, 'finished', 0, queued_at, issued_at, 'kiosk', 1 "
                "FROM tickets WHERE number = 'A001'"))
    sign_in(client, "manager")
    page = "/hall/HQ/reports"
    token = csrf_token(client, page)
    with clock.frozen(CLOSING + timedelta(days=1)):
        made = client.post(f"{page}/2026-11-23/rerun",
                           data={"csrf_token": token, "reason": "补录一张号"})
    assert made.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert 'data-day="2026-11-23" data-version="2"' in html
    assert "补录一张号" in html and f"{page}/2026-11-23/v1.pdf" in html
    latest = client.get(f"{page}/2026-11-23.csv").data.decode("utf-8-sig")
    first = client.get(f"{page}/2026-11-23/v1.csv")
    assert first.status_code == 200
    assert first.headers["Content-Disposition"] == 'attachment; filename="HQ-2026-11-23.csv"'
    def total(text: str) -> str:
        return next(line for line in text.splitlines() if line.startswith("TOTAL,"))

    assert total(latest).split(",")[3] == "7"      # agrees with the table
    assert total(first.data.decode("utf-8-sig")).split(",")[3] == "6"
    assert client.get(f"{page}/2026-11-23/v2.pdf").headers["Content-Disposition"] == (
        'attachment; filename="HQ-2026-11-23-v2.pdf"')
    assert client.get(f"{page}/2026-11-23/v3.pdf").status_code == 404
    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.kind == "day.report_rerun"))
        assert (event.actor, event.data["reason"], event.data["totals"]["tickets"],
                event.data["previous"]["totals"]["tickets"]) == ("manager", "补录一张号", 7, 6)

    clerk = app.test_client()
    sign_in(clerk, "clerk03")
    assert clerk.post(f"{page}/2026-11-23/rerun",
                      data={"csrf_token": csrf_token(clerk)}).status_code == 403
    runner = app.test_cli_runner()
    with clock.frozen(CLOSING + timedelta(days=1)):
        by_cli = runner.invoke(args=["end-of-day", "--hall", "HQ", "--day", "2026-11-23",
                                     "--rerun", "--by", "manager", "--reason", "核对"])
        refused = runner.invoke(args=["end-of-day", "--hall", "HQ", "--day", "2026-11-23",
                                      "--rerun", "--by", "clerk03"])
        today = runner.invoke(args=["end-of-day", "--hall", "HQ", "--day", "2026-11-25",
                                    "--rerun", "--by", "manager"])
    assert by_cli.exit_code == 0 and "report made again (version 3)" in by_cli.output
    assert refused.exit_code != 0 and "manager" in refused.output
    assert today.exit_code != 0 and "not over yet" in today.output
