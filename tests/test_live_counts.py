"""Counts are gathered, calls never wait (#13.1): the rules of hall/live.py, the publisher
that follows them, and a burst of tickets and calls as a real display receives it."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa

from hall import live
from hall.models import Hall, ServiceItem, Ticket, TicketStatus
from hall.web.extensions import db
from hall.web.live.publisher import FloorPublisher
from wire import Clerk, Display

pytestmark = pytest.mark.hall_open  # tickets are taken


def issued(seq: int, hall: str = "HQ") -> dict:
    return {"seq": seq, "hall": hall, "kind": "ticket.issued", "at": f"t{seq}",
            "data": {"number": f"A{seq:03d}", "service": "EXAM"}}


def called(seq: int, hall: str = "HQ") -> dict:
    return {"seq": seq, "hall": hall, "kind": "ticket.called", "at": f"t{seq}",
            "data": {"number": f"A{seq:03d}", "service": "EXAM", "window_no": 3}}


# -- the rules ----------------------------------------------------------------------------

def test_a_lone_ticket_goes_at_once_and_a_burst_is_gathered():
    gather = live.CountCoalescer(interval=0.2)
    assert gather.add(issued(1), now=10.0) is None
    first = gather.due(10.0)
    assert [(r.first, r.last) for r in first] == [(1, 1)]  # quiet before: at once
    for seq in range(2, 50):
        gather.add(issued(seq), now=10.05)
    assert gather.due(10.1) == []                           # within the interval: gathered
    assert gather.next_due() == pytest.approx(10.2)
    (run,) = gather.due(10.2)
    assert (run.first, run.last, run.taken) == (2, 49, 48)
    assert gather.next_due() is None


def test_a_call_takes_the_tickets_before_it_along_and_never_waits():
    gather = live.CountCoalescer(interval=60)
    gather.due(0.0)
    gather.add(issued(1), now=1.0)
    gather.add(issued(2), now=1.0)
    run = gather.before(called(3), now=1.0)
    assert (run.first, run.last) == (1, 2)
    assert gather.before(called(4), now=1.0) is None


def test_a_run_never_stands_for_a_number_it_did_not_see():
    """Two commits handed over out of order: 5 comes before the call 4. The run of 5 must not
    grow over 4, or a display would skip the call as already covered."""
    gather = live.CountCoalescer(interval=60)
    gather.add(issued(3), now=1.0)
    ended = gather.add(issued(5), now=1.0)
    assert (ended.first, ended.last) == (3, 3)
    assert gather.before(called(4), now=1.0) is None         # 5 waits until after the call
    (run,) = gather.due(float("inf"))
    assert (run.first, run.last) == (5, 5)


def test_the_counts_message_says_which_numbers_it_stands_for():
    run = live.CountRun("HQ", 7, 9, "t9", taken=3)
    name, body = live.counts_message(run, {"EXAM": 4})
    assert name == "counts"
    assert body == {"seq": 9, "from": 7, "hall": "HQ", "kind": "counts", "at": "t9",
                    "taken": 3, "waiting": {"EXAM": 4}}


# -- the publisher ------------------------------------------------------------------------

class Recorder:
    """Socket.IO as the publisher sees it, keeping what is emitted."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []      # to the wall displays
        self.consoles: list[tuple[str, dict]] = []  # to the clerks' consoles (/staff)
        self.server = None

    def emit(self, name, body, namespace=None, to=None):
        if namespace == "/display":
            self.sent.append((name, body))
        elif to is not None and to.startswith("floor:"):
            self.consoles.append((name, body))


def test_the_publisher_sends_a_call_at_once_however_long_counts_are_gathered(app):
    recorder = Recorder()
    publisher = FloorPublisher(app, recorder, counts_interval=3600)
    publisher._send([issued(1)])                  # quiet hall: the first goes at once
    publisher._send([issued(2), issued(3)])       # gathered (an hour, here)
    assert [(n, b.get("from"), b["seq"]) for n, b in recorder.sent] == [("counts", 1, 1)]
    recounts = publisher.recounts
    publisher._send([called(4)])                  # the call: with the tickets before it
    assert [(n, b.get("from"), b["seq"]) for n, b in recorder.sent[1:]] == [
        ("counts", 2, 3), ("called", None, 4)]
    assert publisher.recounts == recounts + 1     # one read of the counts for both
    assert recorder.consoles == recorder.sent     # the consoles hear exactly the same
    publisher.stop()


# -- on the wire --------------------------------------------------------------------------

def test_a_burst_of_200_tickets_and_5_calls_reaches_a_display_whole(app, live_server):
    display = Display(live_server, patience=20)
    try:
        start = display.join()["seq"]
        clerk = Clerk(live_server, "clerk03", 3)
        assert clerk.do("open").status_code == 200
        for _ in range(5):  # someone to call before the burst
            requests.post(f"{live_server}/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"},
                          timeout=10).raise_for_status()
        calls: list[str] = []
        lock = threading.Lock()

        def take(i: int) -> int:
            return requests.post(f"{live_server}/api/v1/tickets",
                                 json={"hall": "HQ", "service": ("EXAM", "TITLE")[i % 2]},
                                 timeout=20).status_code

        def call_five() -> None:
            for _ in range(5):
                answer = clerk.do("call")
                assert answer.status_code == 200, answer.text
                with lock:
                    calls.append(answer.json()["number"])
                assert clerk.do("finish").status_code == 200

        with ThreadPoolExecutor(8) as pool:
            caller = pool.submit(call_five)
            statuses = list(pool.map(take, range(200)))
            caller.result()
        assert statuses == [201] * 200

        with app.app_context():
            hall = db.session.scalar(sa.select(Hall).where(Hall.code == "HQ"))
            final = db.session.scalar(sa.select(Hall.floor_seq).where(Hall.id == hall.id))
            waiting = dict(db.session.execute(
                sa.select(ServiceItem.code, sa.func.count()).join(Ticket.service)
                .where(Ticket.hall_id == hall.id, Ticket.status == TicketStatus.WAITING.value)
                .group_by(ServiceItem.code)).all())
        # The last message is the one numbered ``final`` (a counts message or a finish).
        display.wait_for_seq(final, timeout=20)
        messages = display.live()
        covered = [n for m in messages for n in range(m.get("from", m["seq"]), m["seq"] + 1)]
        assert covered == list(range(start + 1, final + 1))    # every number once, in order
        heard = [m["number"] for m in messages if m["kind"] == "called"]
        assert heard == calls                                   # every call, in order
        last = messages[-1]
        assert {k: v for k, v in last["waiting"].items() if v} == waiting  # the final counts
        # Gathered: far fewer messages than tickets (each one used to be a message).
        assert sum(1 for m in messages if m["kind"] == "counts") < 100
    finally:
        display.close()
