"""The production server: gunicorn as ``gunicorn.conf.py`` configures it, started as a
subprocess exactly as an operator starts it, on SQLite (one worker) and on PostgreSQL with
Redis (two workers). Each runs on the test's hall clock (HALL_CLOCK), never the real time: a
worker's end-of-day job must not close the day under a test that runs after 18:00."""
from __future__ import annotations

import os
import shutil
import signal
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from conftest import hall_clock_env
from hall import clock
from wire import Clerk, Display

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import _server  # noqa: E402  (bench/_server.py: start, wait_ready, stop, free_port)

GUNICORN = Path(sys.executable).parent / "gunicorn"
# Shutting down takes about a second. A worker held by an open socket (the regression this
# guards against) takes the whole graceful timeout and is then killed: with a minute of it,
# a loaded machine's few seconds and the regression's minute are far apart.
GRACEFUL = 60
STOPS_WITHIN = 20

pytestmark = pytest.mark.hall_open  # tickets are taken


def start_gunicorn(tmp_path: Path, database_url: str, **env) -> tuple:
    """gunicorn -c gunicorn.conf.py 'hall.web:create_app()' on a free port: (proc, base, log)."""
    port = _server.free_port()
    environ = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    environ.update({"INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": database_url,
                    "HOST": "127.0.0.1", "PORT": str(port), "SECRET_KEY": "gunicorn-test",
                    "SCHEDULER_INTERVAL": "1", "LOG_FORMAT": "json",
                    "GRACEFUL_TIMEOUT": str(GRACEFUL), **hall_clock_env(), **env})
    log = tmp_path / "gunicorn.log"
    proc = _server.start([str(GUNICORN), "-c", "gunicorn.conf.py", "hall.web:create_app()"],
                         environ, log)
    try:
        _server.wait_ready(proc, port, "GET", "/healthz", timeout=30)
    except BaseException:
        _server.stop(proc)
        raise
    return proc, f"http://127.0.0.1:{port}", log


def terminate(proc, log: Path) -> float:
    """SIGTERM to the master, as a service manager stops it: seconds until it exited 0, its
    workers having stopped by themselves (none killed at the end of the graceful timeout)."""
    started = time.monotonic()
    os.kill(proc.pid, signal.SIGTERM)
    try:
        code = proc.wait(STOPS_WITHIN + 10)
    except Exception:
        _server.stop(proc)
        raise AssertionError(
            f"gunicorn did not exit on SIGTERM:\n{log.read_text()[-3000:]}") from None
    took = time.monotonic() - started
    assert code == 0, log.read_text()[-3000:]
    assert "SIGKILL" not in log.read_text(), log.read_text()[-3000:]
    assert took < STOPS_WITHIN, f"SIGTERM took {took:.1f}s:\n{log.read_text()[-3000:]}"
    return took


def leases(database_url: str) -> list[tuple[str, str, datetime]]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT name, holder, expires_at FROM job_leases")).all()
    finally:
        engine.dispose()
    return [(name, holder, _utc(expires)) for name, holder, expires in rows]


def reports(database_url: str) -> int:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM daily_reports")).scalar()
    finally:
        engine.dispose()


