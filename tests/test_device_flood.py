"""Floods from one address against a live server, with real clients (#11.3, #11.4): the wall
display socket, the ticket API, the kiosk form, tracking and the public queue. Each checks
what the hall must keep: the cap holds, nothing is written beyond the limits, and the other
clients (a real kiosk, another display, another visitor) are served promptly throughout,
without the database's pool running dry.

The server sits behind a declared proxy (``PROXIES=1``) so that each client can come from an
address of its own (``X-Forwarded-For``), as visitors do behind nginx."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa

from device_helpers import (  # noqa: F401  (_stop_apps_like: a fixture)
    Screen,
    _stop_apps_like,
    app_like,
    bearer,
    count,
    events,
    register,
    serving,
)
from hall.models import Ticket
from hall.web.extensions import db

FLOOD = "198.51.100.66"   # the one address the flood comes from
KIOSK = "192.0.2.10"      # a real kiosk of the hall, with its own token
OTHER = "192.0.2.77"      # another visitor, or another display
EXAM = {"hall": "HQ", "service": "EXAM"}


# These tests take tickets: their clock starts when the demo halls take them (conftest).
pytestmark = pytest.mark.hall_open


def at(address: str, **headers) -> dict:
    return {"X-Forwarded-For": address, **headers}


class Kiosk(threading.Thread):
    """A real kiosk taking a number every half second (a busy morning, and then some) while
    the flood runs, and at least five; keeps each answer and how long it took."""

    def __init__(self, base: str, token: str) -> None:
        super().__init__(daemon=True)
        self.base, self.headers = base, at(KIOSK, **bearer(token))
        self.answers: list[tuple[int, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while True:
            started = time.monotonic()
            r = requests.post(f"{self.base}/api/v1/tickets", json=EXAM, headers=self.headers,
                              timeout=30)
            self.answers.append((r.status_code, time.monotonic() - started))
            time.sleep(0.5)
            if self.stop.is_set() and len(self.answers) >= 5:
                return

    def finish(self) -> list[tuple[int, float]]:
        self.stop.set()
        self.join(30)
        return self.answers


class PoolWatch(threading.Thread):
    """The most database connections the server had out of its pool at once."""

    def __init__(self, app) -> None:
        super().__init__(daemon=True)
        with app.app_context():
            self.pool = db.engine.pool
        self.most, self.stop = 0, threading.Event()

    @property
    def capacity(self) -> int:
        return self.pool.size() + max(self.pool._max_overflow, 0)

    def run(self) -> None:
        while not self.stop.wait(0.005):
            self.most = max(self.most, self.pool.checkedout())


def kiosk_was_served(answers) -> None:
    """The registered kiosk beside the flood got every ticket, and none waited as a starved
    one would (its 30 s timeout). Loose for the same reason as the visitor's bound below: a
    clean CI run on this shared 2-core machine once took 2.8 s for one ticket."""
    assert len(answers) >= 5, answers
    assert {status for status, _ in answers} == {201}, answers
    assert max(seconds for _, seconds in answers) < 5.0, answers


def test_a_flood_of_display_sockets_from_one_address_is_capped_and_the_kiosk_keeps_issuing(app):
    # The flood comes from a machine on a trusted network, so its sockets are accepted as
    # displays up to the cap and all of them join: the worst case for the database.
    hall = app_like(app, PROXIES=1, TRUSTED_DEVICE_NETWORKS="198.51.100.0/24",
                    SOCKET_MAX_PER_ADDRESS=20)
    _, token = register(hall, name="入口取号机 1号")
    _, display_token = register(hall, kind="display", name="大厅显示屏 9")
    screens: list[Screen] = []
    with serving(hall) as base:
        kiosk, pool = Kiosk(base, token), PoolWatch(hall)
        kiosk.start(), pool.start()
        try:
            with ThreadPoolExecutor(max_workers=30) as workers:
                screens = list(workers.map(lambda _: Screen(base, address=FLOOD), range(150)))
                connected = [s for s in screens if s.client.connected]
                answers = list(workers.map(lambda s: s.join(), connected))
            assert len(connected) == 20, f"{len(connected)} sockets from one address"
            assert {name for name, _ in answers} == {"state"}
            # another display, from another address, still gets in and gets the floor
            other = Screen(base, token=display_token, address=OTHER)
            screens.append(other)
            assert other.join()[0] == "state"
        finally:
            answers_of_kiosk = kiosk.finish()
            pool.stop.set()
            for screen in screens:
                screen.close()
        kiosk_was_served(answers_of_kiosk)
        assert pool.most < pool.capacity, f"{pool.most} of {pool.capacity} connections out"
        # the flood has left: its address may connect again
        time.sleep(0.5)
        again = Screen(base, address=FLOOD)
        assert again.client.connected
        again.close()


def test_a_flood_of_ticket_requests_from_one_address_writes_nothing_beyond_the_limits(app):
    hall = app_like(app, PROXIES=1, TRUSTED_DEVICE_NETWORKS="",
                    DEVICE_ISSUE_LIMIT="5 per second; 30 per minute; 2000 per day",
                    DEVICE_ALERT="10 per minute",
                    ISSUE_ADDRESS_LIMIT="100 per second; 5000 per minute")
    stolen_id, stolen = register(hall, name="被盗用的取号机")
    _, token = register(hall, name="入口取号机 2号")

    def flood(base: str, headers: dict, n: int = 400) -> list[int]:
        def one(_):
            return requests.post(f"{base}/api/v1/tickets", json=EXAM, headers=headers,
                                 timeout=30).status_code
        with ThreadPoolExecutor(max_workers=16) as workers:
            return list(workers.map(one, range(n)))

    with serving(hall) as base:
        kiosk = Kiosk(base, token)
        kiosk.start()
        try:
            anonymous = flood(base, at(FLOOD))
            with_the_stolen_token = flood(base, at(FLOOD, **bearer(stolen)))
        finally:
            answers = kiosk.finish()
    assert set(anonymous) <= {401, 429} and 401 in anonymous
    assert set(with_the_stolen_token) == {201, 429}
    issued_by_flood = count(app, Ticket, Ticket.device_id == stolen_id)
    assert issued_by_flood == with_the_stolen_token.count(201) <= 30
    assert count(app, Ticket, Ticket.device_id.is_(None)) == 0  # nothing anonymous
    [alert] = events(app, "device.issuing_fast")
    assert alert.data["device"] == stolen_id
    kiosk_was_served(answers)
    with app.app_context():  # the numbers stay a gap-free run 1..n
        seqs = db.session.scalars(sa.select(Ticket.seq).order_by(Ticket.seq)).all()
    assert seqs == list(range(1, len(seqs) + 1))


def test_a_flood_of_kiosk_form_posts_from_one_address_takes_no_number(app):
    hall = app_like(app, PROXIES=1, TRUSTED_DEVICE_NETWORKS="",
                    ISSUE_ADDRESS_LIMIT="20 per second; 200 per minute")
    _, token = register(hall, name="入口取号机 3号")
    with serving(hall) as base:
        flooder = requests.Session()
        flooder.headers.update(at(FLOOD))
        page = flooder.get(f"{base}/track", timeout=10).text
        csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        kiosk = Kiosk(base, token)
        kiosk.start()
        try:
            def one(_):
                return flooder.post(f"{base}/kiosk/HQ/tickets", timeout=30,
                                    data={"csrf_token": csrf, "service": "EXAM"}).status_code
            with ThreadPoolExecutor(max_workers=8) as workers:
                codes = list(workers.map(one, range(300)))
        finally:
            answers = kiosk.finish()
    assert set(codes) == {401, 429} and codes.count(401) <= 200
    assert count(app, Ticket, Ticket.device_id.is_(None)) == 0
    kiosk_was_served(answers)


@pytest.mark.parametrize("path", ["/track/261122001000010", "/api/v1/track/261122001000010",
                                  "/api/v1/halls/HQ/queue"])
def test_a_flood_of_public_reads_from_one_address_is_limited_and_others_are_served(app, path):
    hall = app_like(app, PROXIES=1, TRACK_RATE_LIMIT="30 per minute",
                    PUBLIC_RATE_LIMIT="60 per minute")
    with serving(hall) as base:
        def one(_):
            return requests.get(f"{base}{path}", headers=at(FLOOD), timeout=30).status_code

        others: list[tuple[int, float]] = []

        def visitor():
            for _ in range(10):
                started = time.monotonic()
                r = requests.get(f"{base}{path}", headers=at(OTHER), timeout=30)
                others.append((r.status_code, time.monotonic() - started))
                time.sleep(0.05)

        watcher = threading.Thread(target=visitor)
        watcher.start()
        with ThreadPoolExecutor(max_workers=8) as workers:
            codes = list(workers.map(one, range(300)))
        watcher.join(30)
    served = [c for c in codes if c != 429]
    assert len(served) <= 60 and codes.count(429) >= 240
    assert len(others) == 10 and 429 not in {s for s, _ in others}
    # Served, not starved: a starved visitor waits for its 30 s timeout. The bound is loose
    # because eight flooding threads share this 2-core machine with the whole suite (a clean
    # run once took 2.4 s here); how fast a public read is under load is bench/track.py's.
    assert max(seconds for _, seconds in others) < 5.0
