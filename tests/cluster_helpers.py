"""Several ``run.py`` processes on one PostgreSQL and one Redis, for tests/test_cluster.py.

Each server is started exactly as a user starts one (``python run.py`` with PORT, DATABASE_URL,
REDIS_URL and SECRET_KEY in its environment), through bench/_server.py, in a schema of its own
that the hall's own commands migrate and seed (``flask db upgrade``, which brings the
official calendar, and ``flask seed-demo``). Every command and server runs on the test's hall
clock (HALL_CLOCK), never the real time.
"""
from __future__ import annotations

import functools
import os
import signal
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import _server  # noqa: E402  (bench/ is not a package)

from config import LOAD_TEST_LIMITS  # noqa: E402
from conftest import hall_clock_env, wipe_the_day  # noqa: E402
from hall import clock  # noqa: E402
from wire import Clerk, Display, Phone  # noqa: E402,F401  (Clerk: for tests/test_cluster.py)

READY = "/api/v1/halls/HQ/queue"
SECRET = "cluster-test-secret"  # the same in every process: one process's cookie works on all


def schema_url(base_url: str, schema: str) -> str:
    return f"{base_url}{'&' if '?' in base_url else '?'}options=-csearch_path%3D{schema}"


def create_schema(base_url: str) -> tuple[str, str]:
    """A fresh empty schema: (its name, a database URL whose search_path is that schema)."""
    schema = f"hall_cluster_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(base_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    finally:
        engine.dispose()
    return schema, schema_url(base_url, schema)


def drop_schema(base_url: str, schema: str) -> None:
    engine = sa.create_engine(base_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    finally:
        engine.dispose()


def cluster_env(url: str, redis_url: str, tmp: Path, channel: str, *,
                at: datetime | None = None, **extra: str) -> dict:
    """The environment of every command and server of one test cluster. Its own Socket.IO
    channel, so that other tests sharing the Redis are not heard; one hall clock from ``at``
    (default: the hall's time now), so that every process keeps the same hall time."""
    env = dict(os.environ)
    env.update(DATABASE_URL=url, REDIS_URL=redis_url, SECRET_KEY=SECRET, ACCESS_LOG="0",
               INSTANCE_PATH=str(tmp), FLASK_APP="hall.web:create_app", HOST="127.0.0.1",
               SOCKETIO_CHANNEL=channel, SCHEDULER_ENABLED="0", **LOAD_TEST_LIMITS,
               **hall_clock_env(at))
    env.update(extra)
    return env


def hall_now(env: dict) -> datetime:
    """The cluster's hall time now, as its processes keep it (HALL_CLOCK run on since
    HALL_CLOCK_STARTED): compare the times they write with this, not the database's now()."""
    return (clock.parse_setting(env["HALL_CLOCK"])
            + timedelta(seconds=time.time() - float(env["HALL_CLOCK_STARTED"])))


def prepare(env: dict, log: Path) -> None:
    """Migrate and seed the schema with the hall's own commands, as an operator does."""
    flask = str(_server.BIN / "flask")
    _server.run_checked([flask, "db", "upgrade"], env, log)
    _server.run_checked([flask, "seed-demo"], env, log)


class Server:
    """One ``run.py`` process on its own port; it can be killed and started again there."""

    def __init__(self, name: str, env: dict, tmp: Path) -> None:
        self.name, self.env, self.log = name, env, tmp / f"{name}.log"
        self.port = _server.free_port()
        self.proc = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        self.proc = _server.start([sys.executable, "run.py"],
                                  {**self.env, "PORT": str(self.port)}, self.log)
        return self

    def wait_ready(self, timeout: float = 30.0) -> Server:
        _server.wait_ready(self.proc, self.port, "GET", READY, timeout=timeout)
        return self

    def kill9(self) -> None:
        """Kill -9: no atexit, no lease handed back, no transaction finished."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        _server.stop(self.proc)

    @property
    def holders(self) -> set[str]:
        """The lease holder names this server's processes use: run.py is gunicorn's master,
        and the scheduler runs in its worker(s), each holding leases under its own pid."""
        import socket
        pids = {self.proc.pid}
        for children in Path(f"/proc/{self.proc.pid}/task").glob("*/children"):
            pids |= {int(p) for p in children.read_text().split()}
        return {f"{socket.gethostname()}:{pid}" for pid in pids}

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_all(servers: list[Server]) -> list[Server]:
    for server in servers:
        server.start()
    for server in servers:
        server.wait_ready()
    return servers


def reset_day(url: str) -> None:
    """Today's moves wiped, as tests/conftest.py's ``pg_app`` does."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            wipe_the_day(conn)
    finally:
        engine.dispose()


# -- acting like users over HTTP ----------------------------------------------------------------

def take(base: str, service: str = "EXAM", timeout: float = 30) -> requests.Response:
    return requests.post(f"{base}/api/v1/tickets", json={"hall": "HQ", "service": service},
                         timeout=timeout)


def wait_until(predicate, timeout: float, interval: float = 0.2):
    """Poll ``predicate`` until it returns something true; that value, or the last one."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


# A cluster answers more slowly than one process: a display waits longer by default.
Display = functools.partial(Display, patience=10.0)
Phone = functools.partial(Phone, patience=10.0)
