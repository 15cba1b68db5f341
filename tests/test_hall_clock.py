"""The hall's clock (SPEC §7): ``HALL_CLOCK=2026-12-07T10:00:00+08:00`` starts the hall's time
at that instant and lets it run on, in every process started with it (the server, its
scheduler, ``flask`` commands); ``/healthz`` reports it. Unset: the real time.

Monday 7 December 2026 is a working day: the demo hall HQ takes tickets 08:30–11:30 and
13:30–16:30, and its day ends at 18:00 (END_OF_DAY).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from playwright.sync_api import expect

from conftest import make_config
from hall import clock
from hall.web import create_app, shutdown

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import _server  # noqa: E402  (bench/_server.py: start, wait_ready, stop, free_port)

MONDAY_TEN = "2026-12-07T10:00:00+08:00"


@pytest.fixture
def process_clock(monkeypatch):
    """Whatever a test does to the process's clock is undone afterwards."""
    monkeypatch.setattr(clock, "_source", clock._source)
    monkeypatch.setattr(clock, "_started_at", None)


def test_a_running_clock_starts_at_its_instant_and_runs_on(process_clock):
    at = clock.parse_setting(MONDAY_TEN)
    clock.start(at)
    first = clock.now()
    time.sleep(0.05)
    second = clock.now()
    assert timedelta(0) <= first - at < timedelta(seconds=1)
    assert second - first >= timedelta(milliseconds=50)
    assert first.tzinfo == UTC and clock.started_at() == at
    # A process started from another keeps its time (HALL_CLOCK_STARTED), not the instant.
    clock.start(at, since=time.time() - 3600)
    assert timedelta(minutes=59) < clock.now() - at < timedelta(minutes=61)


@pytest.mark.parametrize("bad", ["2026-12-07T10:00:00", "tomorrow", "2026-13-01T10:00+08:00"])
def test_a_clock_without_a_zone_or_not_an_instant_is_refused(bad):
    with pytest.raises(ValueError, match="HALL_CLOCK"):
        clock.parse_setting(bad)


def test_healthz_reports_the_clock_only_when_it_is_set(process_clock, sqlite_template):
    url = f"sqlite:///{sqlite_template}"
    plain = create_app(make_config(url))
    set_ = create_app(make_config(url, HALL_CLOCK=MONDAY_TEN, HALL_CLOCK_STARTED=None))
    try:
        assert plain.test_client().get("/healthz").get_json() == {"status": "ok"}
        body = set_.test_client().get("/healthz").get_json()
        assert body["hall_clock"]["started_at"] == MONDAY_TEN
        assert body["hall_clock"]["now"].startswith("2026-12-07T10:00:0")
    finally:
        shutdown(plain)
        shutdown(set_)


# -- real processes ---------------------------------------------------------------------------

def environment(tmp_path: Path, database: Path, hall_clock: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("HALL_CLOCK", "HALL_CLOCK_STARTED", "DATABASE_URL", "REDIS_URL")}
    env.update(DATABASE_URL=f"sqlite:///{database}", INSTANCE_PATH=str(tmp_path / "instance"),
               SECRET_KEY="clock-test", FLASK_APP="hall.web:create_app", ACCESS_LOG="0",
               HOST="127.0.0.1", HALL_CLOCK=hall_clock, **extra)
    # The clock starts now, when the test starts the process: without this, bench/_server.py
    # gives every process the instant it was imported (the session's start), and a process
    # started 12 minutes into a slow run read 10:12 where the test expects 10:0x.
    env.setdefault("HALL_CLOCK_STARTED", repr(time.time()))
    return env


def reports(database: Path) -> list[tuple]:
    engine = sa.create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(
                "SELECT day, created_at FROM daily_reports WHERE hall_id = 1")).all()
    finally:
        engine.dispose()


def test_run_py_keeps_the_hall_clock_for_tickets_health_and_the_end_of_day(tmp_path,
                                                                           sqlite_template):
    database = tmp_path / "hall.db"
    shutil.copy(sqlite_template, database)
    port = _server.free_port()
    morning = environment(tmp_path, database, MONDAY_TEN, PORT=str(port),
                          SCHEDULER_INTERVAL="1")
    proc = _server.start([sys.executable, "run.py"], morning, tmp_path / "morning.log")
    try:
        _server.wait_ready(proc, port, "GET", "/healthz")
        health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()
        assert health["hall_clock"]["started_at"] == MONDAY_TEN
        issued = requests.post(f"http://127.0.0.1:{port}/api/v1/tickets",
                               json={"hall": "HQ", "service": "EXAM"}, timeout=10)
        assert issued.status_code == 201, issued.text
        assert issued.json()["issued_at"].startswith("2026-12-07T02:0")  # 10:0x in the hall
        assert issued.json()["service_no"].startswith("261207")
        time.sleep(2)  # two ticks of the end-of-day job: the morning is no end of day
        assert reports(database) == []
    finally:
        _server.stop(proc)

    # The same hall at 17:59:50: tickets refused; the day closed once 18:00 has passed.
    port = _server.free_port()
    evening = environment(tmp_path, database, "2026-12-07T17:59:50+08:00", PORT=str(port),
                          SCHEDULER_INTERVAL="1")
    proc = _server.start([sys.executable, "run.py"], evening, tmp_path / "evening.log")
    try:
        _server.wait_ready(proc, port, "GET", "/healthz")
        refused = requests.post(f"http://127.0.0.1:{port}/api/v1/tickets",
                                json={"hall": "HQ", "service": "EXAM"}, timeout=10)
        assert refused.status_code == 409
        assert refused.json()["next_opening"] == "2026-12-08T08:30:00+08:00"
        deadline = time.monotonic() + 30
        while not reports(database) and time.monotonic() < deadline:
            time.sleep(0.2)
        (day, created_at), = reports(database)
        closed_at = datetime.fromisoformat(str(created_at)).replace(tzinfo=UTC)
        assert str(day) == "2026-12-07"
        assert closed_at >= datetime.fromisoformat("2026-12-07T18:00:00+08:00")
    finally:
        _server.stop(proc)


def test_flask_commands_keep_the_hall_clock(tmp_path, sqlite_template):
    database = tmp_path / "hall.db"
    shutil.copy(sqlite_template, database)
    flask = str(Path(sys.executable).parent / "flask")

    def end_of_day(at: str) -> subprocess.CompletedProcess:
        return subprocess.run([flask, "end-of-day", "--hall", "HQ", "--day", "2026-12-07"],
                              cwd=ROOT, env=environment(tmp_path, database, at),
                              capture_output=True, text=True, timeout=60)

    early = end_of_day("2026-12-07T17:00:00+08:00")
    assert early.returncode != 0 and "not over yet" in early.stderr
    late = end_of_day("2026-12-07T18:30:00+08:00")
    assert late.returncode == 0, late.stderr
    assert "HQ 2026-12-07: 0 not served" in late.stdout


@pytest.mark.hall_clock("2026-10-01T10:00:00+08:00")
def test_the_kiosk_and_the_wall_display_show_the_halls_clock(live_server, browser_page):
    """A demo on National Day shows National Day, whatever the TV's and the kiosk's own
    time (the pages carry the hall's now; their scripts run it on)."""
    browser_page.goto(f"{live_server}/display/HQ")
    expect(browser_page.locator("[data-date]")).to_contain_text("2026年10月1日")
    expect(browser_page.locator("[data-time]")).to_contain_text("10:00")
    browser_page.goto(f"{live_server}/kiosk/HQ")
    expect(browser_page.locator("[data-clock]")).to_have_text("2026-10-01 10:00")
