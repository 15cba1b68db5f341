"""Slow clients against the server ``make run`` starts (#11.15): half-sent requests are timed
out, and while hundreds of them hang, the hall still answers everyone else at once."""
from __future__ import annotations

import os
import shutil
import socket
import sys
import time
from pathlib import Path

import pytest
import requests

from conftest import hall_clock_env

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import _server  # noqa: E402  (bench/_server.py: start, wait_ready, stop, free_port)

pytestmark = pytest.mark.hall_open  # a ticket is taken: the server runs in opening hours

BODY_SECONDS = 2
SLOW = 300  # more than the old threaded server's thread budget per worker would bear


@pytest.fixture
def served(tmp_path, sqlite_template):
    """``python run.py`` as a user starts it, with a short body deadline: its port."""
    shutil.copy(sqlite_template, tmp_path / "hall.db")
    port = _server.free_port()
    environ = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    environ.update({"INSTANCE_PATH": str(tmp_path / "instance"), "PORT": str(port),
                    "HOST": "127.0.0.1", "DATABASE_URL": f"sqlite:///{tmp_path / 'hall.db'}",
                    "SECRET_KEY": "slow-test", "SCHEDULER_ENABLED": "0",
                    "REQUEST_BODY_SECONDS": str(BODY_SECONDS),
                    "SOCKET_MAX_PER_ADDRESS": "100000", **hall_clock_env()})
    proc = _server.start([sys.executable, "run.py"], environ, tmp_path / "run.log")
    try:
        _server.wait_ready(proc, port, "GET", "/healthz", timeout=30)
        yield port
    finally:
        _server.stop(proc)


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    return sock


def _answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or 30 s pass)."""
    data = b""
    while True:
        try:
            chunk = sock.recv(4096)
        except (TimeoutError, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
    return data


def test_a_body_that_never_arrives_is_answered_408_and_others_are_served_meanwhile(served):
    port = served
    hanging = []
    for i in range(SLOW):
        sock = _connect(port)
        path = "/api/v1/tickets" if i % 2 else "/login"
        sock.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"ha")
                     .encode())
        hanging.append((path, sock))
    started = time.monotonic()
    # Everyone else is served at once, while the slow ones hang.
    for _ in range(5):
        answer = requests.get(f"http://127.0.0.1:{port}/api/v1/halls/HQ/queue", timeout=5)
        assert answer.status_code == 200
    assert time.monotonic() - started < BODY_SECONDS
    statuses = {}
    for path, sock in hanging:
        reply = _answer(sock)
        sock.close()
        status = reply.split(b" ", 2)[1].decode() if reply.startswith(b"HTTP/") else "closed"
        statuses.setdefault(path, set()).add(status)
        if path.startswith("/api/") and status == "408":
            assert b"application/problem+json" in reply and b"request-timeout" in reply
    took = time.monotonic() - started
    assert statuses == {"/api/v1/tickets": {"408"}, "/login": {"408"}}
    assert took < BODY_SECONDS + 10


def test_a_head_that_never_ends_is_dropped(served):
    sock = _connect(served)
    sock.sendall(b"GET /kiosk/HQ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    started = time.monotonic()
    reply = _answer(sock)
    sock.close()
    # gunicorn's keepalive (5 s) bounds the wait for a request's head: closed, unanswered.
    assert reply == b"" and time.monotonic() - started < 15


def test_a_whole_body_is_still_read_as_before(served):
    answer = requests.post(f"http://127.0.0.1:{served}/api/v1/tickets",
                           json={"hall": "HQ", "service": "EXAM"}, timeout=10)
    assert answer.status_code == 201, answer.text
    chunked = requests.post(f"http://127.0.0.1:{served}/api/v1/tickets",
                            data=iter([b'{"hall": "HQ", ', b'"service": "EXAM"}']),
                            headers={"Content-Type": "application/json"}, timeout=10)
    assert chunked.status_code == 201, chunked.text
