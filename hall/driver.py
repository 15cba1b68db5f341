"""Core statements run straight through the database driver, for the hottest paths.

SQLAlchemy's execution (the execution context, the result object, the event and cache
machinery) costs about 0.05 ms per statement on top of the query: more than SQLite takes for
most of the hall's statements. Issuing a ticket runs six of them, and the kiosks and the
public reads are the paths that must keep up with a province's traffic (#13). So these
paths compile their statements once per dialect, turn the parameters into the driver's
values with the same type processors SQLAlchemy would use (the UTC datetimes, dates, JSON),
and hand the string to the driver's cursor, inside the caller's transaction.

What this gives up, on purpose: result types are not converted (callers read ids, counts,
codes and flags, which the drivers already return as Python values), and expanding ``IN``
parameters are not supported. Statement listeners (``before_cursor_execute``) still see
the statements run in a transaction (``execute``, ``first``, ``scalar``), so tests that count
a move's statements keep counting these; ``first_row``'s reads on a pooled connection of
their own have no SQLAlchemy connection to dispatch on, and are not seen.
"""
from __future__ import annotations

import weakref
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import Session

WRITE_CONNECTION = "hall.in_write"  # session.info: set by hall.db.write_transaction


@dataclass(frozen=True)
class Prepared:
    """A statement compiled for one dialect: its string, and for each of its parameters, in
    the driver's order, the name the driver knows it by, the key the caller gives it by, its
    value when the caller gives none (the literals of the statement), and its type processor;
    then the shape of its rows. ``positional``: the driver takes a tuple (sqlite3), not a
    dict (psycopg)."""

    sql: str
    positional: bool
    binds: tuple[tuple[str, str, Any, Callable[[Any], Any] | None], ...]
    row: Callable[..., tuple] | None

    def values(self, params: dict) -> tuple | dict:
        # What SQLAlchemy's construct_params and bind processing do, without the generality
        # (callables, expanding lists, escaped names) the hot statements never use.
        values = []
        for _, key, default, process in self.binds:
            value = params[key] if key in params else default
            values.append(value if process is None else process(value))
        if self.positional:
            return tuple(values)
        return dict(zip([name for name, _, _, _ in self.binds], values, strict=True))


def connection_of(session: Session) -> Connection:
    """The connection of the session's transaction. Inside a write transaction it is the one
    the transaction began with, kept there: asking the session again costs more than most
    of the hot path's statements."""
    kept = session.info.get(WRITE_CONNECTION)
    return kept if kept is not None else session.connection()


_prepared: weakref.WeakKeyDictionary[Dialect, dict] = weakref.WeakKeyDictionary()


def prepare(dialect: Dialect, statement, keys: tuple[str, ...] | None = None) -> Prepared:
    """``statement`` compiled for ``dialect`` once per process. ``keys``: the columns an
    ``insert(table)`` without ``values()`` is given, as SQLAlchemy compiles it for a dict."""
    known = _prepared.setdefault(dialect, {})
    found = known.get((statement, keys))
    if found is not None:
        return found
    compiled = statement.compile(dialect=dialect, column_keys=list(keys) if keys else None)
    by_name = {name: bind for bind, name in compiled.bind_names.items()}
    order = compiled.positiontup if compiled.positional else list(by_name)
    binds = []
    for name in order:
        bind = by_name[name]
        if bind.expanding or bind.callable is not None:
            raise ValueError(f"{name}: expanding or callable parameters are not supported")
        binds.append((name, bind.key, None if bind.required else bind.value,
                      bind.type.dialect_impl(dialect).bind_processor(dialect)))
    columns = getattr(statement, "selected_columns", None)
    if columns is None and statement._returning:  # INSERT/UPDATE … RETURNING
        columns = statement._returning
    row = None
    if columns:
        row = namedtuple("Row", [c.key for c in columns], rename=True)._make  # type: ignore[attr-defined]
    found = known[(statement, keys)] = Prepared(compiled.string, bool(compiled.positional),
                                                tuple(binds), row)
    return found


def execute(connection: Connection, statement, params: dict, *,
            keys: tuple[str, ...] | None = None):
    """Run ``statement`` on ``connection``'s driver connection, inside its transaction;
    returns the driver's cursor (closed by the caller, or by being dropped)."""
    prepared = prepare(connection.dialect, statement, keys)
    values = prepared.values(params)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    if connection.dispatch.before_cursor_execute:
        connection.dispatch.before_cursor_execute(connection, cursor, prepared.sql, values,
                                                  None, False)
    cursor.execute(prepared.sql, values)
    return prepared, cursor


def first(connection: Connection, statement, params: dict, *,
          keys: tuple[str, ...] | None = None):
    """The first row of ``statement`` (named by its columns), or None."""
    prepared, cursor = execute(connection, statement, params, keys=keys)
    try:
        found = cursor.fetchone()
    finally:
        cursor.close()
    if found is None or prepared.row is None:
        return found
    return prepared.row(found)


def scalar(connection: Connection, statement, params: dict, *,
           keys: tuple[str, ...] | None = None):
    """The first column of the one row ``statement`` returns (an id from RETURNING, a
    counter's value)."""
    found = first(connection, statement, params, keys=keys)
    if found is None:
        raise LookupError("the statement returned no row")
    return found[0]


def first_row(engine: Engine, statement, params: dict) -> tuple | None:
    """The first row of a read ``statement``, on a pooled connection of its own, outside
    any transaction of the caller's: for the reads before every public answer
    (hall.web.kept: a hall's floor sequence, a visit's last event), where a session's
    connection and transaction would cost five times the query."""
    prepared = prepare(engine.dialect, statement)
    connection = engine.raw_connection()  # back to the pool (and rolled back) on close
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(prepared.sql, prepared.values(params))
            return cursor.fetchone()
        finally:
            cursor.close()
    finally:
        connection.close()
