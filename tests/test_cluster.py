"""The hall as a cluster: several ``run.py`` processes on one PostgreSQL and one Redis.

Every promise of one process must hold across processes: a call made on one reaches the
displays of another (Socket.IO over Redis), numbering stays unique and gap-free, two windows
never call the same ticket, a process killed with -9 loses no answered ticket, and the
scheduled deadline job acts once, handing over when its holder dies.
"""
from __future__ import annotations

import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import requests
import sqlalchemy as sa

from cluster_helpers import (
    Clerk,
    Display,
    Phone,
    Server,
    cluster_env,
    create_schema,
    drop_schema,
    hall_now,
    prepare,
    reset_day,
    start_all,
    take,
    wait_until,
)
from conftest import PG_URL, REDIS_URL, actor, make_config, require_or_skip

pytestmark = pytest.mark.hall_open  # tickets are taken and windows opened: in opening hours

SERVICES = ("EXAM", "TITLE", "TRANSFER", "AGENCY", "INSURE", "CONSULT", "CERT", "WAGE")


def _services_reachable() -> None:
    import redis

    engine = sa.create_engine(PG_URL)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
    except Exception as error:  # noqa: BLE001 - any failure means "no server here"
        require_or_skip("PostgreSQL", error)
    finally:
        engine.dispose()
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except Exception as error:  # noqa: BLE001
        require_or_skip("Redis", error)
    finally:
        client.close()


@pytest.fixture(scope="module")
def cluster_db(tmp_path_factory, open_instant):
    """A schema of this module's own, migrated and seeded by the hall's commands; dropped at
    the end. (url, env for servers, temp dir). The processes keep one hall clock, started
    when the demo halls take tickets."""
    _services_reachable()
    tmp = tmp_path_factory.mktemp("cluster")
    schema, url = create_schema(PG_URL)
    try:
        env = cluster_env(url, REDIS_URL, tmp, channel=f"hall-test-{uuid.uuid4().hex[:8]}",
                          at=open_instant)
        prepare(env, tmp / "setup.log")
        yield url, env, tmp
    finally:
        drop_schema(PG_URL, schema)


@pytest.fixture(scope="module")
def pair(cluster_db):
    """Processes A and B (no scheduler), started once for the module."""
    _url, env, tmp = cluster_db
    servers = [Server("a", env, tmp), Server("b", env, tmp)]
    try:
        yield start_all(servers)
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def day(cluster_db, pair):
    """A fresh day on the running pair: the database URL."""
    url = cluster_db[0]
    reset_day(url)
    return url


def db_rows(url: str, sql: str, **params) -> list:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql), params).all()
    finally:
        engine.dispose()


def numbering_problems(url: str) -> dict:
    """Duplicates and gaps in today's numbering, straight from the database."""
    return {
        "dup_numbers": db_rows(url, "SELECT hall_id, day, number FROM tickets "
                                    "GROUP BY hall_id, day, number HAVING count(*) > 1"),
        "dup_service_nos": db_rows(url, "SELECT service_no FROM tickets "
                                        "GROUP BY service_no HAVING count(*) > 1"),
        "gaps": db_rows(url, "SELECT hall_id, day, prefix, min(seq), max(seq), count(*) "
                             "FROM tickets GROUP BY hall_id, day, prefix HAVING min(seq) <> 1 "
                             "OR max(seq) <> count(*) OR count(DISTINCT seq) <> count(*)"),
    }


def no_problems(url: str) -> None:
    problems = numbering_problems(url)
    assert problems == {"dup_numbers": [], "dup_service_nos": [], "gaps": []}


# -- two processes -----------------------------------------------------------------------------

def test_a_display_on_b_receives_a_call_made_on_a(pair, day):
    a, b = pair
    display = Display(b.base)
    try:
        display.join()
        number = take(a.base).json()["number"]
        clerk = Clerk(a.base, "clerk03", 3)
        assert clerk.do("open").status_code == 200
        called = clerk.do("call")
        assert called.status_code == 200 and called.json()["number"] == number
        message = display.wait_for("called", number=number)
        assert message["window_no"] == 3 and message["service"] == "EXAM"
    finally:
        display.close()


def test_a_phone_on_b_sees_its_place_and_its_call_made_on_a(pair, day):
    """The phones' watch of each process hears, through Redis, which halls moved anywhere
    (hall/web/live/tickets.py), and reads its own followers again."""
    a, b = pair
    first, mine = take(a.base).json(), take(a.base).json()
    phone = Phone(b.base)
    try:
        phone.follow(mine["service_no"], mine["access_code"])
        assert phone.wait_for("state")["ahead"] == 1
        clerk = Clerk(a.base, "clerk03", 3)
        clerk.do("open")
        assert clerk.do("call").json()["number"] == first["number"]
        assert phone.wait_for("ticket", ahead=0)["status"] == "waiting"
        clerk.do("finish")
        clerk.do("call")
        assert phone.wait_for("ticket", status="called")["window"] == 3
    finally:
        phone.close()


