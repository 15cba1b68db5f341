"""Fleets of Socket.IO clients for the benchmarks: bench/sockclient.c, compiled on first use
into bench/.build/ (needs a C compiler: Debian's gcc), several processes of it at once.

Why compiled: a python-socketio client spends more CPU on a message than the server that
sends it, so a benchmark on this small machine would measure its own clients. One
sockclient process holds thousands of WebSockets on one epoll loop (measured alone by
``python bench/sockets.py --client-only``)."""
from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE, BINARY = HERE / "sockclient.c", HERE / ".build" / "sockclient"


def build() -> Path:
    """The client binary, compiled again when its source is newer."""
    if BINARY.exists() and BINARY.stat().st_mtime >= SOURCE.stat().st_mtime:
        return BINARY
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise SystemExit("bench/sockclient.c needs a C compiler (apt install gcc)")
    BINARY.parent.mkdir(exist_ok=True)
    subprocess.run([compiler, "-O2", "-o", str(BINARY), str(SOURCE)], check=True)
    return BINARY


@dataclass
class Kind:
    """One kind of live client: where it connects and how it joins."""
    name: str
    namespace: str
    event: str
    data: str
    cookie: str = ""


@dataclass
class Group:
    kind: Kind
    count: int
    out: Path
    proc: subprocess.Popen
    joined: int = 0
    _reader: threading.Thread | None = field(default=None, repr=False)

    def follow(self) -> None:
        def read() -> None:
            for line in self.proc.stdout:  # "joined <n>"
                match = re.match(rb"joined (\d+)", line)
                if match:
                    self.joined = int(match.group(1))
        self._reader = threading.Thread(target=read, daemon=True)
        self._reader.start()


class Fleet:
    """Client processes of several kinds; each process holds up to ``per_process`` sockets."""

    def __init__(self, port: int, tmp: Path, seconds: float, per_process: int = 2500) -> None:
        self.port, self.tmp, self.seconds, self.per_process = port, tmp, seconds, per_process
        self.groups: list[Group] = []

    def start(self, kind: Kind, count: int) -> None:
        binary = build()
        left = count
        while left > 0:
            n = min(left, self.per_process)
            out = self.tmp / f"fleet-{kind.name}-{len(self.groups)}.txt"
            args = [str(binary), "127.0.0.1", str(self.port), kind.namespace, kind.event,
                    kind.data, str(n), str(self.seconds), str(out)]
            if kind.cookie:
                args.append(kind.cookie)
            proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            group = Group(kind, n, out, proc)
            group.follow()
            self.groups.append(group)
            left -= n

    def wait_joined(self, timeout: float) -> int:
        """Wait until every socket has its first snapshot (or ``timeout``): how many have."""
        deadline = time.monotonic() + timeout
        want = sum(g.count for g in self.groups)
        while time.monotonic() < deadline:
            if sum(g.joined for g in self.groups) >= want:
                break
            time.sleep(0.2)
        return sum(g.joined for g in self.groups)

    def pids(self) -> list[int]:
        return [g.proc.pid for g in self.groups]

    def stop(self) -> dict[str, dict]:
        """End every client; per kind: receipts {number: [ns...]}, snapshot times, counts."""
        for group in self.groups:
            if group.proc.poll() is None:
                group.proc.terminate()
        results: dict[str, dict] = {}
        for group in self.groups:
            try:
                group.proc.wait(10)
            except subprocess.TimeoutExpired:
                group.proc.kill()
            kind = results.setdefault(group.kind.name, {"sockets": 0, "calls": {},
                                                        "dashboards": [], "counts": {},
                                                        "joined": 0, "failed": 0,
                                                        "rejoins": 0})
            kind["sockets"] += group.count
            for line in group.out.read_text().splitlines():
                if line.startswith("# "):
                    parts = line[2:].split()
                    if parts[0] == "count":
                        kind["counts"][parts[1]] = kind["counts"].get(parts[1], 0) + int(parts[2])
                    elif parts[0] in ("joined", "failed", "rejoins"):
                        kind[parts[0]] += int(parts[1])
                    continue
                _sock, number, ns = line.split()
                if number == "-":
                    kind["dashboards"].append(int(ns))
                else:
                    kind["calls"].setdefault(number, []).append(int(ns))
        return results
