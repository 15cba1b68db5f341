"""The baseline for ``bench/tickets.py`` (and, with ``GET /bare``, for ``bench/track.py``): the
least an endpoint can do on our stack.

One POST endpoint that parses a small JSON body and answers a small JSON body with 201, served
exactly as ``run.py`` serves the hall (Flask-SocketIO in threading mode on Werkzeug), with no
database, no extensions and no access log. Whatever the hall's ticket endpoint costs beyond
this is the hall's own work; what this costs is the server stack's.

Run: ``PORT=5001 .venv/bin/python bench/bare_app.py`` (the benchmark starts it by itself).
"""
from __future__ import annotations

import itertools
import logging
import os

from flask import Flask, jsonify, request
from flask_socketio import SocketIO

app = Flask(__name__)
socketio = SocketIO(app, async_mode="threading")
_counter = itertools.count(1)  # next() on a count is atomic under the GIL


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
    return "<!doctype html><title>bare</title><p>%d</p>" % next(_counter)


if __name__ == "__main__":
    # Same as run.py with ACCESS_LOG=0: Werkzeug logs warnings only.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    socketio.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "5001")),
                 allow_unsafe_werkzeug=True, log_output=False)
