"""The baseline for ``bench/tickets.py`` (and, with ``GET /bare``, for ``bench/track.py``): the
least an endpoint can do on our stack.

One POST endpoint that parses a small JSON body and answers a small JSON body with 201, served
exactly as ``run.py`` serves the hall (gunicorn, one gevent worker, Flask-SocketIO in gevent
mode; bench/gunicorn_bare.conf.py), with no database, no extensions and no access log.
Whatever the hall's ticket endpoint costs beyond this is the hall's own work; what this
costs is the server stack's.

Run: ``PORT=5001 .venv/bin/python bench/bare_app.py`` (the benchmark starts it by itself).
"""
from __future__ import annotations

import itertools
import os
import sqlite3
import sys
import tempfile
import threading
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


@app.get("/bare")
def bare_page():
    """The least a public page can be (the baseline of ``bench/track.py``): a small HTML
    body no database, no template."""
    return f"<!doctype html><title>bare</title><p>{next(_counter)}</p>"


if __name__ == "__main__":
    serve("bare_app:app")
