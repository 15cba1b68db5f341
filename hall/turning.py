"""Marking what turned yellow or red: one pass of the deadline job (``hall.deadlines.tick``)
over one kind of clock (cases, questions and complaints, applications in pre-review), in
batches of one transaction each, each turn recorded as its event.

Every kind keeps its clock the same way: ``warning`` (none, yellow, red), ``yellow_at`` and
``due_at``, and, once red, ``ever_red`` and the first ``red_at`` (kept for accountability,
失职追究: a row can turn red again after an extension). What differs is the table, which
rows run, and what their events carry (a ``Turning``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, func, literal, select, update
from sqlalchemy.orm import Session

from .db import write_transaction
from .models import Hall

BATCH = 1000


@dataclass(frozen=True)
class Turning:
    table: Table
    # (warning to set, the order of its index, which rows qualify): red first, so that a row
    # past both goes straight red. Each batch is read in its index's order (not by id), so
    # that the planner walks the index from the oldest time instead of the table in id order.
    marks: tuple[tuple[str, Any, Any], ...]
    returning: tuple  # the columns the events need, ``hall_id`` among them
    # (session, hall, marked row, warning): records its event, the kinds written out in the
    # caller's module so that hall.kinds can be checked complete (tests/test_kinds)
    note: Callable[[Session, Any, Any, str], None]


def mark(session: Session, now: datetime, turning: Turning) -> dict[str, int]:
    """Mark every row of ``turning`` that turned yellow or red by ``now``; how many of each."""
    done = {"yellow": 0, "red": 0}
    for warning, order, condition in turning.marks:
        while True:
            marked = _batch(session, now, turning, warning, order, condition)
            done[warning] += marked
            if marked < BATCH:
                break
    return done


def _batch(session: Session, now: datetime, turning: Turning, warning: str, order,
           condition) -> int:
    table = turning.table
    with write_transaction(session):
        ids = list(session.scalars(
            select(table.c.id).where(condition).order_by(order).limit(BATCH), {"now": now}))
        if not ids:
            return 0
        values: dict[str, object] = {"warning": warning}
        if warning == "red":  # the first time it went red is kept
            values.update(ever_red=True,
                          red_at=func.coalesce(table.c.red_at, literal(now, table.c.red_at.type)))
        # The condition again: a row another process marked meanwhile no longer matches.
        marked = session.execute(
            update(table).where(table.c.id.in_(ids), condition).values(**values)
            .returning(*turning.returning), {"now": now}).all()
        halls = halls_by_id(session)
        for row in marked:
            turning.note(session, halls[row.hall_id], row, warning)
        return len(marked)


def halls_by_id(session: Session) -> dict[int, SimpleNamespace]:
    """Every hall as ``record`` needs it (id and code), without loading the rows."""
    return {hid: SimpleNamespace(id=hid, code=code)
            for hid, code in session.execute(select(Hall.id, Hall.code))}


def iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None
