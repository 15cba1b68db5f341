"""Every database connection is set up the way the write paths expect (hall/db.py):
SQLite in WAL with a busy timeout, foreign keys on and synchronous as configured, on every
connection of the pool and from every thread; PostgreSQL at READ COMMITTED whatever the
server's default, REPEATABLE READ inside ``consistent_read``."""
from __future__ import annotations

import shutil
import threading

import pytest
import sqlalchemy as sa

from conftest import make_config
from hall.db import configure_engine, consistent_read
from hall.web import create_app, shutdown
from hall.web.extensions import db

SYNCHRONOUS = {"NORMAL": 1, "FULL": 2}


def _pragmas(connection) -> dict:
    return {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")}


def _sqlite_app(sqlite_template, tmp_path, **overrides):
    path = tmp_path / "hall.db"
    shutil.copy(sqlite_template, path)
    return create_app(make_config(f"sqlite:///{path}", **overrides))


@pytest.mark.parametrize("synchronous", ["NORMAL", "FULL"])
def test_every_sqlite_connection_has_the_pragmas(sqlite_template, tmp_path, synchronous):
    app = _sqlite_app(sqlite_template, tmp_path, SQLITE_SYNCHRONOUS=synchronous)
    expected = {"journal_mode": "wal", "busy_timeout": 30_000, "foreign_keys": 1,
                "synchronous": SYNCHRONOUS[synchronous]}
    seen, errors = [], []

    def in_thread():
        try:
            with app.app_context(), db.engine.connect() as connection:
                seen.append(_pragmas(connection))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    try:
        with app.app_context():
            # Several connections open at once: each is a new one from the pool.
            with db.engine.connect() as a, db.engine.connect() as b:
                seen.extend([_pragmas(a), _pragmas(b)])
            # The session's own connection, as a request uses it.
            seen.append(_pragmas(db.session.connection()))
            db.session.remove()
        threads = [threading.Thread(target=in_thread) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
    finally:
        shutdown(app)
        with app.app_context():
            db.engine.dispose()
    assert not errors
    assert len(seen) == 7 and all(s == expected for s in seen), seen


def test_foreign_keys_are_enforced(app):
    with app.app_context():
        with pytest.raises(sa.exc.IntegrityError):
            with db.engine.begin() as connection:
                # A window of a hall that does not exist.
                connection.exec_driver_sql(
                    "INSERT INTO windows (hall_id, no, state) VALUES (999999, 1, 'closed')")
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []


def test_an_unknown_synchronous_setting_is_refused():
    engine = sa.create_engine("sqlite://")
    with pytest.raises(ValueError, match="NORMAL or FULL"):
        configure_engine(engine, synchronous="OFF")
    engine.dispose()


def test_postgresql_runs_read_committed_even_on_a_serializable_server(pg_database):
    # The server's default for this app's connections is SERIALIZABLE: the app must not care.
    url = pg_database + "%20-cdefault_transaction_isolation%3Dserializable"
    app = create_app(make_config(url))

    def level(session) -> str:
        return session.execute(sa.text("SHOW transaction_isolation")).scalar()

    plain = sa.create_engine(url)  # what the server does unasked
    with plain.connect() as connection:
        assert connection.exec_driver_sql("SHOW transaction_isolation").scalar() == \
            "serializable"
    plain.dispose()
    try:
        with app.app_context():
            assert level(db.session) == "read committed"
            db.session.commit()
            with consistent_read(db.session):
                assert level(db.session) == "repeatable read"
            # Back to READ COMMITTED after the snapshot, on the same pooled connection.
            assert level(db.session) == "read committed"
            db.session.remove()
            with db.engine.connect() as again:
                assert again.exec_driver_sql("SHOW transaction_isolation").scalar() == \
                    "read committed"
    finally:
        shutdown(app)
        with app.app_context():
            db.engine.dispose()