def _utc(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def wait_until(check, timeout: float = 10.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        time.sleep(0.1)


def workers_of(master: int) -> list[int]:
    """The worker processes of a gunicorn master (its children), from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                children.append(int(entry.name))
    return children


def connections_on(pid: int, port: int) -> int:
    """Established TCP connections to ``port`` held by process ``pid`` (/proc/net/tcp)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01" and fields[9] in inodes:
                count += 1
    return count


def test_gunicorn_serves_the_hall_and_stops_cleanly(tmp_path, sqlite_template):
    path = tmp_path / "hall.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    proc, base, log = start_gunicorn(tmp_path, url)
    display = None
    try:
        health = requests.get(f"{base}/healthz", timeout=5)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        # The worker keeps the test's hall time (HALL_CLOCK), not the real one.
        hall_now = datetime.fromisoformat(health.json()["hall_clock"]["now"])
        assert abs(hall_now - clock.now()) < timedelta(seconds=5), health.json()
        ready = requests.get(f"{base}/readyz", timeout=5)
        assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok"}
        assert "Content-Security-Policy" in ready.headers and ready.headers["X-Request-ID"]

        issued = requests.post(f"{base}/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"},
                               timeout=10)
        assert issued.status_code == 201, issued.text
        display = Display(base)
        display.join()
        clerk = Clerk(base, "clerk03", 3)
        clerk.do("open")
        assert clerk.do("call").status_code == 200
        assert display.wait_for("called", number=issued.json()["number"])["window_no"] == 3

        # The worker's scheduler took its leases (SCHEDULER_INTERVAL=1).
        # (Leases run on the hall's clock, which the server shares with this test.)
        wait_until(lambda: any(exp > clock.now() for _, _, exp in leases(url)),
                   what="the scheduler holds a lease")
        # SIGTERM with a display still connected: out long before the graceful timeout,
        # and the leases handed over.
        terminate(proc, log)
        now = clock.now()
        assert all(exp <= now for _, _, exp in leases(url)), leases(url)
        # The worker's end-of-day job ran on the hall's morning: the day is still open.
        assert reports(url) == 0
        assert '"logger": "hall.access"' in log.read_text()
        # Served on 127.0.0.1 without PUBLIC_BASE_URL: the master said the QR codes would
        # carry an address no phone can open.
        assert "QR codes on tickets and receipts will point at 127.0.0.1" in log.read_text()
    finally:
        if display is not None:
            try:
                display.close()
            except Exception:  # noqa: BLE001 - the server is gone
                pass
        _server.stop(proc)


def test_two_workers_on_postgresql_and_redis_share_the_calls(tmp_path, pg_app, pg_database,
                                                             redis_url):
    """Two workers, no sticky proxy: displays open the WebSocket directly, so each session
    lives on one worker; a call made in either reaches the displays on both (Redis)."""
    channel = f"hall-test-{uuid.uuid4().hex}"
    proc, base, log = start_gunicorn(tmp_path, pg_database, WEB_CONCURRENCY="2",
                                     REDIS_URL=redis_url, SOCKETIO_CHANNEL=channel)
    port = int(base.rsplit(":", 1)[1])
    displays: list[Display] = []
    try:
        ready = requests.get(f"{base}/readyz", timeout=5).json()
        assert ready["checks"] == {"database": "ok", "redis": "ok"}
        wait_until(lambda: len(workers_of(proc.pid)) == 2, what="two workers")
        workers = workers_of(proc.pid)
        # Displays until both workers hold some (the kernel decides who accepts).
        while len(displays) < 40:
            displays.append(Display(base))
            displays[-1].join()
            if len(displays) >= 4 and all(connections_on(w, port) for w in workers):
                break
        per_worker = {w: connections_on(w, port) for w in workers}
        assert all(per_worker.values()), per_worker
        time.sleep(0.3)  # every worker's Redis listener is subscribed by now

        clerk = Clerk(base, "clerk03", 3)
        clerk.do("open")
        numbers = [requests.post(f"{base}/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"},
                                 timeout=10).json()["number"] for _ in range(3)]
        assert len(set(numbers)) == 3
        for number in numbers:  # each call is a new connection: any worker may make it
            assert clerk.do("call").status_code == 200
            for display in displays:
                assert display.wait_for("called", number=number)["window_no"] == 3
            clerk.do("finish") if clerk.do("start").status_code == 200 else None
        terminate(proc, log)
    finally:
        for display in displays:
            try:
                display.close()
            except Exception:  # noqa: BLE001
                pass
        _server.stop(proc)


def test_a_ticket_waiting_in_postgresql_holds_only_its_own_request(tmp_path, pg_app, pg_database):
    """psycopg yields to the worker's other greenlets while PostgreSQL works (it sees gevent's
    patched select and leaves its C wait aside): a ticket waiting for the day's counter,
    locked here by another transaction, holds its own request and nothing else. The public
    queue is read meanwhile, each read as quick as ever; the ticket is issued, once, when
    the lock goes. (With ``PSYCOPG_WAIT_FUNC=wait_c`` in the server's environment, psycopg's
    blocking wait, the first read hangs until its timeout: checked by hand.)"""
    proc, base, log = start_gunicorn(tmp_path, pg_database)
    ticket = {"hall": "HQ", "service": "EXAM"}
    engine = sa.create_engine(pg_database)
    try:
        first = requests.post(f"{base}/api/v1/tickets", json=ticket, timeout=10)
        assert first.status_code == 201, first.text  # today's counters exist now
        with engine.connect() as locker, ThreadPoolExecutor(1) as pool:
            held = locker.begin()
            locker.execute(sa.text("SELECT value FROM daily_counters "
                                   "WHERE name = 'service_no' FOR UPDATE"))
            waiting = pool.submit(requests.post, f"{base}/api/v1/tickets", json=ticket,
                                  timeout=30)
            time.sleep(0.5)  # the second ticket is in PostgreSQL, waiting for the lock
            reads = []
            for _ in range(10):
                started = time.monotonic()
                answer = requests.get(f"{base}/api/v1/halls/HQ/queue", timeout=5)
                reads.append(time.monotonic() - started)
                assert answer.status_code == 200
                assert {s["code"]: s["waiting"] for s in answer.json()["services"]}["EXAM"] == 1
            assert not waiting.done(), "the ticket did not wait for the lock"
            held.commit()
            second = waiting.result(timeout=10)
        assert second.status_code == 201, second.text
        assert (first.json()["number"], second.json()["number"]) == ("A001", "A002")
        assert max(reads) < 1.0, f"reads took {reads} while a ticket waited in PostgreSQL"
    finally:
        engine.dispose()
        _server.stop(proc)


def test_a_worker_freezes_what_it_loaded_and_collects_fully_more_rarely():
    """gunicorn.conf.py's post_worker_init settles the collector: what the worker loaded is
    frozen (never walked by a full collection again) and full collections come ten times
    more rarely, as measured with 10,000 sockets (README, "Performance")."""
    import subprocess

    script = ("import gc, runpy; ns = runpy.run_path('gunicorn.conf.py'); "
              "before = gc.get_threshold(); ns['_settle_collector'](); "
              "print(gc.get_freeze_count(), *before, *gc.get_threshold())")
    env = {**os.environ, "GUNICORN_WORKER_CLASS": "gthread"}  # no monkey patch needed here
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    frozen, before, after = int(out[0]), out[1:4], out[4:7]
    assert frozen > 10_000  # the modules and objects loaded so far
    assert after[:2] == before[:2] and int(after[2]) == 100 > int(before[2])
