r"""The hall as a cluster: tickets/s and call-to-display latency with 1 and 2 server processes on
PostgreSQL and Redis, beside one process on SQLite, in the same run.

Three set-ups, each on a fresh database, each server started exactly as users start it
(``python run.py`` with PORT, DATABASE_URL, REDIS_URL and SECRET_KEY in its environment):

- SQLite, 1 process, no Redis (the default installation);
- PostgreSQL + Redis, 1 process;
- PostgreSQL + Redis, 2 processes (Socket.IO messages between them over Redis).

For each: ``--clients`` concurrent kiosks (bench/tickets.py's clients, split evenly over the
processes) take tickets for ``--seconds``; tickets/s and p50/p99, then bench/tickets.py's
integrity checks on the database (one ticket per 201, no duplicate, no gap). Then
``--displays`` displays (bench/_displays.py's clients) join HQ, spread evenly over the
processes, and clerk03 at window 3 calls ``--calls`` times through the *first* process
(bench/display_latency.py's ``Hall`` and ``make_calls``): latency from the call API request to
receipt at every display, p50/p99/max. A missed message or a failed check fails the run.

Run: ``.venv/bin/python bench/cluster.py`` (``--displays 200`` for a quicker run;
``--database-url`` and ``--redis-url`` for other servers; ``--json PATH``; ``--keep``).
Each PostgreSQL set-up gets a schema of its own, dropped at the end.
"""
from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _server  # noqa: E402  (bench/ is not a package)
from _displays import Fleet  # noqa: E402
from display_latency import Hall, make_calls  # noqa: E402
from tickets import (  # noqa: E402
    READY_PATH,
    TICKET_PATH,
    client_process,
    hall_env,
    integrity_checks,
    percentile,
    prepare_database,
    ticket_count,
)

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
NAN = float("nan")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=PG_URL, help="PostgreSQL (a schema is made in it)")
    p.add_argument("--redis-url", default=REDIS_URL)
    p.add_argument("--clients", type=int, default=32, help="concurrent kiosks")
    p.add_argument("--seconds", type=float, default=8.0, help="measured seconds of tickets")
    p.add_argument("--ticket-warmup", type=float, default=1.0, help="unmeasured seconds first")
    p.add_argument("--procs", type=int, default=2, help="kiosk client processes")
    p.add_argument("--displays", type=int, default=1000, help="displays, spread over servers")
    p.add_argument("--display-procs", type=int, default=2, help="display client processes")
    p.add_argument("--calls", type=int, default=20, help="measured calls")
    p.add_argument("--warmup", type=int, default=2, help="unmeasured calls first")
    p.add_argument("--timeout", type=float, default=15.0, help="seconds before a miss")
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (logs, database)")
    return p.parse_args(argv)


def schema_url(base: str, schema: str) -> str:
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"


def run_schema_sql(base: str, sql: str) -> None:
    engine = sa.create_engine(base)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(sql))
    finally:
        engine.dispose()


# -- the two measures ----------------------------------------------------------------------------

