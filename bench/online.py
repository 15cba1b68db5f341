r"""Online applications per second, each with two 1 MB documents, beside a bare upload endpoint
in the same run.

Starts the hall exactly as users do (``python run.py`` on a fresh SQLite database with the
demo data, whose item ARCHPROOF is taken online with two documents to upload), then N clients
(threads of this process, each on its own keep-alive connection) post complete applications to
``POST /api/v1/halls/HQ/applications`` for T seconds: the form's fields, the declaration, a
1 MB JPEG and a 1 MB PDF, each application from its own mobile number. The same request bodies
go to ``POST /bare-upload`` of ``bench/bare_app.py``, which only parses the multipart body on
the same server stack. Reported: applications/s, p50/p99, the ratio to bare.

Afterwards the database is read: every 201 must be one application with its own service
number and two stored files, and nothing else may have been written (a refused application
leaves no row). The per-address limits (ENQUIRY_RATE_LIMIT, UPLOAD_RATE_LIMIT) and the daily
upload limit are raised through the environment: every client is this one machine.

The public Q&A's searches over 100,000 answers are ``bench/qa_searches.py`` (``make
bench-qa``); ``make bench-online`` runs both.

Run: ``.venv/bin/python bench/online.py --clients 1,8 --seconds 8``; ``--seconds 2`` for a
quick look.
"""
from __future__ import annotations

import http.client
import io
import json
import random
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _server  # noqa: E402  (bench/ is not a package)
from tickets import hall_env, prepare_database  # noqa: E402

APPLY_PATH, BARE_PATH = "/api/v1/halls/HQ/applications", "/bare-upload"
READY_PATH = "/api/v1/halls/HQ/queue"
MB = 1024 * 1024


def parse_args(argv=None):
    p = _server.load_options(__doc__)
    p.set_defaults(clients="1,8")
    return _server.parse_load(p, argv)


# -- the documents --------------------------------------------------------------------------------

def jpeg_of(size: int, seed: int) -> bytes:
    """A real JPEG of at least ``size`` bytes (noise compresses badly, as a phone photo does)."""
    from PIL import Image

    rng, side = random.Random(seed), 400
    while True:
        noise = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
        buffer = io.BytesIO()
        noise.save(buffer, "JPEG", quality=95)
        if buffer.tell() >= size:
            return buffer.getvalue()
        side += 100


def pdf_of(size: int) -> bytes:
    """A real one-page PDF padded to ``size`` bytes with comment lines (a scan's weight)."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=1)
    page.drawString(72, 720, "Service Hall benchmark")
    page.showPage()
    page.save()
    head, _nl, rest = buffer.getvalue().partition(b"\n")
    line = b"%" + b"x" * 78 + b"\n"
    return head + b"\n" + line * max(0, (size - len(rest)) // len(line)) + rest


def body_of(phone: str, jpeg: bytes, pdf: bytes) -> tuple[bytes, str]:
    """One application as multipart/form-data: (body, content type)."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in (("item", "ARCHPROOF"), ("name", "测试"), ("phone", phone),
                        ("declared", "1"), ("field_purpose", "出国政审"), ("field_copies", "2")):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for index, (filename, kind, data) in enumerate((("id.jpg", "image/jpeg", jpeg),
                                                     ("agreement.pdf", "application/pdf", pdf))):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="document_{index}"; '
                     f'filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'.encode()
                     + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# -- the load -------------------------------------------------------------------------------------

def run_level(port: int, path: str, clients: int, seconds: float, warmup: float,
              jpeg: bytes, pdf: bytes, phones) -> dict:
    """``clients`` threads posting applications for ``warmup`` + ``seconds``; the measured
    part's answers per second and latencies, and every status seen."""
    start = time.monotonic()
    measure_from, end = start + warmup, start + warmup + seconds
    lock, latencies, statuses, errors = threading.Lock(), [], {}, []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while (now := time.monotonic()) < end:
            body, kind = body_of(next(phones), jpeg, pdf)
            try:
                conn.request("POST", path, body=body, headers={
                    "Content-Type": kind, "Content-Length": str(len(body))})
                response = conn.getresponse()
                response.read()
            except OSError as error:
                with lock:
                    errors.append(repr(error))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            done = time.monotonic()
            if now >= measure_from:
                with lock:
                    latencies.append(done - now)
                    statuses[str(response.status)] = statuses.get(str(response.status), 0) + 1
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    n = len(latencies)
    return {"rps": n / seconds, "requests": n, "statuses": statuses, "errors": errors[:5],
            "p50_ms": 1000 * statistics.median(latencies) if n else float("nan"),
            "p99_ms": 1000 * latencies[min(n - 1, int(n * 0.99))] if n else float("nan")}


