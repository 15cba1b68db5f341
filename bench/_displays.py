"""Display clients for ``bench/display_latency.py``: many python-socketio ``AsyncClient``\\s in
one asyncio loop per child process; ``Fleet``, in the benchmark, drives the children over pipes.

A loop holds hundreds of WebSockets where threads per client would not scale. Each display
stamps every message it gets with ``time.time()``: the wall clock is one clock for every process
of the machine, so the parent can subtract the time it sent the call API request.

Commands (tuples over the pipe), each answered once:
``("connect", url, n)`` -> ``(joined, errors, retries)``: n displays connect over
WebSocket, join HQ and wait for ``state``; ``("await", key, deadline)`` -> ``(times,
missing)``: the receipt time of the message ``key`` (``("called", number)``) at each display,
None where it did not arrive by ``deadline``; ``("disconnect",)`` -> ``dropped``;
``("quit",)`` ends the process.
"""
from __future__ import annotations

import asyncio
import gc
import multiprocessing
import signal
import sys
import time
from collections import Counter
from pathlib import Path

import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _server  # noqa: E402  (bench/ is not a package)

NAMESPACE = "/display"
CONNECT_AT_ONCE = 25  # connections opened in parallel per process: within the listen backlog
SYNC_AFTER = 5.0  # display.js asks again when no snapshot came within this many seconds


class Tally:
    """How many displays of this process have received each message, and a wake-up for the
    one the parent waits for, so that waiting costs nothing per message."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self.want: tuple | None = None
        self.need = 0
        self.done = asyncio.Event()

    def saw(self, key: tuple) -> None:
        self.counts[key] += 1
        if key == self.want and self.counts[key] >= self.need:
            self.done.set()


class Display:
    """One display: a Socket.IO client that follows hall HQ and stamps what it receives."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        # A drop must show, not heal; and Ctrl-C is the parent's to handle, not the client's
        # (by default it would disconnect everything and cancel the loop under our feet).
        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        self.seen: dict[tuple, float] = {}
        self.joined = asyncio.Event()
        self.dropped = False
        self.retries = 0
        for event, handler in (("state", self._state), ("called", self._called),
                               ("queue", self._queue), ("disconnect", self._disconnect)):
            self.sio.on(event, handler, namespace=NAMESPACE)

    # The stamp is taken as soon as the client has decoded the message. python-socketio runs
    # each message in a task of its own, so the loop's backlog during a broadcast is part of
    # what is measured: the client side's share, paid equally by the hall and the baseline.
    def _called(self, data) -> None:
        self._stamp(("called", data.get("number")))

    def _queue(self, data) -> None:
        self._stamp((data.get("kind"), data.get("number")))

    def _stamp(self, key: tuple) -> None:
        if key not in self.seen:
            self.seen[key] = time.time()
            self.tally.saw(key)

    def _state(self, _data) -> None:
        self.joined.set()

    def _disconnect(self, *_reason) -> None:
        self.dropped = True

    async def join(self, url: str, timeout: float) -> None:
        """WebSocket only (no long-polling first), ``join`` HQ, wait for the snapshot; without
        one in 5 s, ask again with ``sync``, as display.js does (counted in ``retries``)."""
        await self.sio.connect(url, namespaces=[NAMESPACE], transports=["websocket"],
                               wait_timeout=timeout)
        deadline = time.monotonic() + timeout
        event = "join"
        while not self.joined.is_set():
            await self.sio.emit(event, {"hall": "HQ"}, namespace=NAMESPACE)
            try:
                await asyncio.wait_for(self.joined.wait(), min(SYNC_AFTER, timeout))
            except TimeoutError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"no state {timeout:.0f} s after join") from None
                self.retries += 1
                event = "sync"


async def connect_all(url: str, n: int, tally: Tally, timeout: float = 30.0):
    """n joined displays, a few connections at a time; (displays, error messages)."""
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)

    async def one() -> tuple[Display, str | None]:
        display = Display(tally)
        async with gate:
            try:
                await display.join(url, timeout)
                return display, None
            except Exception as error:  # counted and shown by the parent, not raised
                return display, f"{type(error).__name__}: {error}"

    results = await asyncio.gather(*(one() for _ in range(n)))
    return [d for d, _ in results], [e for _, e in results if e]


