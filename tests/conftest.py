"""Fixtures: a fresh migrated demo hall per test on SQLite, the same on PostgreSQL where a
server is reachable, a live server for tests that go over the wire, and helpers that act
like the hall's users."""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from jinja2 import BytecodeCache
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from config import TestConfig
from hall import clock, demo, hours
from hall.events import Actor
from hall.models import Hall, Staff
from hall.web import create_app, shutdown
from hall.web.extensions import db
from hall.web.serving import RequestHandler

# Headless Chromium fixtures (tests/browser.py): browser_page, page_log, shot().
pytest_plugins = ["browser"]

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
PG_URL = os.environ.get("TEST_DATABASE_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# A Monday morning in the hall's time zone (09:30 +08:00), for tests that need a known day.
MONDAY_0930 = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


def make_config(database_url: str, **overrides) -> TestConfig:
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = database_url
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


def require_or_skip(what: str, error: Exception) -> None:
    """A missing service skips the test, except in CI where it must be there."""
    message = f"{what} is not reachable: {error}"
    if REQUIRE_SERVICES:
        pytest.fail(message + " (REQUIRE_SERVICES=1)")
    pytest.skip(message)


# The demo accounts' password ("demo") as the test databases keep it: hashed cheaply, because
# hundreds of tests sign in and scrypt's cost (a tenth of a second and 32 MB a time) is for
# production, not for every test's sign-in. Checking reads the method from the stored hash, so
# the app's code is the same; a password set during a test is hashed as in production.
TEST_PASSWORD_HASH = generate_password_hash("demo", method="pbkdf2:sha256:1000")


def migrate_and_seed(app) -> None:
    """``flask db upgrade`` (which brings the official calendar) and the demo halls."""
    with app.app_context(), clock.running_from(SUITE_CLOCK):
        upgrade()
        demo.seed_demo(db.session, password="demo")
        db.session.execute(sa.update(Staff).values(password_hash=TEST_PASSWORD_HASH))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    shutdown(app)


# -- the hall's clock -----------------------------------------------------------------------
# No test depends on the real time of day. Every test runs on a hall clock that starts at a
# known instant and runs on: SUITE_CLOCK, which TEST_HALL_CLOCK (or HALL_CLOCK) sets for a
# whole run, e.g. ``TEST_HALL_CLOCK=2026-12-07T23:30:00+08:00 make test``; MONDAY_0930 when
# unset. A test that needs the hall to take tickets says so (``pytest.mark.hall_open``) and
# runs from the first moment at or after SUITE_CLOCK when both demo halls take tickets for an
# hour at least; a test may also start its own (``pytest.mark.hall_clock("2026-10-01T10:00
# +08:00")``) or freeze the clock inside (``clock.frozen``). Every process a test starts gets
# the test's hall time (``hall_clock_env``).

def _suite_clock() -> datetime:
    setting = os.environ.get("TEST_HALL_CLOCK") or os.environ.get("HALL_CLOCK")
    return clock.parse_setting(setting) if setting else MONDAY_0930


SUITE_CLOCK = _suite_clock()
OPEN_FOR = timedelta(hours=1)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "hall_open: the test takes tickets; its clock starts when the demo halls "
                   "take them, at or after the suite's hall time")
    config.addinivalue_line(
        "markers", "hall_clock(instant): the test's hall clock starts at this ISO 8601 "
                   "instant (with its zone)")
    config.addinivalue_line(
        "markers", "slow: a test of many requests (every route × every person, hostile input "
                   "everywhere); deselect with -m 'not slow' for a quick loop")
    config.addinivalue_line(
        "markers", "browser: drives headless Chromium (set on every test that uses it)")
    config.addinivalue_line(
        "markers", "cluster: starts server processes of its own: gunicorn, several workers on "
                   "PostgreSQL and Redis (set on every test of those modules)")


# -- markers, set from what a test uses ------------------------------------------------------
# ``make test-fast`` runs ``-m "not browser and not cluster and not slow"``; ``make test`` (and
# CI) runs everything. A test is marked by what it needs, so a new one is sorted without a
# decorator: Chromium (any fixture built on ``chromium``) makes it ``browser``; the modules
# below start server processes (``cluster``: gunicorn, several workers, run.py) or are slow
# (``slow``: many threads or processes at once, floods, every operation of the API, migrating
# fresh databases); the single slow tests elsewhere carry the mark themselves.
CLUSTER_MODULES = {"test_cluster", "test_gunicorn", "test_hall_clock", "test_qr_address",
                   "test_slow_clients"}
SLOW_MODULES = {"test_concurrency", "test_device_flood", "test_schemathesis",
                "test_official_calendar"}


