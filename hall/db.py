"""Transactions for the hall's writes, the same on SQLite and PostgreSQL.

Every queue or case move is one write transaction. On SQLite a deferred transaction that
reads and then writes fails at once with "database is locked" when another writer got in
between, whatever the busy timeout; so write transactions begin IMMEDIATE (reads stay
deferred), and inside one process writers queue on a lock instead of sleeping in SQLite's
busy handler. On PostgreSQL writes rely on row locks (``FOR UPDATE``, atomic upserts) at
READ COMMITTED, which every connection is set to whatever the server's default; reads that
must see one snapshot ask for REPEATABLE READ (``consistent_read``).
"""
from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Concatenate, Final, ParamSpec, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, scoped_session

from . import events
from .driver import WRITE_CONNECTION

P = ParamSpec("P")
R = TypeVar("R")

_IN_WRITE = WRITE_CONNECTION  # the write transaction's connection, while it runs
_write_locks: weakref.WeakKeyDictionary[Engine | Connection, threading.RLock] = (
    weakref.WeakKeyDictionary())
_guard = threading.Lock()


def configure_engine(engine: Engine, *, busy_timeout_ms: int = 30_000,
                     synchronous: str = "NORMAL") -> None:
    """Prepare an engine for the hall: on SQLite, WAL, a busy timeout, foreign keys, and
    transactions begun by us so that writes can begin IMMEDIATE; on PostgreSQL, READ
    COMMITTED on every connection."""
    if engine.dialect.name == "postgresql":
        _read_committed(engine)
        return
    if engine.dialect.name != "sqlite":
        return
    if synchronous not in ("NORMAL", "FULL"):
        raise ValueError(f"SQLITE_SYNCHRONOUS must be NORMAL or FULL, not {synchronous!r}")

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # pysqlite must not issue BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # In WAL mode NORMAL loses no committed transaction when the process is killed;
        # only a power cut can lose the last ones. FULL syncs every commit to disk.
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        # Straight to the driver: this runs once per transaction, on the kiosk's hot path.
        connection.connection.driver_connection.execute(f"BEGIN {mode}")


WRITE_ISOLATION: Final = "READ COMMITTED"


def _read_committed(engine: Engine) -> None:
    """READ COMMITTED on every PostgreSQL connection, even where the server's
    default_transaction_isolation says otherwise: the write paths lock the rows they change
    and would fail with serialization errors at a stricter level. First among the connect
    listeners, so that SQLAlchemy reads it as the connection's default and puts it back after
    a ``consistent_read``. (psycopg sends it with each BEGIN: no extra round trip.)"""

    @event.listens_for(engine, "connect", insert=True)
    def _connect(dbapi_connection, _record) -> None:
        engine.dialect.set_isolation_level(dbapi_connection, WRITE_ISOLATION)


def _process_write_lock(engine: Engine | Connection):
    if engine.dialect.name != "sqlite":
        return nullcontext()
    with _guard:
        lock = _write_locks.get(engine)
        if lock is None:
            lock = _write_locks[engine] = threading.RLock()
    return lock


def in_write_transaction(session: Session) -> bool:
    return bool(session.info.get(_IN_WRITE))


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """One write transaction: begun IMMEDIATE on SQLite, committed at the end, rolled back on
    any error; the events it recorded are published only after the commit. Nested use joins
    the outer transaction."""
    if isinstance(session, scoped_session):
        session = session()  # the request's own session, not the registry in front of it
    if in_write_transaction(session):
        yield session
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("unflushed changes outside a write transaction")
    if session.in_transaction():
        session.commit()  # ends the read transaction a caller may have begun
    engine = session.get_bind()
    with _process_write_lock(engine):
        try:
            session.info[_IN_WRITE] = session.connection(
                execution_options={"sqlite_begin": "IMMEDIATE"})
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            events.discard_pending(session)
            raise
        finally:
            session.info.pop(_IN_WRITE, None)
    events.publish_pending(session, engine)


@contextmanager
def consistent_read(session: Session) -> Iterator[Session]:
    """A read transaction in which every statement sees the same snapshot: what SQLite's WAL
    gives any read transaction, and PostgreSQL only at REPEATABLE READ."""
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        session.commit()
    options = {}
    if session.get_bind().dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    session.connection(execution_options=options)
    try:
        yield session
    finally:
        session.commit()  # nothing was written: this only ends the snapshot


def operation(
        fn: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Session, P], R]:
    """Make a domain function one write transaction of its own, or a part of the caller's.

    The first argument of the function must be the SQLAlchemy session."""

    @functools.wraps(fn)
    def wrapper(session: Session, *args: P.args, **kwargs: P.kwargs) -> R:
        with write_transaction(session):
            return fn(session, *args, **kwargs)

    return wrapper
