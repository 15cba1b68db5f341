r"""How many tickets per second the hall issues, and whether every one of them is right.

Measures ``POST /api/v1/tickets`` on a live server started exactly as users start it
(``python run.py``: gunicorn, one gevent worker) against a fresh SQLite database, at 1, 8 and
32 concurrent clients: tickets/s and p50/p99 latency. Each client takes tickets in a loop on
its own keep-alive connection, rotating over several services of the demo catalogue so that
several prefixes are numbered at once. The clients are threads spread over two processes
(``--procs``), so that on a small machine the load generator costs as little of the server's
CPU as it can.

Baselines, all of ``bench/bare_app.py``, served by the same stack and loaded by the same
clients at the same concurrency:

- ``POST /bare`` parses and returns a small JSON body: ticket/bare says how much of the
  stack's capacity the hall's own work leaves.
- ``POST /bare-write`` also commits one row to SQLite (WAL, synchronous NORMAL, one writer at
  a time, as the hall): the durable write itself paid on both sides.
- ``POST /bare-ticket`` (SQLite only) runs a kiosk ticket's own statements by hand with
  ``sqlite3`` on a copy of the hall's migrated demo database: the service lookup with the
  visitors ahead, both daily counters, the ticket, the floor sequence and the event, in one
  transaction. Ticket/SQL is what the hall's Python (Flask's hooks, the ORM session, the
  checks, the live publisher) leaves of its own SQL on the bare stack.

Then, with the server stopped, the database is checked: one ticket per 201 answer, no
duplicate queue number (hall, day, number) or service number, every prefix numbered 1..max
without a gap, and no non-2xx answer. Any failure makes the exit status non-zero.

Run: ``make bench`` or ``.venv/bin/python bench/tickets.py --seconds 10``.
Against PostgreSQL, in a fresh schema (``create schema bench_x``)::

    .venv/bin/python bench/tickets.py --database-url \
        'postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dbench_x'

The database (or the schema in its search_path) must be empty or already hold the demo data:
the benchmark runs ``flask db upgrade`` and ``flask seed-demo --if-empty`` on it and counts
only the tickets it added. Nothing is written into the repository; ``--json PATH`` saves the
figures, ``--keep`` keeps the temp dir (server logs, SQLite file).
"""
from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # config.py
import _server  # noqa: E402  (bench/ is not a package)

from config import LOAD_TEST_LIMITS  # noqa: E402

# Real services of the demo hall HQ, each with its own prefix (A, B, C, D, G, M, J, H).
SERVICES = ("EXAM", "TITLE", "TRANSFER", "AGENCY", "INSURE", "CONSULT", "CERT", "WAGE")
TICKET_PATH, BARE_PATH, READY_PATH = "/api/v1/tickets", "/bare", "/api/v1/halls/HQ/queue"
WRITE_PATH, SQL_PATH = "/bare-write", "/bare-ticket"


def parse_args(argv=None) -> argparse.Namespace:
    p = _server.load_options(__doc__)
    p.add_argument("--database-url", help="use this database instead of a fresh SQLite file")
    return _server.parse_load(p, argv)


# -- clients ----------------------------------------------------------------------------------

