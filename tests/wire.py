"""Clients that talk to a live server over the wire, as devices do: a wall display on
``/display`` (python-socketio over WebSocket) and a clerk at a window over the API."""
from __future__ import annotations

import threading
import time

import requests
import socketio


class Display:
    """A wall display: joins a hall and keeps every message it receives, in order.
    ``patience`` is how long ``wait_for`` waits by default."""

    def __init__(self, base: str, hall: str = "HQ", *, patience: float = 5.0) -> None:
        self.hall, self.patience = hall, patience
        self.messages: list[tuple[str, dict]] = []
        self.got = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        for name in ("state", "called", "queue", "counts", "problem"):
            self.client.on(name, self._keeper(name), namespace="/display")
        self.client.connect(base, namespaces=["/display"], transports=["websocket"],
                            wait_timeout=10)

    def _keeper(self, name):
        def keep(data):
            with self.got:
                self.messages.append((name, data))
                self.got.notify_all()
        return keep

    def join(self, hall: str | None = None) -> dict:
        self.client.emit("join", {"hall": hall or self.hall}, namespace="/display")
        return self.wait_for("state")

    def wait_for(self, name: str, timeout: float | None = None, **match) -> dict:
        """The first message ``name`` (with these fields) received so far or within ``timeout``."""
        timeout = self.patience if timeout is None else timeout
        deadline = time.monotonic() + timeout
        with self.got:
            while True:
                for got_name, data in self.messages:
                    if got_name == name and all(data.get(k) == v for k, v in match.items()):
                        return data
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {name} {match} within {timeout}s: {self.messages}")
                self.got.wait(left)

    def wait_for_seq(self, seq: int, timeout: float | None = None) -> dict:
        """The live message numbered ``seq`` (or standing for it), once it has come."""
        timeout = self.patience if timeout is None else timeout
        deadline = time.monotonic() + timeout
        with self.got:
            while True:
                for data in self.live():
                    if data.get("from", data["seq"]) <= seq <= data["seq"]:
                        return data
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no message numbered {seq} within {timeout}s")
                self.got.wait(left)

    def live(self) -> list[dict]:
        return [data for name, data in self.messages if name in ("called", "queue", "counts")]

    def close(self) -> None:
        self.client.disconnect()


class Clerk:
    """A clerk at a window over the API, with a bearer token from ``POST /auth/token``."""

    def __init__(self, base: str, username: str, window: int) -> None:
        self.base, self.window = base, window
        r = requests.post(f"{base}/api/v1/auth/token",
                          json={"username": username, "password": "demo"}, timeout=10)
        r.raise_for_status()
        self.headers = {"Authorization": f"Bearer {r.json()['token']}"}

    def do(self, move: str, **body) -> requests.Response:
        return requests.post(f"{self.base}/api/v1/halls/HQ/windows/{self.window}/{move}",
                             headers=self.headers, json=body or None, timeout=15)


class Phone:
    """A visitor's phone on ``/ticket``, following its own ticket; keeps every message."""

    def __init__(self, base: str, *, patience: float = 5.0, **options) -> None:
        self.patience = patience
        self.messages: list[tuple[str, dict]] = []
        self.got = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        for name in ("state", "ticket", "error"):
            self.client.on(name, self._keeper(name), namespace="/ticket")
        self.client.connect(base, namespaces=["/ticket"], transports=["websocket"],
                            wait_timeout=10, **options)

    _keeper = Display._keeper
    wait_for = Display.wait_for

    def follow(self, service_no: str, access_code: str) -> None:
        self.client.emit("follow", {"service_no": service_no, "access_code": access_code},
                         namespace="/ticket")

    def received(self, *names: str) -> list[dict]:
        with self.got:
            return [data for name, data in self.messages if not names or name in names]

    def close(self) -> None:
        self.client.disconnect()