def test_a_read_on_b_right_after_a_move_on_a_shows_it(pair, day):
    """Reads are answered from views and answers kept in each process (#13.2); the stamp
    comes from the database on every read, so the read after a move answered by another
    process shows it, though B was answering from what it kept."""
    a, b = pair
    queue_url = f"{b.base}/api/v1/halls/HQ/queue"

    def exam(answer) -> int:
        return next(s for s in answer.json()["services"] if s["code"] == "EXAM")["waiting"]

    for _ in range(5):
        requests.get(queue_url, timeout=10)                  # B keeps Flask's answer...
        held = requests.get(queue_url, timeout=10)          # ...and gives it again (kept.py)
        mine = take(a.base).json()                           # a ticket on A
        after = requests.get(queue_url, headers={"If-None-Match": held.headers["ETag"]},
                             timeout=10)
        assert after.status_code == 200 and exam(after) == exam(held) + 1
        page = f"{b.base}/track/{mine['service_no']}"
        requests.get(page, timeout=10)
        waiting = requests.get(page, timeout=10)
        clerk = Clerk(a.base, "clerk03", 3)
        clerk.do("open")
        while True:                                          # A calls until mine is called
            called = clerk.do("call")
            assert called.status_code == 200, called.text
            if called.json()["number"] == mine["number"]:
                break
            clerk.do("finish")
        moved = requests.get(page, headers={"If-None-Match": waiting.headers["ETag"]},
                             timeout=10)
        assert moved.status_code == 200 and "3 号窗口" in moved.text
        clerk.do("finish")


def test_64_kiosks_across_two_processes_get_unique_gap_free_numbers(pair, day):
    servers = list(pair)
    barrier = threading.Barrier(64)

    def kiosk(i: int):
        barrier.wait(timeout=20)
        return take(servers[i % 2].base, SERVICES[i % len(SERVICES)])

    with ThreadPoolExecutor(max_workers=64) as pool:
        answers = list(pool.map(kiosk, range(64)))
    assert [r.status_code for r in answers] == [201] * 64
    tickets = [r.json() for r in answers]
    numbers = [t["number"] for t in tickets]
    assert len(set(numbers)) == 64 and len({t["service_no"] for t in tickets}) == 64
    by_prefix = defaultdict(list)
    for number in numbers:
        by_prefix[number[0]].append(int(number[1:]))
    assert {p: sorted(s) for p, s in by_prefix.items()} == {
        p: list(range(1, len(s) + 1)) for p, s in by_prefix.items()}
    stored = {no for (no,) in db_rows(day, "SELECT service_no FROM tickets")}
    assert stored == {t["service_no"] for t in tickets}
    no_problems(day)


def test_two_windows_on_two_processes_never_call_the_same_ticket(pair, day):
    a, b = pair
    with ThreadPoolExecutor(max_workers=8) as pool:  # windows 3 and 4 both serve EXAM
        issued = [r.json()["number"] for r in
                  pool.map(lambda i: take(pair[i % 2].base, "EXAM"), range(40))]
    assert len(set(issued)) == 40
    calls: dict[int, list[str]] = {3: [], 4: []}

    def serve(server, username: str, window: int) -> None:
        clerk = Clerk(server.base, username, window)
        assert clerk.do("open").status_code == 200
        while True:
            called = clerk.do("call")
            if called.status_code == 204:  # nobody waits any more
                return
            assert called.status_code == 200, called.text
            number = called.json()["number"]
            calls[window].append(number)
            assert clerk.do("finish", number=number).status_code == 200

    with ThreadPoolExecutor(max_workers=2) as pool:
        done = [pool.submit(serve, a, "clerk03", 3), pool.submit(serve, b, "clerk04", 4)]
        for job in done:
            job.result(timeout=60)
    everything = calls[3] + calls[4]
    assert calls[3] and calls[4], "both windows must have called"
    assert Counter(everything) == Counter(issued)  # each once, none twice, none left


def test_kill_9_in_a_ticket_burst_loses_no_answered_ticket(pair, day):
    a, b = pair
    answered, failed = [], Counter()
    lock = threading.Lock()
    stop_at = time.monotonic() + 4.0

    def kiosk(i: int) -> None:
        server = pair[i % 2]
        while time.monotonic() < stop_at:
            try:
                r = take(server.base, SERVICES[i % len(SERVICES)], timeout=10)
            except requests.RequestException:
                with lock:
                    failed["connection"] += 1
                time.sleep(0.05)  # B is gone: do not spin
                continue
            with lock:
                if 200 <= r.status_code < 300:
                    answered.append(r.json()["service_no"])
                else:
                    failed[r.status_code] += 1

    with ThreadPoolExecutor(max_workers=16) as pool:
        jobs = [pool.submit(kiosk, i) for i in range(16)]
        time.sleep(1.5)
        before_kill = len(answered)
        b.kill9()
        for job in jobs:
            job.result(timeout=30)
    assert before_kill > 0 and failed["connection"] > 0  # the kill did land mid-burst
    assert not [code for code in failed if code != "connection"], failed  # no 5xx on A
    b.start().wait_ready()
    stored = {no for (no,) in db_rows(day, "SELECT service_no FROM tickets")}
    assert set(answered) <= stored, f"{len(set(answered) - stored)} answered tickets lost"
    # Numbering continues on both processes without a duplicate (or a gap: the killed
    # transactions were rolled back with their counters).
    more = [take(pair[i % 2].base, SERVICES[i % len(SERVICES)]) for i in range(16)]
    assert [r.status_code for r in more] == [201] * 16
    no_problems(day)


