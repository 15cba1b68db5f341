r"""The dashboard snapshot, a month's statistics and the daily report of a busy hall.

Fills a fresh database (SQLite by default, or ``--database-url``) with the demo halls plus
enough others to make ``--halls`` (20), each with ``--per-day`` (2,000) tickets on each of
``--days`` (30) days ending today, inserted directly (SQLAlchemy Core executemany): issued
from 08:30 to 17:30, most finished, some no-shows, transfers and unserved; today's up to 15:00
with a queue still waiting. Each ticket gets the events the statistics read (its first call,
a transfer, its finish); some visits are rated, some became cases, a few of them overdue.

Then it times, in this process, for the provincial hall ``HQ`` at 15:00 on the last day:

- the dashboard snapshot (``hall.dashboard.snapshot``; where that does not exist, today's
  figures from ``hall.stats.today`` stand in), the median of ``--repeat`` calls;
- today's ticket figures from ``hall.stats`` (every grouping);
- a month's report: ``hall.stats.report`` over the 30 days (tickets by service, window, clerk,
  hour and day; cases on time and overdue by division, person and month; ratings);
- the daily report of yesterday: the statistics and the PDF and CSV (``hall.reports``), and
  closing yesterday for real (``hall.endofday.close_day``);
- as the bare baselines, ``SELECT count(*)`` over the same rows (today's tickets, the
  month's tickets, the month's events of the hall);

and prints the plan of every query (``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN`` on
PostgreSQL). Aim: snapshot < 200 ms, month < 2 s.

Run: ``.venv/bin/python bench/dashboard.py`` (SQLite; about two minutes to fill), smaller with
``--halls 2 --days 7``, or against an empty PostgreSQL schema::

    .venv/bin/python bench/dashboard.py --database-url \
        'postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dbench_dash'
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from overdue import Statements, explain, prepare, timed  # noqa: E402  (bench/ helpers)

from hall import clock, endofday, reports, stats  # noqa: E402
from hall.db import configure_engine  # noqa: E402
from hall.models import (  # noqa: E402
    Case,
    Division,
    Event,
    Hall,
    Rating,
    ServiceItem,
    Staff,
    Ticket,
    Window,
    window_services,
)

try:  # the dashboard's own snapshot, when that part of the hall exists
    from hall.dashboard import snapshot as dashboard_snapshot  # noqa: E402
except ImportError:  # pragma: no cover - before the dashboard was written
    dashboard_snapshot = None

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=TZ).astimezone(UTC)  # 15:00 in the hall
BATCH = 20_000


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--halls", type=int, default=20)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--per-day", type=int, default=2000, help="tickets per hall and day")
    p.add_argument("--repeat", type=int, default=10, help="calls to take the median of")
    p.add_argument("--database-url", help="an empty database (or schema) instead of SQLite")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (SQLite file, logs)")
    return p.parse_args(argv)


# -- filling -----------------------------------------------------------------------------------

class Filler:
    """Rows for the tables, inserted in batches."""

    ORDER = (Ticket.__table__, Event.__table__, Rating.__table__, Case.__table__)

    def __init__(self, session: Session) -> None:
        self.session = session
        self.pending: dict = {t: [] for t in self.ORDER}
        self.counts: dict = {}

    def add(self, table, row: dict) -> None:
        rows = self.pending[table]
        rows.append(row)
        if len(rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Every table, tickets first: the other rows refer to them."""
        for t in self.ORDER:
            rows = self.pending.get(t)
            if rows:
                self.session.execute(insert(t), rows)
                self.counts[t.name] = self.counts.get(t.name, 0) + len(rows)
                rows.clear()


