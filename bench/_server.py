"""Starting, probing and stopping the servers a benchmark runs against.

Shared by the benchmarks under ``bench/``: each server is a subprocess started exactly as a
user starts it, so that what is measured is the real stack, not an in-process imitation.
"""
from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the venv the benchmark itself runs in

# The hall's clock of every server and setup command started here: the caller's HALL_CLOCK,
# else a Monday morning on which the demo halls take tickets (a benchmark run at night would
# otherwise time refusals: opening hours). One HALL_CLOCK_STARTED per run, so that all its
# processes keep the same hall time.
BENCH_HALL_CLOCK = "2026-11-23T09:30:00+08:00"
_STARTED = repr(time.time())


def with_hall_clock(env: dict) -> dict:
    env = dict(env)
    if not env.get("HALL_CLOCK"):
        env["HALL_CLOCK"], env["HALL_CLOCK_STARTED"] = BENCH_HALL_CLOCK, _STARTED
    env.setdefault("HALL_CLOCK_STARTED", _STARTED)
    return env


def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_checked(args: list[str], env: dict, log: Path) -> None:
    """Run a setup command (``flask db upgrade``...) and fail loudly with its output."""
    with log.open("ab") as out:
        result = subprocess.run(args, cwd=ROOT, env=with_hall_clock(env), stdout=out,
                                stderr=subprocess.STDOUT)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}); see {log}")


def start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    """Start a server in its own process group; its output goes to ``log``, not the table.

    stdin is /dev/null on purpose: Flask-SocketIO then treats the run as a deployment, as
    it does for a user's service, and insists on ``allow_unsafe_werkzeug``."""
    out = log.open("ab")
    try:
        return subprocess.Popen(args, cwd=ROOT, env=with_hall_clock(env), stdin=subprocess.DEVNULL,
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


def raise_open_files() -> int:
    """Raise this process's open-files limit to its hard limit, and return the new soft limit.

    A thousand WebSockets are a thousand descriptors on each side; the servers a benchmark
    starts afterwards inherit the raised limit, as they would inherit ``ulimit -n``."""
    import resource  # POSIX only, like the rest of the benchmarks

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def tree(pid: int) -> list[int]:
    """The process and its descendants: ``run.py`` is gunicorn's master, the work is done in
    its worker(s), so a server's memory and CPU are those of the whole tree."""
    pids, i = [pid], 0
    while i < len(pids):
        for children in Path(f"/proc/{pids[i]}/task").glob("*/children"):
            try:
                pids.extend(int(c) for c in children.read_text().split())
            except OSError:
                pass
        i += 1
    return pids


def proc_status(pid: int) -> dict[str, int]:
    """Resident memory (``rss_kb``) and thread count (``threads``) of a live server (the
    process and its children, summed), read from /proc/<pid>/status (Linux); empty if the
    process is gone."""
    fields = {"VmRSS": "rss_kb", "Threads": "threads"}
    out: dict[str, int] = {}
    for each in tree(pid):
        try:
            lines = Path(f"/proc/{each}/status").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            key, _, value = line.partition(":")
            if key in fields:
                out[fields[key]] = out.get(fields[key], 0) + int(value.split()[0])
    return out


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a live server (process and children) has used so far,
    from /proc/<pid>/stat."""
    total = 0.0
    for each in tree(pid):
        try:
            stat = Path(f"/proc/{each}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after the command name (may hold spaces)
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def machine_busy() -> float:
    """CPU seconds every process of the machine has used so far, all cores together (the
    non-idle columns of /proc/stat), to tell a benchmark's own load from anybody else's."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def post_json(port: int, path: str, body: dict | None = None, token: str | None = None):
    """One JSON POST to 127.0.0.1 on a new connection (Werkzeug closes each one anyway), with
    a bearer token if given: (status, decoded JSON body or None)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, body=json.dumps(body or {}).encode(), headers=headers)
        response = conn.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None
    finally:
        conn.close()


def post_ok(port: int, path: str, want: int, body: dict | None = None,
            token: str | None = None) -> dict:
    """A JSON POST that must answer ``want``: its JSON body, or RuntimeError."""
    status, answer = post_json(port, path, body, token)
    if status != want:
        raise RuntimeError(f"POST {path}: {status} {answer}")
    return answer


def clean_up(tmp: Path, *, keep: bool) -> None:
    """Remove a benchmark's temp dir, or say where it is kept (asked for, or a run failed)."""
    if keep and tmp.exists():
        print(f"\nkept {tmp} (logs, database)")
    else:
        shutil.rmtree(tmp, ignore_errors=True)


def run_main(main) -> None:
    """Exit with ``main()``'s status; a Ctrl-C exits 130 without a traceback (the servers are
    stopped by ``main``'s own clean-up)."""
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)


def start_hall_and_bare(env: dict, tmp: Path, log: Path) -> tuple[list, int, int]:
    """Start the hall (``run.py``) and the bare baseline (``bench/bare_app.py``), each on a
    free port: ``([hall, bare], hall_port, bare_port)``. The caller waits for them to answer
    and stops them."""
    hall_port, bare_port = free_port(), free_port()
    hall = start([sys.executable, "run.py"], {**env, "PORT": str(hall_port)}, log)
    try:
        bare = start([sys.executable, "bench/bare_app.py"],
                     {**env, "PORT": str(bare_port), "BARE_DATABASE": str(tmp / "bare.db")},
                     tmp / "bare.log")
    except BaseException:
        stop(hall)
        raise
    return [hall, bare], hall_port, bare_port


def shut_down(procs: list, pool, tmp: Path, *, ok: bool, keep: bool) -> None:
    """A benchmark's end, also on Ctrl-C: the servers first (clients may still be running and
    must not be waited for), then the client pool, then the temp dir."""
    for proc in procs:
        stop(proc)
    pool.shutdown(wait=ok, cancel_futures=True)
    clean_up(tmp, keep=keep or not ok)


def load_options(doc: str):
    """The options of an HTTP load benchmark (``--clients 1,8,32``, ``--seconds``…), for the
    script to add its own to; ``parse_load`` reads them."""
    import argparse

    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--clients", default="1,8,32", help="concurrency levels, comma-separated")
    p.add_argument("--seconds", type=float, default=8.0, help="measured seconds per level")
    p.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds per level")
    p.add_argument("--procs", type=int, default=2, help="client processes (threads inside)")
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (logs, database)")
    return p


def parse_load(p, argv=None):
    args = p.parse_args(argv)
    args.clients = [int(n) for n in args.clients.split(",") if n.strip()]
    return args