def _client(port, path, bodies, offset, t0, warm_end, end, out) -> None:
    """One client: its own keep-alive connection, requests back to back until ``end``.

    Records (finished-in-window, latency, status, service_no) so the parent can tell the
    measured requests from the warm-up ones, which still issue tickets that must be checked."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    i, errors = offset, 0
    while time.monotonic() < t0:  # every client starts together
        time.sleep(0.001)
    while (start := time.monotonic()) < end:
        try:
            conn.request("POST", path, body=bodies[i % len(bodies)], headers=headers)
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            errors += 1  # the server dropped the connection: count it, reconnect, go on
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            time.sleep(0.01)  # a server that is gone must not be hammered until ``end``
            continue
        done = time.monotonic()
        measured = start >= warm_end and done <= end
        number = json.loads(raw).get("service_no") if response.status == 201 else None
        out.append((measured, done - start, response.status, number))
        i += 1
    conn.close()
    out.append(("errors", errors))


def client_process(port, path, threads, first, t0, warm_end, end) -> dict:
    """Run ``threads`` clients in this process; return their results in a compact form."""
    bodies = [json.dumps({"hall": "HQ", "service": s}).encode() for s in SERVICES]
    outs = [[] for _ in range(threads)]
    workers = [threading.Thread(target=_client, args=(port, path, bodies, first + k, t0,
                                                      warm_end, end, outs[k]),
                                # daemon: an interrupted run must not wait for its clients
                                daemon=True)
               for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    rows = [r for out in outs for r in out if r[0] != "errors"]
    return {
        "latencies": [lat for measured, lat, _, _ in rows if measured],
        "statuses": Counter(status for _, _, status, _ in rows),
        "service_nos": [no for _, _, _, no in rows if no],
        "errors": sum(r[1] for out in outs for r in out if r[0] == "errors"),
    }


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of the values, in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)] * 1000


def run_level(pool, port, path, clients, args) -> dict:
    """Load one endpoint with ``clients`` concurrent clients spread over the client processes."""
    per_proc = [clients // args.procs + (k < clients % args.procs) for k in range(args.procs)]
    t0 = time.monotonic() + 0.5  # time for the processes to open their connections
    warm_end = t0 + args.warmup
    end = warm_end + args.seconds
    jobs, first = [], 0
    for n in (n for n in per_proc if n):
        jobs.append(pool.submit(client_process, port, path, n, first, t0, warm_end, end))
        first += n
    parts = [job.result() for job in jobs]
    latencies = [lat for part in parts for lat in part["latencies"]]
    statuses = sum((part["statuses"] for part in parts), Counter())
    return {
        "clients": clients, "requests": len(latencies),
        "rps": len(latencies) / args.seconds,
        "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": sum(part["errors"] for part in parts),
        "service_nos": [no for part in parts for no in part["service_nos"]],
    }


# -- servers and database ----------------------------------------------------------------------

def hall_env(tmp: Path, url: str) -> dict:
    """The environment of the hall's commands and server: this database, no access log."""
    env = dict(os.environ)
    env.update(DATABASE_URL=url, SECRET_KEY="bench", ACCESS_LOG="0", INSTANCE_PATH=str(tmp),
               FLASK_APP="hall.web:create_app", HOST="127.0.0.1",
               REDIS_URL="")  # one process: no message queue, as a default installation
    env.update(LOAD_TEST_LIMITS)  # every client of the benchmark is this one machine
    return env


def prepare_database(env: dict, log: Path) -> None:
    """Migrate, and load the demo hall into an empty database (as ``make db`` does)."""
    flask = str(_server.BIN / "flask")
    _server.run_checked([flask, "db", "upgrade"], env, log)
    _server.run_checked([flask, "seed-demo", "--if-empty"], env, log)