# -- the scheduler, elected ----------------------------------------------------------------------

CASES = 9


def open_cases(url: str, count: int) -> list[int]:
    """``count`` exam cases accepted at window 3, through the domain, in the test process."""
    from hall import cases, issuing, queue
    from hall.web import create_app, shutdown
    from hall.web.extensions import db

    app = create_app(make_config(url))
    clerk = actor(app, "clerk03")
    ids = []
    try:
        with app.app_context():
            queue.open_window(db.session, "HQ", 3, actor=clerk)
            for i in range(count):
                number = issuing.issue_ticket(db.session, "HQ", "EXAM").number
                queue.call_ticket(db.session, "HQ", 3, number, actor=clerk)
                ids.append(cases.accept(db.session, "HQ", 3, actor=clerk,
                                        applicant_name=f"申请人{i}", subject="资格复审").id)
            db.session.remove()
            db.engine.dispose()
    finally:
        shutdown(app)
    return ids


def marks(url: str) -> Counter:
    return Counter(db_rows(url, "SELECT kind, case_id FROM events "
                                "WHERE kind IN ('case.yellow', 'case.red')"))


def _stored(at: datetime) -> datetime:
    """As the hall stores instants: naive UTC."""
    return at.astimezone(UTC).replace(tzinfo=None)


def make_due(url: str, ids: list[int], warning: str, now: datetime) -> None:
    """Move the cases' lines into the past of the cluster's hall clock (``now``): past the
    warning line, or past the deadline."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            if warning == "yellow":
                conn.execute(sa.text("UPDATE cases SET yellow_at = :yellow WHERE id = ANY(:ids)"),
                             {"ids": ids, "yellow": _stored(now - timedelta(hours=1))})
            else:
                conn.execute(sa.text("UPDATE cases SET yellow_at = :yellow, due_at = :due "
                                     "WHERE id = ANY(:ids)"),
                             {"ids": ids, "yellow": _stored(now - timedelta(hours=2)),
                              "due": _stored(now - timedelta(hours=1))})
    finally:
        engine.dispose()


def lease_holder(url: str, now: datetime) -> str | None:
    rows = db_rows(url, "SELECT holder FROM job_leases WHERE name = 'deadlines' "
                        "AND expires_at > :now", now=_stored(now))
    return rows[0][0] if rows else None


def test_three_schedulers_mark_each_transition_once_and_hand_over(cluster_db):
    url, env, tmp = cluster_db
    reset_day(url)
    ids = open_cases(url, CASES)
    yellow, red, later = ids[:3], ids[3:6], ids[6:]
    make_due(url, yellow, "yellow", hall_now(env))
    make_due(url, red, "red", hall_now(env))
    ticking = {**env, "SCHEDULER_ENABLED": "1", "SCHEDULER_INTERVAL": "1"}
    servers = [Server(f"s{k}", ticking, tmp) for k in range(3)]
    try:
        start_all(servers)
        expected = {("case.yellow", i): 1 for i in yellow} | {("case.red", i): 1 for i in red}
        wait_until(lambda: len(marks(url)) >= len(expected), timeout=15)
        time.sleep(3)  # three more ticks of each process: nothing may be marked again
        assert dict(marks(url)) == expected

        holders = {name: s for s in servers for name in s.holders}
        holder = wait_until(lambda: lease_holder(url, hall_now(env)), timeout=5)
        assert holder in holders, (holder, list(holders))
        holders[holder].kill9()
        killed_at = time.monotonic()
        (dead_until,), = db_rows(url, "SELECT expires_at FROM job_leases "
                                      "WHERE name = 'deadlines' AND holder = :h", h=holder)
        make_due(url, later, "red", hall_now(env))
        wait_until(lambda: all(marks(url)[("case.red", i)] for i in later), timeout=15)
        took = time.monotonic() - killed_at
        expected |= {("case.red", i): 1 for i in later}
        assert dict(marks(url)) == expected
        # One process at a time: nobody marked while the dead holder's lease still ran...
        (first_mark,), = db_rows(url, "SELECT min(at) FROM events WHERE kind = 'case.red' "
                                      "AND case_id = ANY(:ids)", ids=later)
        assert first_mark >= dead_until, (
            f"marked at {first_mark}, while {holder}'s lease ran until {dead_until}: "
            f"the lease did not keep the other processes idle")
        # ...and a survivor took over at its first tick after the lease (3 intervals) expired.
        assert took <= 3 * 1 + 2.5, f"took over after {took:.1f} s"
        new_holder = lease_holder(url, hall_now(env))
        assert new_holder in holders and new_holder != holder
    finally:
        for server in servers:
            server.stop()
