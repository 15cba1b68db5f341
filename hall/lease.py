"""The lease of a scheduled job: one process at a time does the job's work.

Every serving process may run the scheduler (``hall.web.scheduler``); before each run a job
takes its lease, a row of ``job_leases`` naming the holder until a time. The holder renews it;
another process takes it only once it has expired, so a dead holder is replaced within the
lease's time. Used by the deadline marks (``hall.deadlines``) and the end of day
(``hall.endofday``), and by any job to come.
"""
from __future__ import annotations

import os
import socket
from datetime import timedelta
from typing import cast

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from . import clock
from .db import write_transaction
from .models import JobLease


def holder_name() -> str:
    """This process's name as a holder: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def acquire(session: Session, *, holder: str, ttl: timedelta, name: str) -> bool:
    """Hold the lease of job ``name`` for ``ttl``: renew it if ours, take it if it has expired."""
    with write_transaction(session):
        now = clock.now()
        L = JobLease.__table__
        taken = cast(CursorResult, session.execute(
            update(L).where(L.c.name == name, (L.c.holder == holder) | (L.c.expires_at < now))
            .values(holder=holder, expires_at=now + ttl, runs=L.c.runs + 1)
        )).rowcount
        if taken:
            return True
        insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql"
                  else sqlite.insert)
        # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT DO NOTHING
        # whether or not it inserted, which made every process think it held the lease.
        created = session.execute(
            insert(L).values(name=name, holder=holder, expires_at=now + ttl, runs=1)
            .on_conflict_do_nothing(index_elements=[L.c.name]).returning(L.c.name)
        ).first()
        return created is not None


def release(session: Session, *, holder: str, name: str) -> None:
    """Give the lease up (on shutdown), so another process can take over at once."""
    with write_transaction(session):
        L = JobLease.__table__
        session.execute(update(L).where(L.c.name == name, L.c.holder == holder)
                        .values(expires_at=clock.now() - timedelta(seconds=1)))
