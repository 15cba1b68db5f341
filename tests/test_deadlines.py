"""The deadline job with several scheduler instances on one database: each transition once."""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from conftest import actor
from hall import calendar, cases, clock, deadlines, issuing, lease, queue
from hall.models import Event
from hall.web.extensions import db

MONDAY = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
CASES = 40


def open_cases(app, count: int) -> None:
    """``count`` exam cases accepted at window 3 on Monday morning (due Mon 11-30 17:00)."""
    clerk = actor(app, "clerk03")
    with app.app_context():
        calendar.import_official(db.session)
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        for i in range(count):
            number = issuing.issue_ticket(db.session, "HQ", "EXAM").number
            queue.call_ticket(db.session, "HQ", 3, number, actor=clerk)
            cases.accept(db.session, "HQ", 3, actor=clerk, applicant_name=f"申请人{i}",
                         subject="资格复审")


def marks(app) -> Counter:
    with app.app_context():
        rows = db.session.execute(sa.select(Event.kind, Event.case_id)
                                  .where(Event.kind.in_(("case.yellow", "case.red"))))
        return Counter(rows.all())


def tick_together(app, instances: int, rounds: int, at: datetime) -> None:
    """``instances`` scheduler processes ticking at the same instant, ``rounds`` times."""
    barrier = threading.Barrier(instances)

    def scheduler(_):
        with app.app_context():
            for _ in range(rounds):
                barrier.wait(timeout=30)
                deadlines.tick(db.session)
                db.session.remove()

    # The clock is the process's: frozen once around the threads, not in each (the last
    # thread out would put back another thread's frozen clock).
    with clock.frozen(at), ThreadPoolExecutor(max_workers=instances) as pool:
        list(pool.map(scheduler, range(instances)))


def test_two_scheduler_instances_record_each_transition_once(any_app):
    with clock.frozen(MONDAY):
        open_cases(any_app, CASES)
    # Friday evening: every case is inside its last working day's margin.
    tick_together(any_app, instances=2, rounds=3, at=MONDAY + timedelta(days=4, hours=9))
    yellow = marks(any_app)
    assert len(yellow) == CASES and set(yellow.values()) == {1}
    assert {kind for kind, _ in yellow} == {"case.yellow"}
    # Tuesday: all are past their deadline.
    tick_together(any_app, instances=2, rounds=3, at=MONDAY + timedelta(days=8))
    both = marks(any_app)
    assert len(both) == 2 * CASES and set(both.values()) == {1}


def test_only_one_holder_gets_a_fresh_lease_on_either_database(any_app):
    """The first holder creates the lease row; every other is refused until it runs out.
    (On PostgreSQL an INSERT … ON CONFLICT DO NOTHING reports rowcount -1 either way: the
    lease once went to everyone.)"""
    ttl = timedelta(seconds=30)
    with any_app.app_context():
        with db.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM job_leases"))
        granted = [lease.acquire(db.session, holder=h, ttl=ttl, name="probe")
                   for h in ("a", "b", "c")]
        assert granted == [True, False, False]
        assert lease.acquire(db.session, holder="a", ttl=ttl, name="probe")  # renewed
