"""A cap on the Socket.IO connections one address may hold (#11.3), on every namespace.

2,500 clients from one host once took the hall offline: each WebSocket holds threads, and
every display that joined read the floor from the database. Here a connection beyond
``SOCKET_MAX_PER_ADDRESS`` is refused at the Engine.IO handshake (401, before the WebSocket is
even opened), so it costs neither a thread nor a database connection. Counted per process;
the server's own machine counts like any other address (a load test raises the cap).
"""
from __future__ import annotations

import threading

REFUSED = {"code": "too-many-connections"}


class ConnectionCap:
    """Wraps the Engine.IO connect and disconnect handlers of a python-socketio server."""

    def __init__(self, server, limit: int) -> None:
        self.eio, self.limit = server.eio, limit
        self._connect = self.eio.handlers["connect"]
        self._disconnect = self.eio.handlers["disconnect"]
        self.held: dict[str, set[str]] = {}   # address → Engine.IO session ids
        self.address_of: dict[str, str] = {}
        self._lock = threading.Lock()
        self.eio.on("connect", self.connect)
        self.eio.on("disconnect", self.disconnect)

    def connect(self, sid: str, environ: dict):
        if self.limit > 0:
            address = environ.get("REMOTE_ADDR") or ""
            with self._lock:
                held = self.held.setdefault(address, set())
                if len(held) >= self.limit:
                    # Sessions that ended without a disconnect event (a dead handshake) do
                    # not count.
                    held.intersection_update(self.eio.sockets)
                if len(held) >= self.limit:
                    return REFUSED
                held.add(sid)
                self.address_of[sid] = address
        accepted = self._connect(sid, environ)
        if accepted is False or isinstance(accepted, dict):
            self._release(sid)
        return accepted

    def disconnect(self, sid: str, reason=None):
        self._release(sid)
        return self._disconnect(sid, reason)

    def _release(self, sid: str) -> None:
        with self._lock:
            address = self.address_of.pop(sid, None)
            held = self.held.get(address) if address is not None else None
            if address is not None and held is not None:
                held.discard(sid)
                if not held:
                    del self.held[address]

    def count(self, address: str) -> int:
        with self._lock:
            return len(self.held.get(address, ()))