def pytest_collection_modifyitems(config, items):
    from browser import DRIVER_DIED  # here: imported at the top, pytest could not rewrite it

    for item in items:
        module = item.module.__name__.rpartition(".")[2] if item.module else ""
        fixtures = set(getattr(item, "fixturenames", ()))
        if "chromium" in fixtures:
            item.add_marker(pytest.mark.browser)
            # Run again once only when the Playwright driver died under it (tests/browser.py).
            item.add_marker(pytest.mark.flaky(reruns=1, only_rerun=[re.escape(w) for w in DRIVER_DIED]))
        if module in CLUSTER_MODULES:
            item.add_marker(pytest.mark.cluster)
        # Slow as well: the PostgreSQL run of a test that the quick loop runs on SQLite, and a
        # test that serves the app over real HTTP in a thread of its own (live_server).
        params = getattr(getattr(item, "callspec", None), "params", {})
        on_postgresql = "pg_database" in fixtures or "postgresql" in params.values()
        if module in SLOW_MODULES or on_postgresql or "live_server" in fixtures:
            item.add_marker(pytest.mark.slow)


def pytest_report_header(config):
    return f"hall clock: {SUITE_CLOCK.isoformat()} (TEST_HALL_CLOCK)"


@pytest.fixture(scope="session")
def open_instant(sqlite_template, tmp_path_factory) -> datetime:
    """The first moment at or after SUITE_CLOCK when every demo hall takes tickets, and
    will for the next hour (read from the seeded hours and calendar)."""
    path = tmp_path_factory.mktemp("hours") / "hall.db"
    shutil.copy(sqlite_template, path)
    app = create_app(make_config(f"sqlite:///{path}"))
    try:
        with app.app_context(), clock.running_from(SUITE_CLOCK):
            halls = [hours.of(db.session, h) for h in db.session.scalars(sa.select(Hall))]
            at = SUITE_CLOCK
            for _ in range(100):
                late = [h for h in halls if not all(
                    h.takes_tickets(at + timedelta(minutes=m))
                    for m in range(0, int(OPEN_FOR.total_seconds() // 60) + 1, 5))]
                if not late:
                    return at.astimezone(ZoneInfo("Asia/Shanghai"))
                at = max(h.next_opening(at) for h in late)
            raise RuntimeError(f"the demo halls do not open together after {SUITE_CLOCK}")
    finally:
        shutdown(app)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(autouse=True)
def hall_clock(request):
    """The test's hall time: its own, the hall's opening, or the suite's (running on)."""
    own = request.node.get_closest_marker("hall_clock")
    if own is not None:
        start = own.args[0]
        start = clock.parse_setting(start) if isinstance(start, str) else start
    elif request.node.get_closest_marker("hall_open") is not None:
        start = request.getfixturevalue("open_instant")
    else:
        start = SUITE_CLOCK
    with clock.running_from(start) as running:
        yield running


@pytest.fixture(scope="session", autouse=True)
def suite_clock():
    """Outside any test (session and module fixtures) the hall's time is the suite's too."""
    with clock.running_from(SUITE_CLOCK) as running:
        yield running


def hall_clock_env(at: datetime | None = None) -> dict[str, str]:
    """HALL_CLOCK for a process a test starts: ``at``, by default the test's hall time now,
    with the moment it stands for (HALL_CLOCK_STARTED), so that the process and the test
    agree to the millisecond however long the process takes to start."""
    at = at or clock.now()
    return {"HALL_CLOCK": at.astimezone(ZoneInfo("Asia/Shanghai")).isoformat(),
            "HALL_CLOCK_STARTED": repr(time.time())}


# -- SQLite ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """One migrated, seeded database file, copied for every test (migrating each time would
    cost more than the tests)."""
    path = tmp_path_factory.mktemp("template") / "hall.db"
    migrate_and_seed(create_app(make_config(f"sqlite:///{path}",
                                            UPLOAD_ROOT=str(path.parent / "uploads"))))
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


class _TemplateCache(BytecodeCache):
    """Compiled templates shared by every app a test process makes: each test's app would
    otherwise compile each page it renders again. Keyed by name and source checksum, so a
    changed template is compiled afresh."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CACHE = _TemplateCache()


@pytest.fixture
def app(sqlite_template, tmp_path):
    path = tmp_path / "hall.db"
    shutil.copy(sqlite_template, path)
    uploads = tmp_path / "uploads"  # the demo's stored files (blank forms), the test's own
    if (sqlite_template.parent / "uploads").is_dir():
        shutil.copytree(sqlite_template.parent / "uploads", uploads)
    app = create_app(make_config(f"sqlite:///{path}", UPLOAD_ROOT=str(uploads)))
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    yield app
    shutdown(app)
    with app.app_context():
        db.engine.dispose()


# -- PostgreSQL -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def pg_uploads(tmp_path_factory):
    """The stored files of the PostgreSQL test database (the demo's forms among them)."""
    return tmp_path_factory.mktemp("pg_uploads")


@pytest.fixture(scope="session")
def pg_database(pg_uploads):
    """A schema of its own in the test database, migrated and seeded once per run."""
    engine = sa.create_engine(PG_URL)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
    except Exception as error:  # noqa: BLE001 - any failure means "no server here"
        engine.dispose()
        require_or_skip("PostgreSQL", error)
    schema = f"hall_test_{uuid.uuid4().hex[:10]}"
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    migrate_and_seed(create_app(make_config(url, UPLOAD_ROOT=str(pg_uploads))))
    yield url
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def wipe_the_day(connection) -> None:
    """A seeded PostgreSQL hall with every move wiped: no ticket, case, event or rating,
    every window closed, counters and leases gone (TRUNCATE, which the event log's row
    triggers allow: the history of a test database is not history)."""
    connection.execute(sa.text(
        "UPDATE windows SET state = 'closed', clerk_id = NULL, current_ticket_id = NULL,"
        " priority_streak = 0, appointment_streak = 0, pause_reason = NULL, opened_at = NULL"))
    connection.execute(sa.text("DELETE FROM bookings"))
    connection.execute(sa.text("DELETE FROM remote_tickets"))
    connection.execute(sa.text("DELETE FROM slot_places"))
    connection.execute(sa.text("DELETE FROM booking_rules"))
    connection.execute(sa.text("DELETE FROM service_booking"))
    connection.execute(sa.text("DELETE FROM opening_exceptions"))  # a test's closed day
    # No CASCADE: windows refer to tickets, and a cascade would empty them too.
    connection.execute(sa.text(
        "TRUNCATE events, ratings, daily_reports, cases, daily_counters, job_leases, api_tokens, "
        "outbox_attempts, outbox, enquiry_messages, enquiries, "
        "notice_objections, public_notices, "  # issue 15: public notice (公示)
        "qa_index, published_answers, "  # issue 15: the public Q&A
        "applications "  # issue 15: applying online
        "RESTART IDENTITY"))
    # Questions and complaints (issue 15): the time limits back to the defaults.
    connection.execute(sa.text("DELETE FROM enquiry_rules"))
    connection.execute(sa.text("DELETE FROM tickets"))
    connection.execute(sa.text("UPDATE halls SET floor_seq = 0"))
    # the files tests stored; the demo's own (its blank forms, stored by "system") stay
    connection.execute(sa.text("DELETE FROM stored_files WHERE uploaded_by <> 'system'"))


@pytest.fixture
def pg_app(pg_database, pg_uploads):
    """The seeded PostgreSQL hall with today's moves wiped (TRUNCATE, which the event log's
    row triggers allow: the history of a test database is not history)."""
    app = create_app(make_config(pg_database, UPLOAD_ROOT=str(pg_uploads)))
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    with app.app_context():
        with db.engine.begin() as connection:
            wipe_the_day(connection)
    yield app
    shutdown(app)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def redis_url():
    """A reachable Redis for message-queue tests (skipped where there is none)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except Exception as error:  # noqa: BLE001 - any failure means "no server here"
        require_or_skip("Redis", error)
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def any_app(request):
    """The same test on both databases."""
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


# -- acting like users ----------------------------------------------------------------------

@pytest.fixture
def client(app):
    return app.test_client()


def actor(app, username: str) -> Actor:
    """The member of staff as the engine sees them."""
    with app.app_context():
        staff = db.session.scalar(sa.select(Staff).where(Staff.username == username))
        return Actor.of(staff)


@contextmanager
def two_processes(tmp_path, sqlite_template, redis_url):
    """Two server processes of one hall, sharing its database and Redis, the first served on a
    real port: yields (its base URL, the served app, the other app). Two apps in one test
    process, connected only as processes are: through the database file and Redis."""
    path = tmp_path / "hall.db"
    shutil.copy(sqlite_template, path)
    settings = dict(REDIS_URL=redis_url, SOCKETIO_CHANNEL=f"hall-test-{uuid.uuid4().hex}",
                    RATELIMIT_STORAGE_URI="hall-memory://")
    serving = create_app(make_config(f"sqlite:///{path}", **settings))
    other = create_app(make_config(f"sqlite:///{path}", **settings))
    server = make_server("127.0.0.1", 0, serving, threaded=True, request_handler=RequestHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", serving, other
    finally:
        server.shutdown()
        for app in (serving, other):
            shutdown(app)


@pytest.fixture
def live_server(app):
    """The app on a real port, served by a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=RequestHandler)
    # A short poll interval: shutdown() waits for the loop to notice, once per test.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)