def more_halls(session: Session, wanted: int) -> list[Hall]:
    """The demo halls and copies of HQ's catalogue and windows up to ``wanted`` halls."""
    hq = session.scalar(select(Hall).where(Hall.code == "HQ"))
    halls = list(session.scalars(select(Hall).order_by(Hall.id)))
    items = list(session.scalars(select(ServiceItem).where(ServiceItem.hall_id == hq.id)))
    for n in range(len(halls) + 1, wanted + 1):
        hall = Hall(code=f"B{n:02d}", node_no=100 + n, name_zh=f"测试大厅{n}",
                    name_en=f"Bench hall {n}", level="county", parent_id=hq.id,
                    timezone="Asia/Shanghai")
        session.add(hall)
        session.flush()
        copies = []
        for item in items:
            copy = ServiceItem(hall_id=hall.id, code=item.code, prefix=item.prefix,
                               name_zh=item.name_zh, name_en=item.name_en,
                               time_limit_days=item.time_limit_days,
                               legal_limit_days=item.legal_limit_days,
                               standard_minutes=item.standard_minutes, documents=[],
                               procedure=[], sort_order=item.sort_order)
            session.add(copy)
            copies.append(copy)
        session.flush()
        for no in range(1, 23):
            window = Window(hall_id=hall.id, no=no, state="closed", priority_streak=0)
            session.add(window)
            session.flush()
            session.execute(insert(window_services),
                            [{"window_id": window.id, "service_id": copies[no % len(copies)].id}])
        halls.append(hall)
    session.commit()
    return halls[:wanted]


def fill(session: Session, args) -> dict:
    started = time.perf_counter()
    halls = more_halls(session, args.halls)
    clerks = list(session.scalars(select(Staff.id).where(Staff.username.like("clerk%"))
                                  .order_by(Staff.username)))
    handlers = list(session.scalars(select(Staff.id).where(Staff.username.like("division%"))))
    rng = random.Random(5)
    out = Filler(session)
    serial = 0
    for hall in halls:
        items = list(session.scalars(select(ServiceItem).where(ServiceItem.hall_id == hall.id)
                                     .order_by(ServiceItem.sort_order)))
        windows = list(session.scalars(select(Window.id).where(Window.hall_id == hall.id)
                                       .order_by(Window.no)))
        divisions = list(session.scalars(select(Division.id).where(
            Division.hall_id == (hall.id if hall.code in ("HQ", "HRB") else halls[0].id))))
        next_ids = _next_ids(session)
        for back in range(args.days - 1, -1, -1):
            day = TODAY - timedelta(days=back)
            opening = datetime(day.year, day.month, day.day, 8, 30, tzinfo=TZ)
            seqs: dict[str, int] = {}
            for i in range(args.per_day):
                issued = opening + timedelta(seconds=i * 9 * 3600 / args.per_day
                                             + rng.uniform(0, 5))
                if back == 0 and issued.astimezone(UTC) > NOW:
                    break
                item = items[rng.randrange(len(items))]
                seqs[item.prefix] = seq = seqs.get(item.prefix, 0) + 1
                serial += 1
                ticket_id = next_ids["tickets"]
                next_ids["tickets"] += 1
                window = windows[rng.randrange(len(windows))]
                clerk = clerks[rng.randrange(len(clerks))]
                row = dict(id=ticket_id, hall_id=hall.id, day=day, prefix=item.prefix, seq=seq,
                           number=f"{item.prefix}{seq:03d}", service_no=f"X{serial:011d}",
                           access_code="BENCH", service_id=item.id, status="finished",
                           is_priority=False, queued_at=issued, issued_at=issued,
                           call_count=1, source="bench", window_id=window,
                           first_owner_id=clerk, called_at=None, serving_at=None,
                           finished_at=None)
                age = (NOW - issued).total_seconds() / 60 if back == 0 else 10_000
                wait = rng.uniform(2, 40)
                roll = rng.random()
                if age < wait:  # today, still in line
                    row.update(status="waiting", call_count=0, window_id=None,
                               first_owner_id=None)
                    out.add(Ticket.__table__, row)
                    continue
                called = issued + timedelta(minutes=wait)
                row["called_at"] = called
                out.add(Event.__table__, _event(hall.id, called, "ticket.called", ticket_id,
                                                window, clerk))
                if roll < 0.05:
                    row["status"] = "no_show"
                elif back > 0 and roll < 0.08:
                    row.update(status="unserved")
                else:
                    if roll < 0.11:
                        moved = called + timedelta(minutes=3)
                        out.add(Event.__table__, _event(hall.id, moved, "ticket.transferred",
                                                        ticket_id, window, clerk))
                        called = moved + timedelta(minutes=rng.uniform(1, 15))
                        row["called_at"] = called
                    done = called + timedelta(minutes=rng.uniform(3, 20))
                    if done > NOW:
                        row.update(status="serving", serving_at=called)
                    else:
                        row.update(status="finished", serving_at=called, finished_at=done)
                        out.add(Event.__table__, _event(hall.id, done, "ticket.finished",
                                                        ticket_id, window, clerk))
                        if roll > 0.95:
                            out.add(Rating.__table__, dict(
                                hall_id=hall.id, ticket_id=ticket_id, level=rng.randint(1, 5),
                                comment="", channel="window", created_at=done,
                                window_id=window, staff_id=clerk, followup="none",
                                followup_warning="none", followup_note=""))
                        elif roll > 0.93 and divisions:
                            out.add(Case.__table__, _case(rng, hall.id, ticket_id, item.id,
                                                          divisions, clerk, handlers, done))
                out.add(Ticket.__table__, row)
            out.flush()
        session.commit()
        print(f"  {hall.code}: {out.counts.get('tickets', 0):,} tickets so far", flush=True)
    out.flush()
    session.commit()
    session.execute(text("ANALYZE"))
    session.commit()
    return {"halls": halls, "counts": out.counts, "seconds": time.perf_counter() - started}