async def await_key(displays: list[Display], tally: Tally, key: tuple, deadline: float):
    """Wait until every display has ``key`` or the wall clock passes ``deadline``."""
    tally.want, tally.need = key, len(displays)
    tally.done.clear()
    if tally.counts[key] < len(displays):
        try:
            await asyncio.wait_for(tally.done.wait(), max(0.0, deadline - time.time()))
        except TimeoutError:
            pass  # the parent counts the missing ones
    times = [d.seen.get(key) for d in displays]
    for d in displays:  # a long run must not keep every stamp of every display
        d.seen.pop(key, None)
    del tally.counts[key]
    return times, sum(t is None for t in times)


async def serve(conn) -> None:
    """Answer the parent's commands until ``quit`` or until the parent goes away."""
    loop = asyncio.get_running_loop()
    tally, displays = Tally(), []
    while True:
        try:
            command, *args = await loop.run_in_executor(None, conn.recv)
        except (EOFError, OSError):
            command, args = "quit", []  # the parent is gone: leave too
        if command == "connect":
            gc.unfreeze()
            displays, errors = await connect_all(args[0], args[1], tally)
            # Hundreds of clients are a lot of long-lived objects: a full collection among
            # them paused this loop for 100-250 ms and stamped messages late (seen with a
            # gc.callbacks probe), a delay of the client's that was counted as the server's.
            # Frozen, they are never scanned again; the messages are collected young.
            gc.collect()
            gc.freeze()
            conn.send((sum(d.joined.is_set() for d in displays), errors[:3],
                       sum(d.retries for d in displays)))
        elif command == "await":
            conn.send(await await_key(displays, tally, *args))
        elif command in ("disconnect", "quit"):
            dropped = sum(d.dropped and d.joined.is_set() for d in displays)
            await asyncio.gather(*(d.sio.disconnect() for d in displays),
                                 return_exceptions=True)
            displays, tally = [], Tally()
            if command == "quit":
                return
            conn.send(dropped)


def child_main(conn) -> None:
    """Entry point of a client process."""
    # Ctrl-C reaches the whole process group: the parent ends the children, and a child must
    # not die half-way through a reply with a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _server.raise_open_files()
    asyncio.run(serve(conn))


class Fleet:
    """The display client processes; each holds its share of the N displays."""

    def __init__(self, procs: int, target=None) -> None:
        """``target``: the children's entry point (another kind of client: bench/_phones.py)."""
        ctx = multiprocessing.get_context("spawn")  # no copy of the parent's state or threads
        self.pipes, self.procs = [], []
        for _ in range(procs):
            mine, theirs = ctx.Pipe()
            proc = ctx.Process(target=target or child_main, args=(theirs,), daemon=True)
            proc.start()
            self.pipes.append(mine)
            self.procs.append(proc)

    def ask(self, commands: list[tuple]) -> list:
        """Send one command to each process (all first, so they work at once); the replies."""
        for pipe, command in zip(self.pipes, commands, strict=True):
            pipe.send(command)
        return [pipe.recv() for pipe, _ in zip(self.pipes, commands, strict=True)]

    def connect(self, url: str, n: int) -> tuple[int, list[str], int]:
        """(displays joined, first errors, joins that had to be asked again)."""
        shares = [n // len(self.procs) + (k < n % len(self.procs)) for k in range(len(self.procs))]
        replies = self.ask([("connect", url, share) for share in shares])
        return (sum(r[0] for r in replies), [e for r in replies for e in r[1]],
                sum(r[2] for r in replies))

    def cpu(self) -> float:
        """CPU seconds the client processes have used: their share of the machine."""
        return sum(_server.proc_cpu(proc.pid) for proc in self.procs)

    def await_key(self, key: tuple, deadline: float) -> tuple[list[float], int]:
        replies = self.ask([("await", key, deadline)] * len(self.procs))
        return [t for times, _ in replies for t in times if t], sum(m for _, m in replies)

    def disconnect(self) -> int:
        return sum(self.ask([("disconnect",)] * len(self.procs)))

    def close(self) -> None:
        """Ask politely, then terminate: on Ctrl-C a child may be in the middle of a wait."""
        for pipe in self.pipes:
            try:
                pipe.send(("quit",))
            except OSError:
                pass
        for proc in self.procs:
            proc.join(3)
            if proc.is_alive():
                proc.terminate()
                proc.join(3)
