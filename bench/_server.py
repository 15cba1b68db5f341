"""Starting, probing and stopping the servers a benchmark runs against.

Shared by the benchmarks under ``bench/``: each server is a subprocess started exactly as a
user starts it, so that what is measured is the real stack, not an in-process imitation.
"""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the venv the benchmark itself runs in


def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_checked(args: list[str], env: dict, log: Path) -> None:
    """Run a setup command (``flask db upgrade``...) and fail loudly with its output."""
    with log.open("ab") as out:
        result = subprocess.run(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}); see {log}")


def start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    """Start a server in its own process group; its output goes to ``log``, not the table.

    stdin is /dev/null on purpose: Flask-SocketIO then treats the run as a deployment, as
    it does for a user's service, and insists on ``allow_unsafe_werkzeug``."""
    out = log.open("ab")
    try:
        return subprocess.Popen(args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        out.close()  # the child holds its own copy of the descriptor


def wait_ready(proc: subprocess.Popen, port: int, method: str, path: str, *,
               body: bytes | None = None, ok: int = 200, timeout: float = 30.0) -> None:
    """Poll until the server answers ``ok``; raise if it exits or takes too long."""
    deadline = time.monotonic() + timeout
    headers = {"Content-Type": "application/json"} if body is not None else {}
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request(method, path, body=body, headers=headers)
            status = conn.getresponse().status
            conn.close()
            if status == ok:
                return
        except OSError:
            pass  # not listening yet
        time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not answer {method} {path} with {ok}")


def stop(proc: subprocess.Popen | None, grace: float = 5.0) -> None:
    """Terminate the server's process group, then kill it if it lingers; safe to repeat."""
    if proc is None or proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, grace)):
        try:
            os.killpg(proc.pid, sig)  # the group: a server may have started helpers
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue
