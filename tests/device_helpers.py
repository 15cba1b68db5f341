"""Devices for the device tests: registered as the operator does (``flask device add``), and
clients that come from an address other than the server's own machine."""
from __future__ import annotations

import re
import threading
import time
from contextlib import contextmanager

import pytest
import socketio
import sqlalchemy as sa
from werkzeug.serving import make_server

from conftest import make_config
from hall import devices
from hall.models import Device, Event, Rating, Ticket
from hall.web import create_app, shutdown
from hall.web.extensions import db
from hall.web.serving import RequestHandler

OUTSIDE = "203.0.113.7"      # a client on no trusted network (TEST-NET-3)
KIOSK_LAN = "10.20.0.31"     # a kiosk on the hall's own network, when that is trusted


_made: list = []


def app_like(app, **settings):
    """Another app on the same database, with these settings (stopped after the test)."""
    made = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], **settings))
    _made.append(made)
    return made


@pytest.fixture(autouse=True)
def _stop_apps_like():
    """Import this into a test module that uses ``app_like``: each app it made is stopped
    (its publisher's thread, its connections) at the end of the test."""
    yield
    while _made:
        made = _made.pop()
        shutdown(made)
        with made.app_context():
            db.engine.dispose()


def register(app, hall: str = "HQ", kind: str = "kiosk", name: str | None = None,
             **options) -> tuple[int, str]:
    """(device id, token) of a newly registered device."""
    with app.app_context():
        device, token = devices.register(db.session, hall, kind=kind,
                                         name=name or f"{hall} {kind}", actor=devices.OPERATOR,
                                         **options)
        return device.id, token


def device_move(app, move, device_id: int, **kwargs):
    with app.app_context():
        return move(db.session, device_id, actor=devices.OPERATOR, **kwargs)


def client_at(app, address: str = OUTSIDE):
    """A test client whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def bearer(token: str) -> dict:
    return {"Authorization": f"Device {token}"}


def csrf(client, path: str = "/track") -> str:
    """A CSRF token of the client's session, from a public form that needs no device."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def count(app, model=Ticket, *where) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def tickets(app) -> list[Ticket]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Ticket).order_by(Ticket.id)))


def events(app, kind: str) -> list[Event]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Event).where(Event.kind == kind)
                                       .order_by(Event.id)))


def ratings(app) -> list[Rating]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Rating).order_by(Rating.id)))


def device_row(app, device_id: int) -> Device:
    with app.app_context():
        return db.session.get(Device, device_id)


@contextmanager
def serving(app):
    """``app`` on a real port, served by threads (Werkzeug; ``run.py`` serves with gunicorn +
    gevent, which tests/test_gunicorn.py and the benchmarks cover); yields its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=RequestHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        shutdown(app)


class Screen:
    """A wall display over the wire (python-socketio, WebSocket), as a device: with its token,
    or from an address behind the proxy (``X-Forwarded-For``, with ``PROXIES=1``)."""

    def __init__(self, base: str, *, token: str | None = None, address: str | None = None,
                 connect: bool = True) -> None:
        self.base, self.messages, self.refusal = base, [], None
        self.got = threading.Condition()
        self.headers = bearer(token) if token else {}
        if address:
            self.headers["X-Forwarded-For"] = address
        self.client = socketio.Client(reconnection=False)
        for name in ("state", "called", "queue", "counts", "problem"):
            self.client.on(name, self._keeper(name), namespace="/display")
        self.client.on("connect_error", self._refused, namespace="/display")
        if connect:
            self.connect()

    def connect(self) -> bool:
        """True once connected; False when the server refused (see ``refusal``)."""
        try:
            self.client.connect(self.base, namespaces=["/display"], transports=["websocket"],
                                headers=self.headers, wait_timeout=10)
        except socketio.exceptions.ConnectionError as error:
            self.refusal = self.refusal or str(error)
            return False
        return True

    def _refused(self, data=None):
        # {"message": code, "data": problem}, as a browser's socket.io sees it (err.data)
        self.refusal = data.get("data", data) if isinstance(data, dict) else data

    def _keeper(self, name):
        def keep(data):
            with self.got:
                self.messages.append((name, data))
                self.got.notify_all()
        return keep

    def join(self, hall: str = "HQ", timeout: float = 10.0) -> tuple[str, dict]:
        """The answer to a join: ("state", snapshot) or ("problem", problem)."""
        seen = len(self.messages)
        self.client.emit("join", {"hall": hall}, namespace="/display")
        deadline = time.monotonic() + timeout
        with self.got:
            while True:
                answers = [m for m in self.messages[seen:] if m[0] in ("state", "problem")]
                if answers:
                    return answers[0]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no answer to join within {timeout}s")
                self.got.wait(left)

    def close(self) -> None:
        if self.client.connected:
            self.client.disconnect()
