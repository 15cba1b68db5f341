r"""How many bookings per second the hall takes, and whether a full slot ever takes one more.

Measures ``POST /api/v1/bookings`` on a live server started as users start it (``python
run.py``, one process) against a fresh SQLite database with the demo data, at 8 and 32
concurrent clients: bookings/s and p50/p99. Every request books a place of one of eight items
in one of their slots of the next open days, for a mobile number never used before (one
booking per person, item and day is a rule). The items are given 500 places per slot
beforehand (``service_booking``), so that the load measures booking, not refusals.

Baseline: ``bench/bare_app.py`` (a POST that parses and answers a small JSON body) on the same
stack, loaded by the same clients. Then **the race**: one item gets 5 places per slot, and
``--racers`` (500) clients, released together, book the same slot: exactly 5 must get 201 and
every other one 409 ``slot-full``. Finally, with the server stopped, the database: every slot's
places taken equal its active bookings and never exceed its places, and each 201 is one row.
A failed check makes the exit status non-zero.

Run: ``make bench-booking`` or ``.venv/bin/python bench/bookings.py`` (``--clients 8,32
--seconds 8 --racers 500``; ``--database-url`` for PostgreSQL in a fresh schema, as
bench/tickets.py).
"""
from __future__ import annotations

import http.client
import json
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
import _server  # noqa: E402
from tickets import hall_env, percentile, prepare_database  # noqa: E402

SERVICES = ("EXAM", "TITLE", "TRANSFER", "AGENCY", "INSURE", "CONSULT", "CERT", "WAGE")
RACE_SERVICE, RACE_PLACES = "RECRUIT", 5
BOOK_PATH, BARE_PATH = "/api/v1/bookings", "/bare"


def parse_args(argv=None):
    p = _server.load_options(__doc__)
    p.set_defaults(clients="8,32")
    p.add_argument("--racers", type=int, default=500)
    p.add_argument("--database-url")
    return _server.parse_load(p, argv)


def get_json(port: int, path: str) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return json.loads(response.read())
    finally:
        conn.close()


def slot_list(port: int, service: str) -> list[str]:
    answer = get_json(port, f"/api/v1/halls/HQ/slots?service={service}&days=10")
    return [s["start"] for s in answer["slots"] if s["free"] > 0]


def body(slots: list[tuple[str, str]], client: int, i: int) -> bytes:
    service, start = slots[(client * 7919 + i) % len(slots)]
    return json.dumps({"hall": "HQ", "service": service, "start": start, "name": "压测",
                       "phone": f"13{client:03d}{i:06d}"}).encode()


def _client(port, path, slots, client, t0, warm_end, end, out) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    i = errors = 0
    while time.monotonic() < t0:
        time.sleep(0.001)
    while (start := time.monotonic()) < end:
        try:
            conn.request("POST", path, body=body(slots, client, i), headers=headers)
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            time.sleep(0.01)
            continue
        done = time.monotonic()
        out.append((start >= warm_end and done <= end, done - start, response.status))
        i += 1
    conn.close()
    out.append(("errors", errors, 0))


