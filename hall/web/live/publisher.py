"""From committed events to Socket.IO: one thread (a greenlet under gevent) per process
sends the hall's live messages, in sequence, by the rules of ``hall/live.py``.

Events are handed over by the transaction that made them, after its commit, and sent from
here, so that a request never waits for a thousand sockets. A call or any other move goes
out at once with the absolute waiting count of every service, read after the commit (a
message may carry counts a little newer than its own event, never older, so a display
always converges on the truth). Tickets taken are gathered into ``counts`` messages, at
most one per hall every ``COUNTS_INTERVAL``: a burst of tickets costs a few recounts and a
few broadcasts, not one of each per ticket. The same code emits through Redis
(``message_queue``) when several processes serve the hall.

Every batch also marks its halls' dashboards stale (``DashboardPusher``) and tells the phones'
``TicketWatch`` which halls' tickets may have moved.
"""
from __future__ import annotations

import logging
import queue as queues
import threading
import time

from flask import Flask

from hall import board, clock, events, live, lookup
from hall.web.extensions import db

from .dashboards import DashboardPusher
from .rooms import DISPLAY_NAMESPACE, STAFF_NAMESPACE, console_room, floor_room, staff_room

log = logging.getLogger(__name__)

# A service added or renamed reaches the displays' counts within this many seconds.
CATALOGUE_TTL = 30.0
# Events taken from the inbox at once: a burst is sent with one read of the counts per hall.
BATCH = 500
_TICK = object()  # no event came: a gathered run of counts may be due


class FloorPublisher:
    """Receives every committed event of this process and sends what its audiences follow."""

    def __init__(self, app: Flask, socketio, counts_interval: float = live.COUNTS_INTERVAL,
                 tickets=None) -> None:
        self.app, self.socketio = app, socketio
        self.tickets = tickets  # the phones' TicketWatch: told which halls' floors moved
        self.inbox: queues.Queue = queues.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        with app.app_context():
            engine = db.engine
        self._unsubscribe = events.subscribe(self.receive, engine)
        self._catalogue: dict[str, tuple] = {}
        self.coalescer = live.CountCoalescer(counts_interval)
        self.dashboards = DashboardPusher(app, socketio)
        self.recounts = 0  # reads of the counts, for tests and benchmarks

    def receive(self, event: dict) -> None:
        if not live.is_followed(event):
            return
        self.inbox.put(event)
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="floor-publisher",
                                                    daemon=True)
                    self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop receiving; send what was already received, then end the thread."""
        self._unsubscribe()
        if self._thread is not None:
            self.inbox.put(None)
            self._thread.join(timeout)
        self.dashboards.stop(timeout)

    def _run(self) -> None:
        while True:
            due = self.coalescer.next_due()
            try:
                first = self.inbox.get(timeout=None if due is None
                                       else max(0.0, due - time.monotonic()))
            except queues.Empty:
                first = _TICK
            batch = [first]
            while len(batch) < BATCH:
                try:
                    batch.append(self.inbox.get_nowait())
                except queues.Empty:
                    break
            stop = None in batch
            try:
                self._send([e for e in batch if e is not None and e is not _TICK],
                           flush=stop)
            except Exception:  # the next batch must still go out
                log.exception("live publisher failed to send %d events", len(batch))
            if stop:
                return

    def _send(self, batch: list[dict], flush: bool = False) -> None:
        now = time.monotonic()
        outgoing: list[dict | live.CountRun] = []  # events and runs of counts, in order
        for event in batch:
            if not live.is_floor(event):
                if event["kind"].startswith(live.STAFF_KINDS):  # cases, ratings: staff only
                    self.socketio.emit("case", live.staff_message(event),
                                       namespace=STAFF_NAMESPACE, to=staff_room(event["hall"]))
                continue
            if live.counts_only(event):
                ended = self.coalescer.add(event, now)
                if ended is not None:
                    outgoing.append(ended)
                continue
            run = self.coalescer.before(event, now)  # tickets taken before it go first
            if run is not None:
                outgoing.append(run)
            outgoing.append(event)
        runs = self.coalescer.due(float("inf") if flush else now)
        outgoing.extend(runs)
        if outgoing:
            self._emit(outgoing)
        if self.tickets is not None:  # after the displays: the wall calls first
            self.tickets.announce({e["hall"] for e in batch if live.moves_tickets(e)})
        if batch:
            self.dashboards.touch({e["hall"] for e in batch if live.touches_dashboard(e)})

    def _emit(self, outgoing: list[dict | live.CountRun]) -> None:
        halls = {item.hall if isinstance(item, live.CountRun) else item["hall"]
                 for item in outgoing}
        with self.app.app_context():
            try:
                counts = {code: self._counts(code) for code in halls}
            finally:
                db.session.remove()
        for item in outgoing:
            if isinstance(item, live.CountRun):
                name, body = live.counts_message(item, counts[item.hall][0])
            else:
                waiting, names = counts[item["hall"]]
                name, body = live.floor_message(item, waiting, names)
            self.socketio.emit(name, body, namespace=DISPLAY_NAMESPACE,
                               to=floor_room(body["hall"]))
            # The clerks' consoles get the same message on their own namespace: a console
            # is a signed-in person, not a registered display.
            self.socketio.emit(name, body, namespace=STAFF_NAMESPACE,
                               to=console_room(body["hall"]))

    def _counts(self, code: str) -> tuple[dict[str, int], live.Names]:
        """Waiting per service (zeros included) and the services' names: one count per
        hall and batch, the list of services re-read every half minute."""
        self.recounts += 1
        known = self._catalogue.get(code)
        if known is None or known[0] < time.monotonic():
            hall = lookup.get_hall(db.session, code)
            day = clock.local_date(clock.now(), hall.timezone)
            lines = board.service_lines(db.session, hall, day)
            names = {s.code: (s.name_zh, s.name_en) for s in lines}
            self._catalogue[code] = (time.monotonic() + CATALOGUE_TTL, hall.id, hall.timezone,
                                     names)
            return {s.code: s.waiting for s in lines}, names
        _expires, hall_id, timezone, names = known
        waiting = board.waiting_by_service(db.session, hall_id,
                                           clock.local_date(clock.now(), timezone))
        return {code: waiting.get(code, 0) for code in names}, names
