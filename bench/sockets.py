r"""Live sockets at a province's scale: N WebSockets of mixed kinds on one and on two server
processes, a clerk calling once a second, every call's delivery and latency per kind, and
the server's memory per 1,000 sockets.

Kinds (``--mix``): ``display`` (a wall display: ``/display``, join the hall), ``window`` (a
rating tablet or a display over a group of windows: join with ``windows: [3]``), and
``dashboard`` (a manager's dashboard: ``/staff`` signed in as ``manager``,
``watch_dashboard``). Mobile tickets join this table when their namespace exists.

Servers, started as users start them: one process is ``python run.py`` on SQLite (the
default installation); two processes are ``run.py`` with ``WEB_CONCURRENCY=2`` on PostgreSQL
(a fresh schema) with Redis as the message queue (README, "Production"). Clients: compiled
epoll clients (bench/sockclient.c via bench/_fleet.py), several processes of them; the same
clients first hold the same number of displays on ``bench/bare_socketio_app.py`` (the bare
broadcast on the same stack), which is also the measure of the clients themselves: their CPU
per message received; before the two-process run, on two bare processes through Redis.

For each call: t0 is taken just before ``POST .../windows/3/call``; a display's or tablet's
latency is its ``called`` receipt minus t0, a dashboard's is its first snapshot after t0.
Delivery: every socket of the kind got every call (a miss fails the run).

Run: ``make bench-sockets`` or ``.venv/bin/python bench/sockets.py --sockets 10000``;
``--json PATH`` saves the figures. Needs PostgreSQL and Redis for the two-process run
(``--procs 1`` skips it).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _fleet  # noqa: E402  (bench/ is not a package)
import _server  # noqa: E402
from tickets import hall_env, percentile, prepare_database  # noqa: E402

POSTGRES = os.environ.get("BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")
DISPLAY = _fleet.Kind("display", "/display", "join", '{"hall":"HQ"}')
WINDOW = _fleet.Kind("window", "/display", "join", '{"hall":"HQ","windows":[3]}')


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sockets", type=int, default=10000, help="live sockets per run")
    p.add_argument("--mix", default="display=0.7,window=0.29,dashboard=0.01",
                   help="share of each kind")
    p.add_argument("--procs", default="1,2", help="server processes, comma-separated")
    p.add_argument("--calls", type=int, default=20, help="calls, one a second")
    p.add_argument("--per-client", type=int, default=2500, help="sockets per client process")
    p.add_argument("--bare", default="gevent",
                   help="bare broadcast server models measured first: gevent (the hall's), "
                        "gthread (a thread per socket), asyncio (AsyncServer on uvicorn)")
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (logs, database)")
    args = p.parse_args(argv)
    args.mix = {k: float(v) for k, v in (part.split("=") for part in args.mix.split(","))}
    args.procs = [int(n) for n in args.procs.split(",") if n]
    args.bare = [m for m in args.bare.split(",") if m]
    return args


def counts(total: int, mix: dict[str, float]) -> dict[str, int]:
    out = {kind: int(total * share) for kind, share in mix.items()}
    out[max(mix, key=mix.get)] += total - sum(out.values())
    return out


def manager_cookie(base: str) -> str:
    """A signed-in manager's session cookie, as a browser holds it."""
    s = requests.Session()
    page = s.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    s.post(f"{base}/login", data={"csrf_token": token, "username": "manager",
                                  "password": "demo"}, timeout=10)
    return "; ".join(f"{k}={v}" for k, v in s.cookies.items())


def clerk(base: str) -> dict:
    r = requests.post(f"{base}/api/v1/auth/token",
                      json={"username": "clerk03", "password": "demo"}, timeout=10)
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def calls_on_hall(base: str, n: int) -> dict[str, int]:
    """Tickets first, then one call a second (each finished before the next): {number: t0}."""
    headers = clerk(base)
    requests.post(f"{base}/api/v1/halls/HQ/windows/3/open", headers=headers, timeout=10)
    for _ in range(n):
        requests.post(f"{base}/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"},
                      timeout=10).raise_for_status()
    sent = {}
    for _ in range(n):
        started = time.monotonic()
        t0 = time.time_ns()
        r = requests.post(f"{base}/api/v1/halls/HQ/windows/3/call", headers=headers, timeout=30)
        r.raise_for_status()
        sent[r.json()["number"]] = t0
        time.sleep(max(0.0, 0.5 - (time.monotonic() - started)))
        requests.post(f"{base}/api/v1/halls/HQ/windows/3/finish", headers=headers, timeout=30)
        time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
    return sent