def client_process(port, path, slots, threads, first, t0, warm_end, end) -> dict:
    outs: list[list] = [[] for _ in range(threads)]
    workers = [threading.Thread(target=_client, args=(port, path, slots, first + k, t0,
                                                      warm_end, end, outs[k]), daemon=True)
               for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    rows = [r for out in outs for r in out if r[0] != "errors"]
    return {"latencies": [lat for measured, lat, _ in rows if measured],
            "statuses": Counter(status for _, _, status in rows),
            "errors": sum(r[1] for out in outs for r in out if r[0] == "errors")}


def run_level(pool, port, path, slots, clients, args, first_client: int) -> dict:
    per_proc = [clients // args.procs + (k < clients % args.procs) for k in range(args.procs)]
    t0 = time.monotonic() + 0.5
    warm_end = t0 + args.warmup
    end = warm_end + args.seconds
    jobs, first = [], first_client
    for n in (n for n in per_proc if n):
        jobs.append(pool.submit(client_process, port, path, slots, n, first, t0, warm_end, end))
        first += n
    parts = [job.result() for job in jobs]
    latencies = [lat for part in parts for lat in part["latencies"]]
    statuses = sum((part["statuses"] for part in parts), Counter())
    return {"clients": clients, "rps": len(latencies) / args.seconds,
            "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "errors": sum(part["errors"] for part in parts)}


def _racer(port: int, payload: bytes, gate: threading.Barrier, out: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.connect()
        gate.wait()
        conn.request("POST", BOOK_PATH, body=payload, headers={"Content-Type":
                                                                "application/json"})
        response = conn.getresponse()
        answer = response.read()
        code = json.loads(answer).get("code") if response.status != 201 else None
        out.append((response.status, code))
    except (OSError, http.client.HTTPException) as error:
        out.append((0, type(error).__name__))
    finally:
        conn.close()


def race_process(port: int, start: str, first: int, racers: int) -> list:
    out: list = []
    gate = threading.Barrier(racers)
    threads = [threading.Thread(target=_racer, args=(port, json.dumps({
        "hall": "HQ", "service": RACE_SERVICE, "start": start, "name": "抢号",
        "phone": f"159{first + k:08d}"}).encode(), gate, out), daemon=True)
        for k in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def race(pool, port: int, args) -> Counter:
    start = slot_list(port, RACE_SERVICE)[0]
    per_proc = [args.racers // args.procs + (k < args.racers % args.procs)
                for k in range(args.procs)]
    jobs = [pool.submit(race_process, port, start, sum(per_proc[:k]), n)
            for k, n in enumerate(per_proc) if n]
    return Counter((status, code) for job in jobs for status, code in job.result())


def give_places(url: str) -> None:
    """500 places per slot for the loaded items, 5 for the raced one."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for code, places in [(s, 500) for s in SERVICES] + [(RACE_SERVICE, RACE_PLACES)]:
                service_id = conn.scalar(text(
                    "SELECT s.id FROM service_items s JOIN halls h ON h.id = s.hall_id "
                    "WHERE h.code = 'HQ' AND s.code = :code"), {"code": code})
                conn.execute(text("DELETE FROM service_booking WHERE service_id = :id"),
                             {"id": service_id})
                conn.execute(text("INSERT INTO service_booking (service_id, bookable, "
                                  "places_per_slot) VALUES (:id, :yes, :places)"),
                             {"id": service_id, "yes": True, "places": places})
    finally:
        engine.dispose()


def integrity(url: str, booked: int, raced: Counter) -> list[tuple[str, bool, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.scalar(text("SELECT count(*) FROM bookings"))
            mismatched = conn.execute(text(
                "SELECT p.service_id, p.start, p.taken, count(b.id) FROM slot_places p "
                "LEFT JOIN bookings b ON b.service_id = p.service_id AND b.start = p.start "
                "AND b.status IN ('booked', 'checked_in') "
                "GROUP BY p.service_id, p.start, p.taken HAVING p.taken <> count(b.id)")).all()
            over = conn.execute(text(
                "SELECT p.service_id, p.start FROM slot_places p "
                "JOIN service_booking s ON s.service_id = p.service_id "
                "WHERE p.taken > s.places_per_slot")).all()
    finally:
        engine.dispose()
    won = raced.get((201, None), 0)
    full = raced.get((409, "slot-full"), 0)
    return [
        ("bookings in database = 201 answers", rows == booked + won, f"{rows} vs {booked + won}"),
        ("places taken = active bookings, per slot", not mismatched,
         f"{len(mismatched)} slots differ"),
        ("no slot above its places", not over, f"{len(over)} over"),
        (f"race: exactly {RACE_PLACES} of the racers booked", won == RACE_PLACES, f"{won}"),
        ("race: every other racer got 409 slot-full", won + full == sum(raced.values()),
         f"{dict(raced)}"),
    ]


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    tmp = Path(tempfile.mkdtemp(prefix="hall-bench-booking-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    env, log = hall_env(tmp, url), tmp / "server.log"
    procs: list = [None, None]
    pool = ProcessPoolExecutor(max_workers=args.procs)
    ok = False
    try:
        print(f"database: {url.split('?')[0]}\nlogs: {log}")
        prepare_database(env, log)
        give_places(url)
        procs, hall_port, bare_port = _server.start_hall_and_bare(env, tmp, log)
        _server.wait_ready(procs[0], hall_port, "GET", "/api/v1/halls/HQ/queue")
        _server.wait_ready(procs[1], bare_port, "POST", BARE_PATH, body=b"{}", ok=201)
        slots = [(s, start) for s in SERVICES for start in slot_list(hall_port, s)]
        rows, first = [], 0
        for n in args.clients:
            print(f"  {n} clients: bookings...", end="", flush=True)
            hall = run_level(pool, hall_port, BOOK_PATH, slots, n, args, first)
            first += n
            print(" bare...", end="", flush=True)
            rows.append((hall, run_level(pool, bare_port, BARE_PATH, slots, n, args, 900)))
            print(" done")
        print(f"  the race: {args.racers} clients for the last {RACE_PLACES} places...")
        raced = race(pool, hall_port, args)
        _server.stop(procs[0])
        print(f"\n{'clients':>7} | {'bookings/s':>10} {'p50 ms':>7} {'p99 ms':>7} | "
              f"{'bare req/s':>10} {'p50 ms':>7} {'p99 ms':>7} | {'booking/bare':>12}")
        print("-" * 84)
        for h, b in rows:
            ratio = h["rps"] / b["rps"] if b["rps"] else float("nan")
            print(f"{h['clients']:>7} | {h['rps']:>10.0f} {h['p50_ms']:>7.1f} "
                  f"{h['p99_ms']:>7.1f} | {b['rps']:>10.0f} {b['p50_ms']:>7.1f} "
                  f"{b['p99_ms']:>7.1f} | {ratio:>11.0%}")
        refused = {s: n for h, _ in rows for s, n in h["statuses"].items() if s != "201"}
        booked = sum(h["statuses"].get("201", 0) for h, _ in rows)
        checks = integrity(url, booked, raced) + [
            ("no refusal under load", not refused, f"{refused}"),
            ("no dropped connection", not any(h["errors"] for h, _ in rows), "")]
        print("\nIntegrity (from the database, server stopped):")
        for name, passed, detail in checks:
            print(f"  {'PASS' if passed else 'FAIL'}  {name:<42} ({detail})")
        ok = all(passed for _, passed, _ in checks)
        if args.json:
            args.json.write_text(json.dumps({"levels": [{"booking": h, "bare": b} for h, b
                                                        in rows],
                                             "race": {f"{s} {c}": n for (s, c), n in
                                                      raced.items()},
                                             "checks": checks}, indent=2))
        return 0 if ok else 1
    finally:
        _server.shut_down(procs, pool, tmp, ok=ok, keep=args.keep)


if __name__ == "__main__":
    _server.run_main(main)
