r"""How many tracking lookups per second the hall answers, beside a bare Flask endpoint.

Starts the hall exactly as users do (``python run.py`` on a fresh SQLite database with the
demo data) and ``bench/bare_app.py`` beside it, puts one case on a ticket (taken, accepted at
window 3, taken up by the division: a timeline of several events, a division, a deadline),
then loads ``GET /track/<service_no>`` (the public page, what a QR scan opens), and
``GET /api/v1/track/<service_no>``, with N concurrent clients for T seconds each, and the same
clients on ``GET /bare``: lookups/s and p50/p99 latency, and the ratio to bare. For scale, the
hall's simplest public read (``GET /api/v1/halls/HQ/queue``) is measured the same way.

The per-address rate limit (TRACK_RATE_LIMIT) would refuse a load generator on one address
after a few dozen requests: the benchmark raises it through the environment, and counts any
non-200 answer as a failure.

Run: ``.venv/bin/python bench/track.py --clients 1,8,32 --seconds 8``.
"""
from __future__ import annotations

import argparse
import http.client
import json
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _server  # noqa: E402  (bench/ is not a package)
from tickets import hall_env, percentile, prepare_database  # noqa: E402

BARE_PATH, READY_PATH = "/bare", "/api/v1/halls/HQ/queue"
TARGET = 0.70  # of bare req/s
ENDPOINTS = ("page", "api", "queue", "poll")
# "poll": the queue as a phone or kiosk polls it, sending the ETag of what it already has
# (If-None-Match); the hall answers 304 with no body while nothing moved.
REVALIDATE = "revalidate:"


def parse_args(argv=None) -> argparse.Namespace:
    p = _server.load_options(__doc__)
    p.add_argument("--make-case", action="store_true", help=argparse.SUPPRESS)
    return _server.parse_load(p, argv)


# -- the case to look up ----------------------------------------------------------------------

def make_case() -> None:
    """(In a child process, with the hall's environment) a ticket with a case; prints its
    service number. The moves are the domain's own, as a clerk and a division make them."""
    sys.path.insert(0, str(_server.ROOT))
    from sqlalchemy import select

    from hall import cases, issuing, queue
    from hall.events import Actor
    from hall.models import Staff
    from hall.web import create_app, shutdown
    from hall.web.extensions import db

    app = create_app()
    with app.app_context():
        session = db.session
        staff = lambda name: Actor.of(session.scalar(select(Staff).where(Staff.username == name)))  # noqa: E731
        clerk, division = staff("clerk03"), staff("division01")
        ticket = issuing.issue_ticket(session, "HQ", "EXAM")
        queue.open_window(session, "HQ", 3, actor=clerk)
        queue.call_ticket(session, "HQ", 3, ticket.number, actor=clerk)
        case = cases.accept(session, "HQ", 3, actor=clerk, applicant_name="张三丰",
                            subject="资格复审", applicant_phone="13800000000")
        cases.take(session, case.id, actor=division)
        print(json.dumps({"service_no": ticket.service_no}))
    shutdown(app)


def create_case(env: dict, log: Path) -> str:
    out = subprocess.run([sys.executable, __file__, "--make-case"], cwd=_server.ROOT,
                         env=_server.with_hall_clock(env),  # in opening hours, like the server
                         capture_output=True, text=True)
    log.open("a").write(out.stderr)
    if out.returncode != 0:
        raise RuntimeError(f"making the case failed; see {log}")
    return json.loads(out.stdout.strip().splitlines()[-1])["service_no"]


# -- clients ----------------------------------------------------------------------------------