def phone_numbers():
    """Distinct mobile numbers, one per application (each a person of its own)."""
    for n in range(10**8):
        yield f"139{n:08d}"


def written(url: str) -> dict:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            def one(sql: str) -> int:
                return conn.execute(text(sql)).scalar_one()
            return {
                "applications": one("SELECT count(*) FROM applications WHERE phone LIKE '139%'"),
                "distinct_numbers": one("SELECT count(DISTINCT service_no) FROM applications "
                                        "WHERE phone LIKE '139%'"),
                "files": one("SELECT count(*) FROM stored_files WHERE owner = 'application' "
                             "AND owner_id IN (SELECT id FROM applications "
                             "WHERE phone LIKE '139%')"),
            }
    finally:
        engine.dispose()


def print_table(rows: list[dict]) -> None:
    print(f"\n{'clients':>7} | {'applications/s':>14} {'p50 ms':>7} {'p99 ms':>7} | "
          f"{'bare/s':>7} {'p50 ms':>7} {'p99 ms':>7} | {'of bare':>7}")
    print("-" * 78)
    for row in rows:
        hall, bare = row["hall"], row["bare"]
        ratio = hall["rps"] / bare["rps"] if bare["rps"] else float("nan")
        print(f"{row['clients']:>7} | {hall['rps']:>14.1f} {hall['p50_ms']:>7.0f} "
              f"{hall['p99_ms']:>7.0f} | {bare['rps']:>7.1f} {bare['p50_ms']:>7.0f} "
              f"{bare['p99_ms']:>7.0f} | {ratio:>7.0%}")


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    tmp = Path(tempfile.mkdtemp(prefix="hall-bench-online-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    env = {**hall_env(tmp, url), "SCHEDULER_ENABLED": "0",
           "UPLOAD_RATE_LIMIT": "100000 per second", "UPLOAD_DAILY_LIMIT": str(10**9)}
    log = tmp / "server.log"
    hall = bare = None
    ok = False
    try:
        print(f"database: {url}\nlogs: {log}")
        prepare_database(env, log)
        before = written(url)
        jpeg, pdf = jpeg_of(MB, 1), pdf_of(MB)
        print(f"documents: JPEG {len(jpeg):,} bytes, PDF {len(pdf):,} bytes")
        (hall, bare), hall_port, bare_port = _server.start_hall_and_bare(env, tmp, log)
        _server.wait_ready(hall, hall_port, "GET", READY_PATH)
        _server.wait_ready(bare, bare_port, "GET", "/bare")
        phones, rows, created = phone_numbers(), [], 0
        for n in args.clients:
            print(f"  {n} client(s): hall...", end="", flush=True)
            row = {"clients": n, "hall": run_level(hall_port, APPLY_PATH, n, args.seconds,
                                                   args.warmup, jpeg, pdf, phones)}
            print(" bare...", end="", flush=True)
            row["bare"] = run_level(bare_port, BARE_PATH, n, args.seconds, args.warmup,
                                    jpeg, pdf, phone_numbers())
            print(" done")
            rows.append(row)
        print_table(rows)
        after = written(url)
        # The 201s counted above are the measured ones; the warm-up's are in the database too.
        created = after["applications"] - before["applications"]
        bad = {f"{row['clients']} {name}": (row[name]["statuses"], row[name]["errors"])
               for row in rows for name, want in (("hall", "201"), ("bare", "201"))
               if set(row[name]["statuses"]) - {want} or row[name]["errors"]}
        kept = (after["distinct_numbers"] == after["applications"]
                and after["files"] == 2 * after["applications"])
        print(f"\nwritten: {created} applications, {after['files'] - before['files']} files; "
              f"service numbers distinct and two files each: {'yes' if kept else 'NO'}")
        ok = not bad and kept
        print("Answers:", "PASS  every application 201 and kept whole" if ok
              else f"FAIL  {bad or 'rows or files missing'}")
        if args.json:
            args.json.write_text(json.dumps({"seconds": args.seconds, "levels": rows,
                                             "written": after}, indent=2))
        return 0 if ok else 1
    finally:
        for proc in (hall, bare):
            _server.stop(proc)
        _server.clean_up(tmp, keep=args.keep or not ok)


if __name__ == "__main__":
    _server.run_main(main)
