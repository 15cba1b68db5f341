"""Numbers are sacred: many kiosks and windows at once, on SQLite and on PostgreSQL.

Real threads, released together by a barrier; the invariants are checked in the database:
no number twice, no gap, nothing lost, no visitor called by two windows.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa

from conftest import actor
from hall import issuing, queue
from hall.models import Event, Ticket
from hall.web.extensions import db

pytestmark = pytest.mark.hall_open  # tickets are taken and windows opened: in opening hours

KIOSKS = 64
TICKETS_PER_KIOSK = 4
SERVICES = ("EXAM", "TITLE", "INSURE")


def run_together(count: int, work) -> list:
    """Run ``work(i)`` in ``count`` threads started at the same instant; their results."""
    barrier = threading.Barrier(count)

    def start(i):
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(start, range(count)))


def assert_numbering_is_whole(app, expected: int) -> None:
    """Every ticket once, each prefix counted 1..n without a gap, service numbers unique."""
    with app.app_context():
        tickets = db.session.execute(sa.select(Ticket.prefix, Ticket.seq, Ticket.number,
                                               Ticket.service_no)).all()
        issued_events = db.session.scalar(sa.select(sa.func.count()).select_from(Event)
                                          .where(Event.kind == "ticket.issued"))
    assert len(tickets) == expected == issued_events
    by_prefix = defaultdict(list)
    for prefix, seq, _number, _service_no in tickets:
        by_prefix[prefix].append(seq)
    for prefix, seqs in by_prefix.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), f"gap or repeat in {prefix}"
    assert len({t.number for t in tickets}) == expected
    assert len({t.service_no for t in tickets}) == expected


def test_64_kiosks_at_once_get_unique_gap_free_numbers(any_app):
    def kiosk(i):
        numbers = []
        with any_app.app_context():
            for n in range(TICKETS_PER_KIOSK):
                service = SERVICES[(i + n) % len(SERVICES)]
                numbers.append(issuing.issue_ticket(db.session, "HQ", service).number)
        return numbers

    issued = [n for numbers in run_together(KIOSKS, kiosk) for n in numbers]
    assert len(issued) == len(set(issued)) == KIOSKS * TICKETS_PER_KIOSK
    assert_numbering_is_whole(any_app, KIOSKS * TICKETS_PER_KIOSK)


def test_64_kiosks_over_http_get_unique_numbers_and_every_answer_is_in_the_database(app, live_server):
    def kiosk(i):
        with requests.Session() as http:
            answers = []
            for n in range(TICKETS_PER_KIOSK):
                r = http.post(f"{live_server}/api/v1/tickets",
                              json={"hall": "HQ", "service": SERVICES[(i + n) % 3]}, timeout=30)
                answers.append((r.status_code, r.json()))
            return answers

    answers = [a for batch in run_together(KIOSKS, kiosk) for a in batch]
    assert {status for status, _ in answers} == {201}
    numbers = [body["number"] for _, body in answers]
    assert len(set(numbers)) == len(numbers)
    assert_numbering_is_whole(app, KIOSKS * TICKETS_PER_KIOSK)
    with app.app_context():
        stored = set(db.session.scalars(sa.select(Ticket.service_no)))
    assert {body["service_no"] for _, body in answers} == stored


def test_two_windows_calling_at_once_never_call_the_same_visitor(any_app):
    visitors = 200
    with any_app.app_context():
        for _ in range(visitors):
            issuing.issue_ticket(db.session, "HQ", "EXAM")
        for window in (3, 4):  # both serve exam recruitment
            queue.open_window(db.session, "HQ", window,
                              actor=actor(any_app, f"clerk{window:02d}"))
    clerks = {3: actor(any_app, "clerk03"), 4: actor(any_app, "clerk04")}
    barrier = threading.Barrier(2)

    def window(no):
        called, together = [], True
        with any_app.app_context():
            try:
                while True:
                    if together:
                        try:
                            barrier.wait(timeout=30)  # both press "call next" at once
                        except threading.BrokenBarrierError:
                            together = False  # the other window is done; go on alone
                    ticket = queue.call_next(db.session, "HQ", no, actor=clerks[no])
                    if ticket is None:
                        return called
                    called.append(ticket.number)
                    queue.finish(db.session, "HQ", no, actor=clerks[no])
            finally:
                barrier.abort()  # never leave the other window waiting, even on an error

    with ThreadPoolExecutor(max_workers=2) as pool:
        at_3, at_4 = pool.map(window, (3, 4))

    assert not set(at_3) & set(at_4)
    assert len(at_3) + len(at_4) == visitors
    assert at_3 and at_4  # both windows really worked
    with any_app.app_context():
        calls = db.session.scalar(sa.select(sa.func.count()).select_from(Event)
                                  .where(Event.kind == "ticket.called"))
        unfinished = db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)
                                       .where(Ticket.status != "finished"))
    assert (calls, unfinished) == (visitors, 0)


def test_two_clerks_pressing_call_next_over_http_never_get_the_same_visitor(app, live_server):
    visitors = 200
    with requests.Session() as http:
        for _ in range(visitors):
            http.post(f"{live_server}/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"})
    barrier = threading.Barrier(2)

    def clerk(window: int) -> list[str]:
        with requests.Session() as http:
            token = http.post(f"{live_server}/api/v1/auth/token",
                              json={"username": f"clerk{window:02d}", "password": "demo"}).json()
            http.headers["Authorization"] = f"Bearer {token['token']}"
            base = f"{live_server}/api/v1/halls/HQ/windows/{window}"
            http.post(f"{base}/open")
            called, together = [], True
            try:
                while True:
                    if together:
                        try:
                            barrier.wait(timeout=30)
                        except threading.BrokenBarrierError:
                            together = False
                    r = http.post(f"{base}/call")
                    if r.status_code == 204:
                        return called
                    assert r.status_code == 200, r.text
                    called.append(r.json()["number"])
                    assert http.post(f"{base}/finish").status_code == 200
            finally:
                barrier.abort()

    with ThreadPoolExecutor(max_workers=2) as pool:
        at_3, at_4 = pool.map(clerk, (3, 4))
    assert not set(at_3) & set(at_4)
    assert len(at_3) + len(at_4) == visitors and at_3 and at_4