def _client(port, path, t0, warm_end, end, out) -> None:
    """One client: GET requests back to back until ``end`` (Werkzeug closes each connection;
    http.client opens the next one by itself)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    errors = 0
    revalidate, path = path.startswith(REVALIDATE), path.removeprefix(REVALIDATE)
    headers: dict[str, str] = {}
    while time.monotonic() < t0:
        time.sleep(0.001)
    while (start := time.monotonic()) < end:
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if revalidate and response.getheader("ETag"):
                headers = {"If-None-Match": response.getheader("ETag")}
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            time.sleep(0.01)
            continue
        done = time.monotonic()
        out.append((start >= warm_end and done <= end, done - start, response.status))
    conn.close()
    out.append(("errors", errors, None))


def client_process(port, path, threads, t0, warm_end, end, first=0) -> dict:
    """``threads`` clients of one process; ``path`` a path, or a tuple of paths that the
    clients ask in turn (client ``first + k`` the k-th, counted over every process)."""
    paths = path if isinstance(path, tuple) else (path,)
    outs = [[] for _ in range(threads)]
    workers = [threading.Thread(target=_client, daemon=True, args=(
        port, paths[(first + k) % len(paths)], t0, warm_end, end, outs[k]))
        for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    rows = [r for out in outs for r in out if r[0] != "errors"]
    return {"latencies": [lat for measured, lat, _ in rows if measured],
            "statuses": Counter(status for _, _, status in rows),
            "errors": sum(r[1] for out in outs for r in out if r[0] == "errors")}


def run_level(pool, port, path, clients, args) -> dict:
    per_proc = [clients // args.procs + (k < clients % args.procs) for k in range(args.procs)]
    t0 = time.monotonic() + 0.5
    warm_end = t0 + args.warmup
    end = warm_end + args.seconds
    starts = [sum(per_proc[:k]) for k in range(len(per_proc))]
    parts = [pool.submit(client_process, port, path, n, t0, warm_end, end, first).result
             for n, first in zip(per_proc, starts, strict=True) if n]
    parts = [result() for result in parts]
    latencies = [lat for part in parts for lat in part["latencies"]]
    statuses = sum((part["statuses"] for part in parts), Counter())
    return {"clients": clients, "requests": len(latencies), "rps": len(latencies) / args.seconds,
            "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "errors": sum(part["errors"] for part in parts)}


# -- report -----------------------------------------------------------------------------------

def print_table(rows: list[dict]) -> None:
    print(f"\n{'clients':>7} | {'endpoint':<8} {'lookups/s':>9} {'p50 ms':>7} {'p99 ms':>7} | "
          f"{'bare req/s':>10} {'p50 ms':>7} {'p99 ms':>7} | {'of bare':>7}")
    print("-" * 88)
    for row in rows:
        bare = row["bare"]
        for name in ENDPOINTS:
            hall = row[name]
            ratio = hall["rps"] / bare["rps"] if bare["rps"] else float("nan")
            print(f"{row['clients']:>7} | {name:<8} {hall['rps']:>9.0f} {hall['p50_ms']:>7.1f} "
                  f"{hall['p99_ms']:>7.1f} | {bare['rps']:>10.0f} {bare['p50_ms']:>7.1f} "
                  f"{bare['p99_ms']:>7.1f} | {ratio:>7.0%}")


def verdict(rows: list[dict]) -> bool:
    """Every answer a 200 (or a 304 to a poll; no 429: the limit was raised); the 70% target
    is informative."""
    bad = {f"{row['clients']} {name}": row[name]["statuses"]
           for row in rows for name in (*ENDPOINTS, "bare")
           if set(row[name]["statuses"]) - {"200", "304"} or row[name]["errors"]}
    print("\nAnswers:", "PASS  every answer 200 (304 to polls)" if not bad else f"FAIL  {bad}")
    for row in rows:
        ratio = row["page"]["rps"] / row["bare"]["rps"] if row["bare"]["rps"] else 0
        print(f"Target {TARGET:.0%} of bare at {row['clients']} client(s): "
              f"{'PASS' if ratio >= TARGET else 'MISS'} ({ratio:.0%}, page)")
    return not bad


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.make_case:
        make_case()
        return 0
    signal.signal(signal.SIGTERM, _interrupt)
    tmp = Path(tempfile.mkdtemp(prefix="hall-bench-track-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    env = {**hall_env(tmp, url), "TRACK_RATE_LIMIT": "1000000 per second",
           "SCHEDULER_ENABLED": "0"}
    log = tmp / "server.log"
    hall = bare = None
    pool = ProcessPoolExecutor(max_workers=args.procs)
    ok = False
    try:
        print(f"database: {url}\nlogs: {log}")
        prepare_database(env, log)
        number = create_case(env, log)
        paths = {"page": f"/track/{number}", "api": f"/api/v1/track/{number}",
                 "queue": READY_PATH, "poll": REVALIDATE + READY_PATH}
        (hall, bare), hall_port, bare_port = _server.start_hall_and_bare(env, tmp, log)
        _server.wait_ready(hall, hall_port, "GET", READY_PATH)
        _server.wait_ready(bare, bare_port, "GET", BARE_PATH)
        rows = []
        for n in args.clients:
            row = {"clients": n}
            for name, path in paths.items():
                print(f"  {n} client(s): {name}..." if name == "page" else f" {name}...",
                      end="", flush=True)
                row[name] = run_level(pool, hall_port, path, n, args)
            print(" bare...", end="", flush=True)
            row["bare"] = run_level(pool, bare_port, BARE_PATH, n, args)
            rows.append(row)
            print(" done")
        print_table(rows)
        ok = verdict(rows)
        if args.json:
            args.json.write_text(json.dumps({"seconds": args.seconds, "levels": rows}, indent=2))
        return 0 if ok else 1
    finally:
        _server.shut_down([hall, bare], pool, tmp, ok=ok, keep=args.keep)


if __name__ == "__main__":
    _server.run_main(main)
