"""Live tickets on visitors' phones: the states of followed tickets, sent when they change.

Each server process keeps the tickets its own ``/ticket`` connections follow (the namespace is
in ``hall/web/ticket_sockets.py``). When a hall's floor changes (the publisher's batches, in
this process or, through Redis, in any other), the hall's followed tickets are read again
together (``hall.ticket_states``: a fixed number of queries, whatever the number of phones)
and each ticket whose state changed gets a ``ticket`` message with the next number of its
own sequence. Only this process's sockets are sent to (``ignore_queue``): every process
reads and sends for its own followers, so nothing crosses Redis twice.

One thread does all of it, in order: a new follower's ``state`` and every later ``ticket``
leave from the same thread, so a phone never sees a state older than one it already has.
Changes that come while a hall is being read are merged into the next read: a burst of
calls costs a few reads, and no message is held back on purpose. A ticket called goes out
before the position updates of the same read.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from flask import Flask

from hall import ticket_states
from hall.ticket_states import TicketState
from hall.web.extensions import db

from .channel import HallChannel
from .rooms import TICKET_NAMESPACE, ticket_room

log = logging.getLogger(__name__)

# Sequence states kept for tickets nobody follows any more (a phone that comes back after
# sleeping continues its sequence); beyond this the oldest are forgotten.
KEEP_UNFOLLOWED = 20_000
CHANNEL_SUFFIX = ":tickets"  # the Redis channel (beside SOCKETIO_CHANNEL) of changed halls


@dataclass
class _Sent:
    seq: int
    state: TicketState


class TicketWatch:
    def __init__(self, app: Flask, socketio) -> None:
        self.app, self.socketio = app, socketio
        self._lock = threading.Condition()
        self.followers: dict[int, set[str]] = {}      # ticket id → sids in its room
        self.followed_by: dict[str, set[int]] = {}    # sid → ticket ids (joining included)
        self.hall_tickets: dict[str, set[int]] = {}   # hall code → followed ticket ids
        self.joining: dict[str, list[tuple[str, int]]] = {}  # hall → (sid, ticket) to send state
        self.sent: dict[int, _Sent] = {}
        self._changed: set[str] = set()
        self._thread: threading.Thread | None = None
        self._listener: threading.Thread | None = None
        self.hall_channel = HallChannel(app.config, CHANNEL_SUFFIX, "ticket watch")
        self._stopping = False
        self.reads = 0  # hall reads, for tests and benchmarks

    # -- from the namespace ------------------------------------------------------------------

    def follow(self, sid: str, ticket_id: int, hall: str, limit: int) -> bool:
        """Follow a ticket: its ``state`` is sent to ``sid`` by the watch's thread, then
        every change. False if ``sid`` already follows ``limit`` other tickets."""
        with self._lock:
            mine = self.followed_by.setdefault(sid, set())
            if ticket_id not in mine and len(mine) >= limit:
                return False
            mine.add(ticket_id)  # counted at once; in the ticket's room from its first state
            self.joining.setdefault(hall, []).append((sid, ticket_id))
            self._changed.add(hall)
            self._start()
            self._lock.notify()
        return True

    def forget(self, sid: str) -> None:
        with self._lock:
            for ticket_id in self.followed_by.pop(sid, ()):
                sids = self.followers.get(ticket_id)
                if sids is None:
                    continue
                sids.discard(sid)
                if not sids:
                    del self.followers[ticket_id]
                    for tickets in self.hall_tickets.values():
                        tickets.discard(ticket_id)
            for waiting in self.joining.values():
                waiting[:] = [(s, t) for s, t in waiting if s != sid]

    # -- from the publisher ------------------------------------------------------------------

    def announce(self, halls: set[str]) -> None:
        """The floor of these halls changed (called after their events were sent). With
        Redis, every process hears it; without, this one."""
        if not halls:
            return
        if self.hall_channel.url:
            try:
                self.hall_channel.publish(sorted(halls))
            except Exception:  # the floor's own messages went out; phones re-sync later
                log.exception("could not announce changed halls to the ticket watchers")
            return
        self.changed(halls)

    def changed(self, halls) -> None:
        with self._lock:
            wanted = {h for h in halls if self.hall_tickets.get(h) or self.joining.get(h)}
            if wanted:
                self._changed |= wanted
                self._lock.notify()

    def stop(self, timeout: float = 5.0) -> None:
        with self._lock:
            self._stopping = True
            self._lock.notify()
        if self._thread is not None:
            self._thread.join(timeout)

    # -- the thread ---------------------------------------------------------------------------

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="ticket-watch", daemon=True)
            self._thread.start()
        if self.hall_channel.url and self._listener is None:
            self._listener = threading.Thread(target=self._listen, name="ticket-listen",
                                              daemon=True)
            self._listener.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._changed and not self._stopping:
                    self._lock.wait()
                if self._stopping:
                    return
                halls, self._changed = self._changed, set()
            for hall in sorted(halls):
                try:
                    self._refresh(hall)
                except Exception:  # the next change must still be sent
                    log.exception("could not send the followed tickets of %s", hall)

    def _refresh(self, hall: str) -> None:
        with self._lock:
            joining = self.joining.pop(hall, [])
            ids = set(self.hall_tickets.get(hall, ())) | {t for _s, t in joining}
        if not ids:
            return
        with self.app.app_context():
            try:
                self.reads += 1
                states = ticket_states.read(db.session, ids)
            finally:
                db.session.remove()
        server = self.socketio.server
        notify_ahead = self.app.config["NOTIFY_AHEAD"]
        with self._lock:
            changed = []
            for ticket_id, state in states.items():
                sent = self.sent.get(ticket_id)
                if sent is None:
                    self.sent[ticket_id] = _Sent(1, state)
                elif sent.state != state:
                    sent.seq, sent.state = sent.seq + 1, state
                    if self.followers.get(ticket_id):
                        changed.append(ticket_id)
            # A call first: it is the one message a visitor waits for.
            changed.sort(key=lambda t: states[t].status != "called")
            for ticket_id in changed:
                sent = self.sent[ticket_id]
                server.emit("ticket", {**sent.state.message(notify_ahead), "seq": sent.seq},
                            to=ticket_room(ticket_id), namespace=TICKET_NAMESPACE,
                            ignore_queue=True)
            for sid, ticket_id in joining:
                if sid not in self.followed_by:  # gone meanwhile (forget)
                    continue
                if ticket_id not in states or not self._still_connected(sid):
                    self.followed_by[sid].discard(ticket_id)
                    continue
                try:
                    server.enter_room(sid, ticket_room(ticket_id), namespace=TICKET_NAMESPACE)
                except ValueError:  # the phone went away since the check
                    self.followed_by[sid].discard(ticket_id)
                    continue
                self.followers.setdefault(ticket_id, set()).add(sid)
                self.hall_tickets.setdefault(hall, set()).add(ticket_id)
                sent = self.sent[ticket_id]
                server.emit("state", {**sent.state.message(notify_ahead), "seq": sent.seq}, to=sid,
                            namespace=TICKET_NAMESPACE, ignore_queue=True)
            self._prune()

    def _still_connected(self, sid: str) -> bool:
        return self.socketio.server.manager.is_connected(sid, TICKET_NAMESPACE)

    def _prune(self) -> None:
        if len(self.sent) <= KEEP_UNFOLLOWED + len(self.followers):
            return
        for ticket_id in [t for t in self.sent if t not in self.followers][:len(self.sent) // 4]:
            del self.sent[ticket_id]

    def _listen(self) -> None:
        """Every process hears which halls changed anywhere, and reads its own followers."""
        self.hall_channel.listen(self.changed, lambda: self._stopping)