def _next_ids(session: Session) -> dict:
    return {"tickets": (session.scalar(select(func.max(Ticket.id))) or 0) + 1}


def _event(hall_id, at, kind, ticket_id, window_id, actor_id) -> dict:
    return dict(hall_id=hall_id, at=at, kind=kind, ticket_id=ticket_id, window_id=window_id,
                actor_id=actor_id, actor="bench", data={}, seq=None)


def _case(rng, hall_id, ticket_id, service_id, divisions, clerk, handlers, accepted) -> dict:
    due = accepted + timedelta(days=7)
    decided = accepted + timedelta(days=rng.uniform(1, 9))
    red = decided > due
    # case_no is unique (migration 0009): one per ticket, in the bench's own series.
    return dict(hall_id=hall_id, ticket_id=ticket_id, service_id=service_id,
                case_no=f"BENCH{ticket_id:011d}",
                division_id=divisions[rng.randrange(len(divisions))], state="decided",
                outcome="approved", first_owner_id=clerk,
                handler_id=handlers[rng.randrange(len(handlers))] if handlers else None,
                subject="bench", applicant_name="测试", accepted_at=accepted, due_at=due,
                warning="red" if red else "none", ever_red=red, red_at=due if red else None,
                decided_at=decided if decided <= NOW else None, extension_days=0,
                due_provisional=False, missing_documents=[])


# -- measuring ---------------------------------------------------------------------------------

class Reads(Statements):
    """The SELECTs, and the WITH … SELECTs the statistics run, for EXPLAIN."""

    def _record(self, _conn, _cursor, statement, parameters, _context, _many) -> None:
        if self.on and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            if statement not in [s for s, _p in self.seen]:
                self.seen.append((statement, parameters))


def median_ms(fn, repeat: int) -> tuple[float, float]:
    times = [timed(fn)[0] for _ in range(repeat)]
    return statistics.median(times), max(times)