def ticket_count(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM tickets"))
    finally:
        engine.dispose()


def integrity_checks(url: str, before: int, results: list[dict]) -> list[tuple[str, bool, str]]:
    """(check, passed, detail) for the database after the run and for the answers given."""
    issued = sum(r["statuses"].get("201", 0) for r in results)
    bad = sum(n for r in results for s, n in r["statuses"].items() if not s.startswith("2"))
    errors = sum(r["errors"] for r in results)
    answered = [no for r in results for no in r["service_nos"]]
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            count = conn.scalar(text("SELECT count(*) FROM tickets")) - before
            dup_numbers = conn.execute(text(
                "SELECT hall_id, day, number FROM tickets GROUP BY hall_id, day, number "
                "HAVING count(*) > 1")).all()
            dup_service_nos = conn.execute(text(
                "SELECT service_no FROM tickets GROUP BY service_no HAVING count(*) > 1")).all()
            # A sequence 1..max without a gap or repeat: min 1, max = count = distinct count.
            gaps = conn.execute(text(
                "SELECT hall_id, day, prefix, min(seq), max(seq), count(*) FROM tickets "
                "GROUP BY hall_id, day, prefix "
                "HAVING min(seq) <> 1 OR max(seq) <> count(*) "
                "OR count(DISTINCT seq) <> count(*)")).all()
    finally:
        engine.dispose()
    return [
        ("tickets in database = 201 answers", count == issued, f"{count} vs {issued}"),
        ("no duplicate (hall, day, number)", not dup_numbers, f"{len(dup_numbers)} duplicated"),
        ("no duplicate service_no", not dup_service_nos, f"{len(dup_service_nos)} duplicated"),
        ("no duplicate service_no in answers", len(set(answered)) == len(answered),
         f"{len(answered) - len(set(answered))} duplicated"),
        ("every prefix numbered 1..max, no gap", not gaps, f"{len(gaps)} sequences broken"),
        ("no non-2xx answer", bad == 0, f"{bad} answers"),
        ("no dropped connection", errors == 0, f"{errors} errors"),
    ]


# -- report ------------------------------------------------------------------------------------

def _share(part: dict, whole: dict) -> float:
    return part["rps"] / whole["rps"] if whole["rps"] else float("nan")


def print_table(rows: list[tuple[dict, dict, dict, dict | None]]) -> None:
    print(f"\n{'clients':>7} | {'tickets/s':>9} {'p50 ms':>7} {'p99 ms':>7} | "
          f"{'bare req/s':>10} {'write req/s':>11} {'SQL req/s':>9} | "
          f"{'ticket/bare':>11} {'ticket/write':>12} {'ticket/SQL':>10}")
    print("-" * 113)
    for hall, bare, write, sql in rows:
        sql_rps = f"{sql['rps']:>9.0f}" if sql else f"{'-':>9}"
        sql_share = f"{_share(hall, sql):>10.0%}" if sql else f"{'-':>10}"
        print(f"{hall['clients']:>7} | {hall['rps']:>9.0f} {hall['p50_ms']:>7.1f} "
              f"{hall['p99_ms']:>7.1f} | {bare['rps']:>10.0f} {write['rps']:>11.0f} {sql_rps} | "
              f"{_share(hall, bare):>11.0%} {_share(hall, write):>12.0%} {sql_share}")


def print_checks(checks, rows) -> None:
    best = max(rows, key=lambda r: r[0]["rps"])
    ratio = best[0]["rps"] / best[1]["rps"] if best[1]["rps"] else 0
    print("\nIntegrity (from the database, server stopped):")
    for name, passed, detail in checks:
        print(f"  {'PASS' if passed else 'FAIL'}  {name:<38} ({detail})")
    print("Targets (informative; they do not change the exit status):")
    targets = [(">= 400 tickets/s", best[0]["rps"] >= 400, f"best {best[0]['rps']:.0f}/s"),
               (">= 40% of bare req/s", ratio >= 0.4, f"{ratio:.0%}")]
    for name, passed, detail in targets:
        print(f"  {'PASS' if passed else 'MISS'}  {name:<38} ({detail} at "
              f"{best[0]['clients']} clients)")


def measure(pool, hall_port: int, bare_port: int, args,
            with_sql: bool) -> list[tuple[dict, dict, dict, dict | None]]:
    """Each concurrency level on the hall, then on the bare app's endpoints:
    (hall row, bare row, bare write row, bare ticket SQL row or None)."""
    rows = []
    for n in args.clients:
        print(f"  {n} client(s): tickets...", end="", flush=True)
        hall_row = run_level(pool, hall_port, TICKET_PATH, n, args)
        print(" bare...", end="", flush=True)
        bare_row = run_level(pool, bare_port, BARE_PATH, n, args)
        print(" bare write...", end="", flush=True)
        write_row = run_level(pool, bare_port, WRITE_PATH, n, args)
        sql_row = None
        if with_sql:
            print(" bare ticket SQL...", end="", flush=True)
            sql_row = run_level(pool, bare_port, SQL_PATH, n, args)
        rows.append((hall_row, bare_row, write_row, sql_row))
        print(" done")
    return rows


def write_json(path: Path, url: str, args, rows, checks) -> None:
    strip = lambda r: {k: v for k, v in r.items() if k != "service_nos"}  # noqa: E731
    path.write_text(json.dumps({
        "database": url.split("://")[0], "seconds": args.seconds,
        "levels": [{"tickets": strip(h), "bare": strip(b), "bare_write": strip(w),
                    "ratio": h["rps"] / b["rps"] if b["rps"] else None,
                    "ratio_write": h["rps"] / w["rps"] if w["rps"] else None,
                    **({"bare_ticket_sql": strip(q),
                        "ratio_sql": h["rps"] / q["rps"] if q["rps"] else None} if q else {})}
                   for h, b, w, q in rows],
        "integrity": [{"check": c, "passed": p, "detail": d} for c, p, d in checks],
    }, indent=2))


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt  # `kill` cleans up like Ctrl-C: the finally below stops servers


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    tmp = Path(tempfile.mkdtemp(prefix="hall-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    env, log = hall_env(tmp, url), tmp / "server.log"
    hall = bare = None
    pool = ProcessPoolExecutor(max_workers=args.procs)
    ok = False
    try:
        print(f"database: {url.split('?')[0]}\nlogs: {log}")
        prepare_database(env, log)
        before = ticket_count(url)
        with_sql = url.startswith("sqlite:///")
        if with_sql:  # the third baseline writes into its own copy of the migrated demo hall
            shutil.copyfile(url.removeprefix("sqlite:///"), tmp / "bare-hall.db")
            env = {**env, "BARE_HALL_DATABASE": str(tmp / "bare-hall.db")}
        (hall, bare), hall_port, bare_port = _server.start_hall_and_bare(env, tmp, log)
        _server.wait_ready(hall, hall_port, "GET", READY_PATH)
        _server.wait_ready(bare, bare_port, "POST", BARE_PATH, body=b"{}", ok=201)
        rows = measure(pool, hall_port, bare_port, args, with_sql)
        _server.stop(hall)  # the checks read a database nobody writes any more
        print_table(rows)
        checks = integrity_checks(url, before, [h for h, *_ in rows])
        print_checks(checks, rows)
        ok = all(passed for _, passed, _ in checks)
        if args.json:
            write_json(args.json, url, args, rows, checks)
        return 0 if ok else 1
    finally:
        _server.shut_down([hall, bare], pool, tmp, ok=ok, keep=args.keep)


if __name__ == "__main__":
    _server.run_main(main)
