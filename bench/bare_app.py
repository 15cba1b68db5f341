"""The baseline for ``bench/tickets.py`` (and, with ``GET /bare``, for ``bench/track.py``): the
least an endpoint can do on our stack.

One POST endpoint that parses a small JSON body and answers a small JSON body with 201, served
exactly as ``run.py`` serves the hall (gunicorn, one gevent worker, Flask-SocketIO in gevent
mode; bench/gunicorn_bare.conf.py), with no database, no extensions and no access log.
Whatever the hall's ticket endpoint costs beyond this is the hall's own work; what this
costs is the server stack's. Two more POSTs measure the write apart from the hall's Python:
``/bare-write`` commits one row, ``/bare-ticket`` runs a kiosk ticket's own statements by hand
on a copy of the hall's database.

Run: ``PORT=5001 .venv/bin/python bench/bare_app.py`` (the benchmark starts it by itself).
"""
from __future__ import annotations

import itertools
import json
import os
import secrets
import sqlite3
import sys
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, jsonify, request
from flask_socketio import SocketIO


def _mode() -> str:
    from gevent import monkey

    return "gevent" if monkey.is_module_patched("socket") else "threading"


app = Flask(__name__)
socketio = SocketIO(app, async_mode=_mode())
_counter = itertools.count(1)
HERE = Path(__file__).resolve().parent


def serve(target: str) -> None:
    """gunicorn with bench/gunicorn_bare.conf.py (PORT from the environment)."""
    from gunicorn.app.wsgiapp import run

    sys.argv = [sys.argv[0], "-c", str(HERE / "gunicorn_bare.conf.py"), "--chdir", str(HERE),
                target]
    run()  # next() on a count is atomic under the GIL


@app.post("/bare-upload")
def bare_upload():
    """Parse a multipart body (bench/online.py's applications) and say the files' sizes."""
    sizes = {name: len(upload.read()) for name, upload in request.files.items()}
    response = jsonify({"files": sizes, "number": next(_counter)})
    response.status_code = 201
    return response


@app.post("/bare")
def bare():
    """Echo the fields a ticket request carries, with a number, as a small JSON body."""
    body = request.get_json()
    response = jsonify({"hall": body.get("hall"), "service": body.get("service"),
                        "number": next(_counter)})
    response.status_code = 201
    return response


_written = threading.local()
_write_lock = threading.Lock()  # one writer at a time in the process, as the hall's SQLite


def _database() -> sqlite3.Connection:
    """This greenlet's connection to the baseline's own SQLite file (BARE_DATABASE), set up
    as the hall sets up its own: WAL, synchronous NORMAL, transactions begun by hand."""
    connection = getattr(_written, "connection", None)
    if connection is None:
        path = os.environ.get("BARE_DATABASE") or os.path.join(tempfile.gettempdir(),
                                                               f"bare-{os.getpid()}.db")
        connection = _written.connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, "
                           "hall TEXT, service TEXT)")
    return connection


@app.post("/bare-write")
def bare_write():
    """The bare POST plus one row committed to SQLite: the least an endpoint that must keep
    what it answers can do on our stack (the second baseline of ``bench/tickets.py``)."""
    body = request.get_json()
    connection = _database()
    with _write_lock:
        connection.execute("BEGIN IMMEDIATE")
        number = connection.execute("INSERT INTO rows (hall, service) VALUES (?, ?) "
                                    "RETURNING id", (body.get("hall"), body.get("service"))
                                    ).fetchone()[0]
        connection.execute("COMMIT")
    response = jsonify({"hall": body.get("hall"), "service": body.get("service"),
                        "number": number})
    response.status_code = 201
    return response


# The statements of a kiosk ticket (hall/issuing.py, as SQLAlchemy sends them to SQLite), for
# the third baseline: the hall's own SQL on the bare stack, with no ORM, no hooks, no checks.
_LOOKUP = (
    "SELECT halls.node_no, service_items.id, service_items.prefix, service_items.name_zh, "
    "service_items.name_en, service_items.standard_minutes, service_items.active, "
    "EXISTS (SELECT * FROM window_services WHERE window_services.service_id = service_items.id), "
    "(SELECT count(*) FROM tickets WHERE tickets.hall_id = ? AND tickets.day = ? "
    " AND tickets.service_id = service_items.id AND tickets.status = 'waiting'), "
    "(SELECT count(*) FROM windows JOIN window_services ON window_services.window_id = windows.id "
    " WHERE window_services.service_id = service_items.id AND windows.state = 'open') "
    "FROM service_items JOIN halls ON halls.id = service_items.hall_id "
    "WHERE halls.id = ? AND service_items.code = ?")