def tickets(pool, ports: list[int], args) -> dict:
    """``args.clients`` kiosks split over the servers (and the client processes)."""
    t0 = time.monotonic() + 0.5
    warm_end = t0 + args.ticket_warmup
    end = warm_end + args.seconds
    jobs, first = [], 0
    per_proc = max(1, args.procs // len(ports))
    shares = [args.clients // len(ports) + (k < args.clients % len(ports))
              for k in range(len(ports))]
    for port, share in zip(ports, shares, strict=True):
        for j in range(per_proc):
            n = share // per_proc + (j < share % per_proc)
            if n:
                jobs.append(pool.submit(client_process, port, TICKET_PATH, n, first, t0,
                                        warm_end, end))
                first += n
    parts = [job.result() for job in jobs]
    latencies = [lat for part in parts for lat in part["latencies"]]
    statuses = sum((part["statuses"] for part in parts), Counter())
    return {"clients": args.clients, "requests": len(latencies),
            "rps": len(latencies) / args.seconds,
            "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "errors": sum(part["errors"] for part in parts),
            "service_nos": [no for part in parts for no in part["service_nos"]]}


def displays(fleet: Fleet, ports: list[int], args) -> dict:
    """Displays spread over the servers, calls made on the first one."""
    procs = len(fleet.procs)
    shares = [args.displays // procs + (k < args.displays % procs) for k in range(procs)]
    replies = fleet.ask([("connect", f"http://127.0.0.1:{ports[k % len(ports)]}", share)
                         for k, share in enumerate(shares)])
    joined = sum(r[0] for r in replies)
    errors = [e for r in replies for e in r[1]]
    hall = Hall(ports[0], tickets=args.warmup + args.calls)
    calls = make_calls(fleet, hall, args.warmup + args.calls if joined == args.displays else 0,
                       args)
    lat = calls["latencies"]
    return {"displays": args.displays, "joined": joined, "join_errors": errors[:3],
            "receipts": len(lat), "p50_ms": percentile(lat, 50),
            "p99_ms": percentile(lat, 99), "max_ms": max(lat, default=NAN) * 1000,
            "api_p50_ms": percentile(calls["api"], 50),
            "missed": calls["missed"] + calls["other_missed"], "dropped": fleet.disconnect()}


# -- one set-up ------------------------------------------------------------------------------------

def setup_run(name: str, url: str, redis_url: str, servers: int, tmp: Path, pool, fleet,
              args) -> dict:
    env = {**hall_env(tmp, url), "REDIS_URL": redis_url, "SCHEDULER_ENABLED": "0",
           "SECRET_KEY": "bench-cluster",
           "SOCKETIO_CHANNEL": f"bench-cluster-{uuid.uuid4().hex[:8]}"}
    log = tmp / f"{name}.log"
    prepare_database(env, log)
    before = ticket_count(url)
    procs, ports = [], []
    try:
        for _ in range(servers):
            port = _server.free_port()
            procs.append(_server.start([sys.executable, "run.py"], {**env, "PORT": str(port)},
                                       log))
            ports.append(port)
        for proc, port in zip(procs, ports, strict=True):
            _server.wait_ready(proc, port, "GET", READY_PATH)
        print(f"  {name}: tickets...", end="", flush=True)
        ticket_row = tickets(pool, ports, args)
        checks = integrity_checks(url, before, [ticket_row])
        print(" displays...", end="", flush=True)
        display_row = displays(fleet, ports, args)
        print(" done")
    finally:
        for proc in procs:
            _server.stop(proc)
    ticket_row.pop("service_nos")
    return {"setup": name, "servers": servers, "tickets": ticket_row, "display": display_row,
            "integrity": [{"check": c, "passed": p, "detail": d} for c, p, d in checks]}


def failures(row: dict) -> list[str]:
    out = [f"{row['setup']}: {c['check']} ({c['detail']})" for c in row["integrity"]
           if not c["passed"]]
    d = row["display"]
    if d["joined"] < d["displays"]:
        out.append(f"{row['setup']}: {d['joined']}/{d['displays']} joined {d['join_errors']}")
    for what in ("missed", "dropped"):
        if d[what]:
            out.append(f"{row['setup']}: {d[what]} {what}")
    return out


def print_table(rows: list[dict], args) -> None:
    print(f"\n{args.clients} kiosks for {args.seconds:.0f} s; {args.displays} displays, "
          f"{args.calls} calls")
    print(f"{'set-up':<28} | {'tickets/s':>9} {'p50 ms':>7} {'p99 ms':>7} | "
          f"{'display p50/p99/max ms':>24} | {'call API p50':>12} | missed")
    print("-" * 104)
    for r in rows:
        t, d = r["tickets"], r["display"]
        lat = f"{d['p50_ms']:.1f}/{d['p99_ms']:.1f}/{d['max_ms']:.1f}"
        print(f"{r['setup']:<28} | {t['rps']:>9.0f} {t['p50_ms']:>7.1f} {t['p99_ms']:>7.1f} | "
              f"{lat:>24} | {d['api_p50_ms']:>9.1f} ms | {d['missed']}")


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    print(f"open files limit: {_server.raise_open_files()}")
    tmp = Path(tempfile.mkdtemp(prefix="hall-bench-cluster-"))
    pool = ProcessPoolExecutor(max_workers=args.procs)
    fleet = Fleet(args.display_procs)
    schemas: list[str] = []
    ok = False
    try:
        print(f"logs: {tmp}")
        rows = [setup_run("SQLite, 1 process", f"sqlite:///{tmp / 'bench.db'}", "", 1, tmp,
                          pool, fleet, args)]
        for servers in (1, 2):
            schema = f"bench_cluster_{uuid.uuid4().hex[:8]}"
            run_schema_sql(args.database_url, f"CREATE SCHEMA {schema}")
            schemas.append(schema)
            rows.append(setup_run(f"PostgreSQL+Redis, {servers} proc",
                                  schema_url(args.database_url, schema), args.redis_url,
                                  servers, tmp, pool, fleet, args))
        print_table(rows, args)
        failed = [f for r in rows for f in failures(r)]
        print("\nIntegrity and delivery (a failure makes the exit status non-zero):")
        print(f"  {'FAIL' if failed else 'PASS'}  every ticket right, every display got every "
              f"call" + "".join(f"\n        {f}" for f in failed))
        ok = not failed
        if args.json:
            args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                             "setups": rows, "failures": failed}, indent=2))
        return 0 if ok else 1
    finally:
        fleet.close()
        pool.shutdown(wait=ok, cancel_futures=True)
        for schema in schemas:
            try:
                run_schema_sql(args.database_url, f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            except Exception as error:  # noqa: BLE001 - report, do not mask the run's error
                print(f"could not drop schema {schema}: {error}")
        _server.clean_up(tmp, keep=args.keep or not ok)


if __name__ == "__main__":
    _server.run_main(main)
