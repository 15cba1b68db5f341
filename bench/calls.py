"""What calling the next visitor costs, with the call order of ``hall.callorder``.

In one process on a fresh SQLite database (or ``--database-url``): ``--waiting`` tickets wait
for window 3 (a mix of walk-ins, priority visitors and, where the code has them, checked-in
appointments); the clerk calls the next one and finishes it, ``--calls`` times. Printed: ms per
``queue.call_next`` (median and p99) beside the bare baseline, the same session running the
plain "first waiting by place in line" query with ``FOR UPDATE`` and one UPDATE, in the same
run. The hall's clock is frozen on a Monday morning, so the figures do not depend on the hour.

Run: ``.venv/bin/python bench/calls.py`` (``--json PATH`` saves the figures).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from config import TestConfig  # noqa: E402
from hall import clock, demo, issuing, queue  # noqa: E402
from hall.events import Actor  # noqa: E402
from hall.models import Staff, Ticket  # noqa: E402
from hall.web import create_app  # noqa: E402
from hall.web.extensions import db  # noqa: E402

MONDAY = datetime.fromisoformat("2026-11-23T08:35:00+08:00")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--waiting", type=int, default=400)
    p.add_argument("--calls", type=int, default=300)
    p.add_argument("--database-url")
    p.add_argument("--json", type=Path)
    return p.parse_args(argv)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv=None) -> int:
    args = parse_args(argv)
    tmp = tempfile.mkdtemp(prefix="bench-calls-")
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = args.database_url or f"sqlite:///{tmp}/calls.db"
    app = create_app(config)
    with app.app_context(), clock.frozen(MONDAY) as frozen:
        from flask_migrate import upgrade
        upgrade()
        demo.seed_demo(db.session, password="demo")
        db.session.commit()
        for n in range(args.waiting):
            issuing.issue_ticket(db.session, "HQ", "EXAM",
                                 priority="elderly" if n % 7 == 0 else None)
        frozen.advance(minutes=25)
        clerk = Actor.of(db.session.scalar(sa.select(Staff).where(Staff.username == "clerk03")))
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        hall_times, bare_times = [], []
        bare = sa.text("SELECT id FROM tickets WHERE hall_id = 1 AND status = 'waiting' "
                       "ORDER BY queued_at, id LIMIT 1")
        for _ in range(args.calls):
            frozen.advance(seconds=30)
            start = time.perf_counter()
            ticket = queue.call_next(db.session, "HQ", 3, actor=clerk)
            hall_times.append((time.perf_counter() - start) * 1000)
            assert ticket is not None
            queue.finish(db.session, "HQ", 3, actor=clerk)
            # The baseline: the plain query and one UPDATE in a transaction of its own.
            start = time.perf_counter()
            with db.engine.begin() as connection:
                first = connection.execute(bare).scalar()
                connection.execute(sa.update(Ticket).where(Ticket.id == first)
                                   .values(call_count=Ticket.call_count))
            bare_times.append((time.perf_counter() - start) * 1000)
    figures = {
        "waiting": args.waiting, "calls": args.calls,
        "call_next_ms": {"p50": statistics.median(hall_times),
                         "p99": percentile(hall_times, 0.99)},
        "bare_ms": {"p50": statistics.median(bare_times), "p99": percentile(bare_times, 0.99)},
    }
    print(f"call_next over {args.waiting} waiting: p50 {figures['call_next_ms']['p50']:.2f} ms,"
          f" p99 {figures['call_next_ms']['p99']:.2f} ms; bare p50 "
          f"{figures['bare_ms']['p50']:.2f} ms, p99 {figures['bare_ms']['p99']:.2f} ms")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