def calls_on_bare(base: str, n: int) -> dict[str, int]:
    sent = {}
    for i in range(n):
        started = time.monotonic()
        number = f"B{i + 1:03d}"
        t0 = time.time_ns()
        requests.post(f"{base}/call", json={"number": number}, timeout=30).raise_for_status()
        sent[number] = t0
        time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
    return sent


def summarize(results: dict, sent: dict[str, int]) -> dict:
    rows = {}
    for name, kind in results.items():
        latencies, missed = [], 0
        if name == "dashboard":
            stamps = sorted(kind["dashboards"])
            for t0 in sent.values():
                after = [ns for ns in stamps if ns >= t0]
                # each socket's first snapshot after t0 (stamps of all sockets together:
                # take the first `sockets` of them, the slowest of which is the last reached)
                got = after[:kind["sockets"]]
                missed += kind["sockets"] - len(got)
                latencies += [(ns - t0) / 1e9 for ns in got]  # seconds (percentile: ms)
        else:
            for number, t0 in sent.items():
                got = kind["calls"].get(number, [])
                missed += kind["sockets"] - len(got)
                latencies += [(ns - t0) / 1e9 for ns in got]  # seconds (percentile: ms)
        rows[name] = {"sockets": kind["sockets"], "joined": kind["joined"],
                      "rejoins": kind["rejoins"],
                      "failed": kind["failed"], "missed": missed,
                      "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
                      "max_ms": max(latencies, default=float("nan")) * 1000,
                      "messages": kind["counts"]}
    return rows


def run(label: str, command: list[str], env: dict, tmp: Path, kinds: dict[str, int],
        args, bare: bool = False, procs: int = 1) -> dict:
    port = _server.free_port()
    log = tmp / f"{label}.log"
    proc = _server.start(command, {**env, "PORT": str(port)}, log)
    base = f"http://127.0.0.1:{port}"
    run_dir = tmp / re.sub(r"[^a-z0-9]+", "-", label.lower())  # each run's client files
    run_dir.mkdir(exist_ok=True)
    fleet = _fleet.Fleet(port, run_dir, seconds=3600, per_process=args.per_client)
    try:
        _server.wait_ready(proc, port, "GET", "/health" if bare else "/healthz", timeout=60)
        time.sleep(1.0)
        idle_kb = _server.proc_status(proc.pid).get("rss_kb", 0)
        for name, n in kinds.items():
            if not n:
                continue
            kind = {"display": DISPLAY, "window": WINDOW}.get(name)
            if kind is None:  # dashboard
                kind = _fleet.Kind("dashboard", "/staff", "watch_dashboard", '{"hall":"HQ"}',
                                   cookie=manager_cookie(base))
            fleet.start(kind, n)
        started = time.monotonic()
        joined = fleet.wait_joined(timeout=180)
        join_s = time.monotonic() - started
        time.sleep(2.0)
        rss_kb = _server.proc_status(proc.pid).get("rss_kb", 0)
        cpu0 = _server.proc_cpu(proc.pid), sum(_server.proc_cpu(p) for p in fleet.pids())
        sent = (calls_on_bare if bare else calls_on_hall)(base, args.calls)
        time.sleep(3.0)  # the last call's stragglers
        cpu1 = _server.proc_cpu(proc.pid), sum(_server.proc_cpu(p) for p in fleet.pids())
    finally:
        results = fleet.stop()
        _server.stop(proc)
    total = sum(kinds.values())
    received = sum(sum(k["counts"].values()) for k in results.values())
    return {"label": label, "bare": bare, "procs": procs, "sockets": total, "joined": joined,
            "join_seconds": round(join_s, 1),
            "rss_mb": round(rss_kb / 1024, 1),
            "rss_kb_per_1000": round((rss_kb - idle_kb) / max(total, 1) * 1000),
            "server_cpu_s": round(cpu1[0] - cpu0[0], 2),
            "client_cpu_s": round(cpu1[1] - cpu0[1], 2),
            "client_us_per_message": round((cpu1[1] - cpu0[1]) / max(received, 1) * 1e6, 1),
            "kinds": summarize(results, sent)}


def fresh_schema() -> tuple[str, str]:
    schema = f"bench_sockets_{uuid.uuid4().hex[:8]}"
    engine = create_engine(POSTGRES)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    return schema, f"{POSTGRES}?options=-csearch_path%3D{schema}"