_NEXT = ("INSERT INTO daily_counters (hall_id, day, name, value) VALUES (?, ?, ?, 1) "
         "ON CONFLICT (hall_id, day, name) DO UPDATE SET value = daily_counters.value + 1 "
         "RETURNING value")
_TICKET = ("INSERT INTO tickets (hall_id, day, prefix, seq, number, service_no, access_code, "
           "service_id, status, is_priority, priority_reason, queued_at, issued_at, call_count, "
           "source, request_key, device_id, appointment_at, away) VALUES "
           "(?, ?, ?, ?, ?, ?, ?, ?, 'waiting', 0, NULL, ?, ?, 0, 'api', NULL, NULL, NULL, 0) "
           "RETURNING id")
_FLOOR = "UPDATE halls SET floor_seq = floor_seq + 1 WHERE id = ? RETURNING floor_seq"
_EVENT = ("INSERT INTO events (hall_id, at, kind, ticket_id, case_id, window_id, enquiry_id, "
          "actor_id, actor, data, seq) VALUES (?, ?, 'ticket.issued', ?, NULL, NULL, NULL, NULL, "
          "'kiosk', ?, ?) RETURNING id")
_CODE_LETTERS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_halls: dict[str, int] = {}


def _hall_database() -> sqlite3.Connection:
    """This greenlet's connection to a copy of the hall's migrated demo database
    (BARE_HALL_DATABASE, made by bench/tickets.py), set up as the hall's."""
    connection = getattr(_written, "hall", None)
    if connection is None:
        connection = _written.hall = sqlite3.connect(os.environ["BARE_HALL_DATABASE"],
                                                     isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
    return connection


@app.post("/bare-ticket")
def bare_ticket():
    """The bare POST plus a kiosk ticket's own statements, by hand: the service looked up
    with the visitors ahead, the two daily counters, the ticket, the hall's floor sequence and
    the event, one transaction, one writer at a time. What the hall spends beyond this is
    its Python (Flask's hooks, the ORM session, the checks), not its SQL."""
    body = request.get_json()
    connection = _hall_database()
    hall = _halls.get(body.get("hall"))
    if hall is None:
        hall = _halls[body["hall"]] = connection.execute(
            "SELECT id FROM halls WHERE code = ?", (body["hall"],)).fetchone()[0]
    now = datetime.now(UTC).replace(tzinfo=None)
    day = (os.environ.get("HALL_CLOCK") or now.isoformat())[:10]
    with _write_lock:
        connection.execute("BEGIN IMMEDIATE")
        try:
            node, service, prefix, name_zh, name_en, minutes, active, offered, ahead, _open = (
                connection.execute(_LOOKUP, (hall, day, hall, body["service"])).fetchone())
            seq = connection.execute(_NEXT, (hall, day, prefix)).fetchone()[0]
            serial = connection.execute(_NEXT, (hall, day, "service_no")).fetchone()[0]
            number = f"{prefix}{seq:03d}"
            service_no = f"{day[2:4]}{day[5:7]}{day[8:10]}{node:03d}{serial:05d}0"
            code = "".join(secrets.choice(_CODE_LETTERS) for _ in range(8))
            ticket = connection.execute(_TICKET, (hall, day, prefix, seq, number, service_no,
                                                  code, service, now, now)).fetchone()[0]
            floor_seq = connection.execute(_FLOOR, (hall,)).fetchone()[0]
            data = json.dumps({"number": number, "service": body["service"], "priority": None,
                               "source": "api", "address": request.remote_addr})
            connection.execute(_EVENT, (hall, now, ticket, data, floor_seq)).fetchone()
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    response = jsonify({"number": number, "service_no": service_no, "access_code": code,
                        "hall": body["hall"], "service": {"code": body["service"],
                                                          "name": name_zh, "name_en": name_en},
                        "issued_at": now.isoformat(), "ahead": ahead})
    response.status_code = 201
    return response


@app.get("/bare")
def bare_page():
    """The least a public page can be (the baseline of ``bench/track.py``): a small HTML
    body no database, no template."""
    return f"<!doctype html><title>bare</title><p>{next(_counter)}</p>"


if __name__ == "__main__":
    serve("bare_app:app")
