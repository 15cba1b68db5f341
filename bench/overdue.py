r"""The deadline job and the division inbox over a million open cases.

Fills a fresh database (SQLite by default, or ``--database-url``) with the demo hall and
``--cases`` open cases spread over its ten divisions: two thirds with a running clock and a
deadline within the next 60 working days (those already past their warning line marked yellow,
a few already red), a third with a stopped clock (waiting for documents, in a special procedure,
decided, ready). ``--turning`` of them have just crossed their warning line and as many their
deadline since the last tick.

Then it times, in this process, against that database:

- one tick of the deadline job (``hall.deadlines.tick``) that marks the cases that turned,
  writing one event each, and the next tick, which finds nothing (every minute's usual case);
- the division inbox (``hall.inbox.inbox``) of the busiest division, first page, the median of
  ``--repeat`` calls;
- as the bare baseline, one pass over the whole table (``SELECT count(*) … WHERE due_at <= now``
  with no index): what the tick would cost if it read every case.

and prints the plan of every query the tick and the inbox ran (``EXPLAIN QUERY PLAN`` on
SQLite, ``EXPLAIN`` on PostgreSQL), so that index use can be seen. Aim: tick < 1 s, inbox
< 100 ms on both databases.

Run: ``.venv/bin/python bench/overdue.py`` (SQLite, about a minute to fill), or against an
empty PostgreSQL schema::

    .venv/bin/python bench/overdue.py --database-url \
        'postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dbench_overdue'
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, event, func, insert, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _server  # noqa: E402  (bench/ is not a package)

from hall import deadlines, inbox  # noqa: E402
from hall.db import configure_engine  # noqa: E402
from hall.models import Case, Division, Hall, ServiceItem, Staff, Ticket, open_clause  # noqa: E402

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in the hall
STOPPED = ("awaiting_documents", "special_procedure", "decided", "ready")
TICKETS = 2000


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--turning", type=int, default=500,
                   help="cases turning yellow, and as many turning red, at the measured tick")
    p.add_argument("--repeat", type=int, default=20, help="inbox calls to take the median of")
    p.add_argument("--database-url", help="an empty database (or schema) instead of SQLite")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (SQLite file, logs)")
    return p.parse_args(argv)


# -- filling -----------------------------------------------------------------------------------

def prepare(url: str, tmp: Path) -> None:
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench", INSTANCE_PATH=str(tmp),
               FLASK_APP="hall.web:create_app", REDIS_URL="")
    flask, log = str(_server.BIN / "flask"), tmp / "setup.log"
    for command in (["db", "upgrade"], ["calendar", "import-official"],
                    ["seed-demo", "--if-empty"]):
        _server.run_checked([flask, *command], env, log)


def fill(session: Session, count: int, turning: int) -> dict:
    hq = session.scalar(select(Hall).where(Hall.code == "HQ"))
    divisions = list(session.scalars(select(Division).where(Division.hall_id == hq.id)))
    services = {s.division_id: s for s in session.scalars(
        select(ServiceItem).where(ServiceItem.hall_id == hq.id,
                                  ServiceItem.division_id.is_not(None)))}
    divisions = [d for d in divisions if d.id in services]
    clerk = session.scalar(select(Staff).where(Staff.username == "clerk03"))
    tickets = _tickets(session, hq, list(services.values()))
    rng = random.Random(4)
    started = time.perf_counter()
    batch = []
    for i in range(count):
        division = divisions[i % len(divisions)]
        batch.append(_case(rng, i, count, turning, hq.id, division.id,
                           services[division.id].id, tickets[i % len(tickets)], clerk.id))
        if len(batch) == 20_000:
            session.execute(insert(Case), batch)
            batch.clear()
    if batch:
        session.execute(insert(Case), batch)
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE cases"))
    else:
        session.execute(text("ANALYZE"))
    session.commit()
    return {"hall": hq, "divisions": divisions, "seconds": time.perf_counter() - started}


def _tickets(session: Session, hq: Hall, services: list[ServiceItem]) -> list[int]:
    rows = [dict(hall_id=hq.id, day=NOW.date(), prefix="Z", seq=i + 1, number=f"Z{i + 1:04d}",
                 service_no=f"BENCH{i:010d}", access_code="BENCHCODE",
                 service_id=services[i % len(services)].id, status="finished",
                 queued_at=NOW - timedelta(days=30), issued_at=NOW - timedelta(days=30),
                 source="bench")
            for i in range(TICKETS)]
    session.execute(insert(Ticket), rows)
    return list(session.scalars(select(Ticket.id).where(Ticket.prefix == "Z")))


def _case(rng, i, count, turning, hall_id, division_id, service_id, ticket_id, owner) -> dict:
    row = dict(hall_id=hall_id, ticket_id=ticket_id, service_id=service_id,
               division_id=division_id, first_owner_id=owner, subject="bench",
               applicant_name="测试", accepted_at=NOW - timedelta(days=rng.randint(1, 60)),
               warning="none", ever_red=False, extension_days=0, due_provisional=False,
               missing_documents=[], state="accepted" if i % 2 else "in_progress")
    if i < turning:  # past the deadline since the last tick: turns red now
        due = NOW - timedelta(minutes=rng.randint(1, 59))
        row.update(due_at=due, yellow_at=due - timedelta(days=2), warning="yellow")
    elif i < 2 * turning:  # past the warning line since the last tick: turns yellow now
        due = NOW + timedelta(days=rng.randint(1, 3))
        row.update(due_at=due, yellow_at=NOW - timedelta(minutes=rng.randint(1, 59)))
    elif i % 3 == 0:  # clock stopped
        row.update(state=STOPPED[i % len(STOPPED)], due_at=None, yellow_at=None)
    elif i % 50 == 1:  # long overdue, marked red already
        due = NOW - timedelta(days=rng.randint(1, 20))
        row.update(due_at=due, yellow_at=due - timedelta(days=2), warning="red", ever_red=True,
                   red_at=due)
    else:
        due = NOW + timedelta(hours=rng.randint(2, 60 * 24))
        yellow = due - timedelta(days=2)
        row.update(due_at=due, yellow_at=yellow, warning="yellow" if yellow <= NOW else "none")
    return row


# -- measuring ---------------------------------------------------------------------------------

class Statements:
    """The SELECTs run on the engine while recording, with their parameters, for EXPLAIN."""

    def __init__(self, engine) -> None:
        self.seen: list[tuple[str, object]] = []
        self.on = False
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, parameters, _context, _many) -> None:
        if self.on and statement.lstrip().upper().startswith("SELECT"):
            if statement not in [s for s, _p in self.seen]:
                self.seen.append((statement, parameters))


def explain(engine, statements) -> list[str]:
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    out = []
    with engine.connect() as conn:
        for statement, parameters in statements:
            raw = conn.connection.dbapi_connection.cursor()
            raw.execute(prefix + statement, parameters)
            plan = [" ".join(str(c) for c in row) for row in raw.fetchall()]
            out.append(" ".join(statement.split())[:160] + " …")
            out += [f"    {line}" for line in plan]
    return out


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def main(argv=None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-overdue-"))
    url = args.database_url or f"sqlite:///{tmp / 'hall.db'}"
    try:
        prepare(url, tmp)
        engine = create_engine(url)
        configure_engine(engine, synchronous="NORMAL")
        statements = Statements(engine)
        with Session(engine, expire_on_commit=False) as session:
            print(f"database: {engine.dialect.name}; filling {args.cases:,} open cases …",
                  flush=True)
            filled = fill(session, args.cases, args.turning)
            print(f"filled in {filled['seconds']:.1f} s")

            statements.on = True
            tick_ms, first = timed(lambda: deadlines.tick(session, NOW))
            idle_ms, second = timed(lambda: deadlines.tick(session, NOW))
            statements.on = False
            tick_statements, statements.seen = statements.seen, []

            hall, division = filled["hall"], filled["divisions"][0]
            wanted = inbox.Filters(division_id=division.id)
            statements.on = True
            inbox.inbox(session, hall.id, wanted)
            statements.on = False
            inbox_statements, statements.seen = statements.seen, []
            times = [timed(lambda: inbox.inbox(session, hall.id, wanted))[0]
                     for _ in range(args.repeat)]
            page = inbox.inbox(session, hall.id, wanted)
            everyone = inbox.Filters()  # a manager's view: every division of the hall
            statements.on = True
            inbox.inbox(session, hall.id, everyone)
            statements.on = False
            inbox_statements += statements.seen
            hall_times = [timed(lambda: inbox.inbox(session, hall.id, everyone))[0]
                          for _ in range(args.repeat)]
            in_division = session.scalar(select(func.count()).select_from(Case).where(
                Case.division_id == division.id, open_clause()))

            with engine.connect() as conn:
                # An expression no index can answer: every row is read.
                bare_ms, scanned = timed(lambda: conn.scalar(
                    text("SELECT count(*) FROM cases WHERE warning || '' <> 'red'")))

        print()
        print(f"{'what':<46} {'ms':>9}  note")
        print(f"{'tick: cases turning yellow and red':<46} {tick_ms:9.1f}  "
              f"yellow {first.yellow}, red {first.red} (expected {args.turning} each)")
        print(f"{'tick: the next minute, nothing turning':<46} {idle_ms:9.1f}  "
              f"marked {second.total}")
        print(f"{'inbox: first page of one division (median)':<46} "
              f"{statistics.median(times):9.1f}  {len(page)} of {in_division:,} open cases, "
              f"p max {max(times):.1f} ms")
        print(f"{'inbox: first page of the whole hall (median)':<46} "
              f"{statistics.median(hall_times):9.1f}  a manager's view, "
              f"p max {max(hall_times):.1f} ms")
        print(f"{'bare: one pass over every case':<46} {bare_ms:9.1f}  {scanned:,} rows")
        print("\nplans, tick:")
        print("\n".join(explain(engine, tick_statements)))
        print("\nplans, inbox:")
        print("\n".join(explain(engine, inbox_statements)))
        ok = (first.yellow, first.red, second.total) == (args.turning, args.turning, 0)
        print("\ncheck: each turning case marked once:", "ok" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