def drop_schema(schema: str) -> None:
    engine = create_engine(POSTGRES)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


def print_table(runs: list[dict]) -> None:
    print(f"\n{'run':<27} {'kind':<10} {'sockets':>7} {'joined':>7} {'rejoin':>6} {'missed':>6} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} | {'RSS MB':>6} {'KB/1000':>7} "
          f"{'srv CPU s':>9} {'client µs/msg':>13}")
    print("-" * 134)
    for r in runs:
        for i, (name, k) in enumerate(r["kinds"].items()):
            tail = (f"{r['rss_mb']:>6.0f} {r['rss_kb_per_1000']:>7} {r['server_cpu_s']:>9.1f} "
                    f"{r['client_us_per_message']:>13.1f}") if i == 0 else ""
            print(f"{r['label'] if i == 0 else '':<27} {name:<10} {k['sockets']:>7} "
                  f"{k['joined']:>7} {k['rejoins']:>6} {k['missed']:>6} {k['p50_ms']:>7.1f} "
                  f"{k['p99_ms']:>7.1f} "
                  f"{k['max_ms']:>7.1f} | {tail}")


def main(argv=None) -> int:
    args = parse_args(argv)
    limit = _server.raise_open_files()
    need = args.sockets * 2 + 1000
    if limit < need:
        print(f"warning: open files limit {limit} < {need}; raise `ulimit -n`", file=sys.stderr)
    tmp = Path(tempfile.mkdtemp(prefix="hall-bench-sockets-"))
    print(f"logs: {tmp}")
    kinds = counts(args.sockets, args.mix)
    runs, schema, ok = [], None, False
    try:
        base_env = hall_env(tmp, f"sqlite:///{tmp / 'bench.db'}")
        bare_env = {**base_env, "PYTHONPATH": str(_server.ROOT / "bench")}
        for model in args.bare:  # the same displays on the bare broadcast, per server model
            script = ("bench/bare_asgi_app.py" if model == "asyncio"
                      else "bench/bare_socketio_app.py")
            runs.append(run(f"bare {model}, 1 proc", [sys.executable, script],
                            {**bare_env, "BARE_WORKER_CLASS": model}, tmp,
                            {"display": args.sockets}, args, bare=True))
        if 1 in args.procs:
            prepare_database(base_env, tmp / "setup.log")
            env = {**base_env, "SCHEDULER_ENABLED": "0"}
            runs.append(run("hall, 1 proc, SQLite", [sys.executable, "run.py"], env, tmp,
                            kinds, args))
        if 2 in args.procs:
            # The bare broadcast on two processes through Redis: the floor of the hall's
            # two-process run on the same machine.
            runs.append(run("bare gevent, 2 procs+Redis", [sys.executable,
                                                           "bench/bare_socketio_app.py"],
                            {**bare_env, "BARE_WORKERS": "2", "BARE_MESSAGE_QUEUE": REDIS,
                             "BARE_CHANNEL": f"bench-bare-{uuid.uuid4().hex[:8]}"}, tmp,
                            {"display": args.sockets}, args, bare=True, procs=2))
            schema, url = fresh_schema()
            env = {**hall_env(tmp, url), "REDIS_URL": REDIS, "WEB_CONCURRENCY": "2",
                   "SOCKETIO_CHANNEL": f"bench-{schema}", "SCHEDULER_ENABLED": "0"}
            prepare_database(env, tmp / "setup-pg.log")
            runs.append(run("hall, 2 procs, PG+Redis", [sys.executable, "run.py"], env, tmp,
                            kinds, args, procs=2))
        print_table(runs)
        misses = {f"{r['label']} {name}": k["missed"] + (k["sockets"] - k["joined"])
                  for r in runs for name, k in r["kinds"].items()
                  if k["missed"] or k["joined"] < k["sockets"]}
        print("\nDelivery:", "PASS  every socket joined and got every call" if not misses
              else f"FAIL  {misses}")
        if args.json:
            args.json.write_text(json.dumps({"sockets": args.sockets, "mix": args.mix,
                                             "calls": args.calls, "runs": runs}, indent=2))
        ok = not misses
        return 0 if ok else 1
    finally:
        if schema:
            drop_schema(schema)
        _server.clean_up(tmp, keep=args.keep or not ok)


if __name__ == "__main__":
    _server.run_main(main)