def main(argv=None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    url = args.database_url or f"sqlite:///{tmp / 'hall.db'}"
    try:
        prepare(url, tmp)
        engine = create_engine(url)
        configure_engine(engine, synchronous="NORMAL")
        recorder = Reads(engine)
        with Session(engine, expire_on_commit=False) as session:
            print(f"database: {engine.dialect.name}; filling {args.halls} halls × {args.days} "
                  f"days × {args.per_day:,} tickets …", flush=True)
            filled = fill(session, args)
            print(f"filled in {filled['seconds']:.1f} s: " + ", ".join(
                f"{n:,} {t}" for t, n in sorted(filled["counts"].items())))
            hq = session.scalar(select(Hall).where(Hall.code == "HQ"))
            month = stats.Period.days(hq, TODAY - timedelta(days=args.days - 1), TODAY)
            yesterday = TODAY - timedelta(days=1)
            results, plans = [], {}

            def measure(name, fn, note_fn=None, repeat=args.repeat):
                recorder.seen, recorder.on = [], True
                value = fn()
                recorder.on = False
                plans[name] = recorder.seen
                session.commit()
                ms, worst = median_ms(lambda: (fn(), session.commit()), repeat)
                results.append((name, ms, f"max {worst:.1f} ms; " + (note_fn(value)
                                                                      if note_fn else "")))
                return value

            with clock.frozen(NOW):
                if dashboard_snapshot is not None:
                    measure("dashboard snapshot, HQ today (median)",
                            lambda: dashboard_snapshot(session, hq, NOW),
                            lambda s: f"{s.issued:,} tickets, {s.waiting} waiting")
                else:
                    print("hall.dashboard.snapshot not found: timing hall.stats.today instead")
                measure("stats.today, HQ (median)", lambda: stats.today(session, hq),
                        lambda s: f"{s.total.tickets:,} tickets, avg wait "
                                  f"{s.total.avg_wait_minutes:.1f} min")
                measure("month report: stats.report, 30 days", lambda: stats.report(
                    session, hq, month), lambda r: f"{r.tickets.total.tickets:,} tickets, "
                    f"{len(r.tickets.by_day)} days, {len(r.overdue)} overdue rows",
                    repeat=max(3, args.repeat // 3))
                measure("daily report: stats + PDF + CSV, yesterday",
                        lambda: reports.daily(stats.report(session, hq,
                                                           stats.Period.day(hq, yesterday))),
                        lambda d: f"PDF {len(d.pdf) / 1024:.0f} KiB, "
                                  f"{d.totals['tickets']:,} tickets",
                        repeat=max(3, args.repeat // 3))
                close_ms, closed = timed(lambda: endofday.close_day(session, "HQ", yesterday))
                results.append(("end of day: close yesterday (once)", close_ms,
                                 f"{closed.unserved} unserved, report {closed.report_id}"))

            with engine.connect() as conn:
                T = Ticket.__table__
                bare = [
                    ("bare: count(*) today's tickets of HQ",
                     select(func.count()).where(T.c.hall_id == hq.id, T.c.day == TODAY)),
                    ("bare: count(*) the month's tickets of HQ",
                     select(func.count()).where(T.c.hall_id == hq.id,
                                                T.c.day >= month.first, T.c.day <= TODAY)),
                    ("bare: count(*) the month's events of HQ",
                     select(func.count()).select_from(Event.__table__).where(
                         Event.hall_id == hq.id, Event.at >= month.start,
                         Event.at < month.end)),
                ]
                for name, query in bare:
                    ms, _ = median_ms(lambda q=query: conn.execute(q).scalar(), args.repeat)
                    results.append((name, ms, f"{conn.execute(query).scalar():,} rows"))

        print()
        print(f"{'what':<48} {'ms':>9}  note")
        for name, ms, note in results:
            print(f"{name:<48} {ms:9.1f}  {note}")
        for name, seen in plans.items():
            print(f"\nplans, {name}:")
            print("\n".join(explain(engine, seen)))
        by_name = {name: ms for name, ms, _ in results}
        snap = by_name.get("dashboard snapshot, HQ today (median)",
                           by_name["stats.today, HQ (median)"])
        month_ms = by_name["month report: stats.report, 30 days"]
        print(f"\naim: snapshot < 200 ms: {'ok' if snap < 200 else 'MISSED'} ({snap:.0f} ms); "
              f"month < 2 s: {'ok' if month_ms < 2000 else 'MISSED'} ({month_ms:.0f} ms)")
        return 0
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
