"""Phone clients for ``bench/mobile.py``: python-socketio ``AsyncClient``\\s, one asyncio loop per
child process, driven by ``_displays.Fleet`` over pipes (the same commands, other meaning).

Each phone follows one ticket on ``/ticket`` (SPEC §7) and stamps, with ``time.time()``, the
first message that shows each place: ``("ahead", n)`` and ``("called",)``. The parent knows
every phone's place, so after the k-th call it asks each phone for the stamp of the place it
must have reached: the called visitor's ``("called",)``, everybody else's ``("ahead", i - k)``.

In the baseline (``--bare``) a phone joins the bare app's ``/display`` room instead, and its
one broadcast ``called`` message stands for every phone's update.

Commands: ``("connect", url, tickets, bare)`` -> ``(joined, errors, 0)``: one phone per
``(index, service_no, access_code)``; ``("await", k, number, deadline)`` -> ``(times, missing,
called_time)``; ``("disconnect",)`` -> dropped; ``("quit",)``.
"""
from __future__ import annotations

import asyncio
import signal
import sys
import time
from pathlib import Path

import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _server  # noqa: E402

CONNECT_AT_ONCE = 25


class Phone:
    def __init__(self, index: int, bare: bool) -> None:
        self.index, self.bare = index, bare
        self.namespace = "/display" if bare else "/ticket"
        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        self.seen: dict[tuple, float] = {}
        self.ready = asyncio.Event()
        self.changed = asyncio.Event()
        self.dropped = False
        self.sio.on("state", self._state, namespace=self.namespace)
        self.sio.on("ticket", self._ticket, namespace=self.namespace)
        self.sio.on("called", self._bare_called, namespace=self.namespace)
        self.sio.on("disconnect", self._disconnect, namespace=self.namespace)

    def _stamp(self, key: tuple) -> None:
        if key not in self.seen:
            self.seen[key] = time.time()
            self.changed.set()

    def _state(self, data) -> None:
        self.ready.set()

    def _ticket(self, data) -> None:
        if data.get("status") == "called":
            self._stamp(("called",))
        elif data.get("status") == "waiting":
            self._stamp(("ahead", data.get("ahead")))

    def _bare_called(self, data) -> None:
        self._stamp(("bare", data.get("number")))

    def _disconnect(self, *_reason) -> None:
        self.dropped = True

    async def join(self, url: str, service_no: str, code: str, timeout: float) -> None:
        await self.sio.connect(url, namespaces=[self.namespace], transports=["websocket"],
                               wait_timeout=timeout)
        if self.bare:
            await self.sio.emit("join", {"hall": "HQ"}, namespace=self.namespace)
        else:
            await self.sio.emit("follow", {"service_no": service_no, "access_code": code},
                                namespace=self.namespace)
        await asyncio.wait_for(self.ready.wait(), timeout)

    def key_after(self, k: int, number: str) -> tuple:
        if self.bare:
            return ("bare", number)
        return ("called",) if self.index == k - 1 else ("ahead", self.index - k)

    async def wait(self, key: tuple, deadline: float) -> float | None:
        while key not in self.seen:
            self.changed.clear()
            left = deadline - time.time()
            if left <= 0:
                return None
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except TimeoutError:
                return None
        return self.seen[key]


async def connect_all(url: str, tickets: list[tuple], bare: bool):
    """One phone per (index, service_no, code), a few connecting at a time."""
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)

    async def one(index: int, service_no: str, code: str) -> tuple[Phone, str | None]:
        phone = Phone(index, bare)
        async with gate:
            try:
                await phone.join(url, service_no, code, 30.0)
                return phone, None
            except Exception as error:
                return phone, f"{type(error).__name__}: {error}"

    results = await asyncio.gather(*(one(*t) for t in tickets))
    return [p for p, _ in results], [e for _, e in results if e]


async def serve(conn) -> None:
    loop = asyncio.get_running_loop()
    phones: list[Phone] = []
    while True:
        try:
            command, *args = await loop.run_in_executor(None, conn.recv)
        except (EOFError, OSError):
            command, args = "quit", []
        if command == "connect":
            phones, errors = await connect_all(*args)
            conn.send((sum(p.ready.is_set() for p in phones), errors[:3], 0))
        elif command == "await":
            k, number, deadline = args
            live = [p for p in phones if p.bare or p.index >= k - 1]
            keys = [p.key_after(k, number) for p in live]
            times = await asyncio.gather(*(p.wait(key, deadline) for p, key in zip(
                live, keys, strict=True)))
            called = next((t for p, key, t in zip(live, keys, times, strict=True)
                           if key == ("called",)), None)
            conn.send(([t for t in times if t is not None],
                       sum(t is None for t in times), called))
        elif command in ("disconnect", "quit"):
            dropped = sum(p.dropped and p.ready.is_set() for p in phones)
            await asyncio.gather(*(p.sio.disconnect() for p in phones), return_exceptions=True)
            phones = []
            if command == "quit":
                return
            conn.send(dropped)


def child_main(conn) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _server.raise_open_files()
    asyncio.run(serve(conn))
