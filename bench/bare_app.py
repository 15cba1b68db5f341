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
import sys
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


@app.get("/bare")
def bare_page():
    """The least a public page can be (the baseline of ``bench/track.py``): a small HTML
    body no database, no template."""
    return f"<!doctype html><title>bare</title><p>{next(_counter)}</p>"


if __name__ == "__main__":
    serve("bare_app:app")
