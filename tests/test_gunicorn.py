"""The production server: gunicorn as ``gunicorn.conf.py`` configures it, started as a
subprocess exactly as an operator starts it, on SQLite (one worker) and on PostgreSQL with
Redis (two workers)."""
from __future__ import annotations

import os
import shutil
import signal
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import requests
import sqlalchemy as sa

from wire import Clerk, Display

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import _server  # noqa: E402  (bench/_server.py: start, wait_ready, stop, free_port)

GUNICORN = Path(sys.executable).parent / "gunicorn"


def start_gunicorn(tmp_path: Path, database_url: str, **env) -> tuple:
    """gunicorn -c gunicorn.conf.py 'hall.web:create_app()' on a free port: (proc, base, log)."""
    port = _server.free_port()
    environ = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    environ.update({"INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": database_url,
                    "HOST": "127.0.0.1", "PORT": str(port), "SECRET_KEY": "gunicorn-test",
                    "SCHEDULER_INTERVAL": "1", "LOG_FORMAT": "json", **env})
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
    """SIGTERM to the master, as a service manager stops it: seconds until it exited 0."""
    started = time.monotonic()
    os.kill(proc.pid, signal.SIGTERM)
    try:
        code = proc.wait(15)
    except Exception:
        _server.stop(proc)
        raise AssertionError(f"gunicorn did not exit on SIGTERM:\n{log.read_text()[-3000:]}")
    assert code == 0, log.read_text()[-3000:]
    return time.monotonic() - started


def leases(database_url: str) -> list[tuple[str, str, datetime]]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT name, holder, expires_at FROM job_leases")).all()
    finally:
        engine.dispose()
    return [(name, holder, _utc(expires)) for name, holder, expires in rows]


def _utc(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


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
        assert health.status_code == 200 and health.json() == {"status": "ok"}
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
        wait_until(lambda: any(exp > datetime.now(timezone.utc) for _, _, exp in leases(url)),
                   what="the scheduler holds a lease")
        # SIGTERM with a display still connected: out in a few seconds, not after the
        # graceful timeout, and the leases handed over.
        took = terminate(proc, log)
        assert took < 5, f"SIGTERM took {took:.1f}s"
        now = datetime.now(timezone.utc)
        assert all(exp <= now for _, _, exp in leases(url)), leases(url)
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
        took = terminate(proc, log)
        assert took < 5, f"SIGTERM took {took:.1f}s"
    finally:
        for display in displays:
            try:
                display.close()
            except Exception:  # noqa: BLE001
                pass
        _server.stop(proc)
