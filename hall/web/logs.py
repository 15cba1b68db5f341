"""Request ids, and log lines as JSON (LOG_FORMAT=json) for a log collector.

Every request gets an id: the caller's ``X-Request-ID`` when it is sane (1–128 characters of
letters, digits and ``-_.:``; a proxy usually sets one), else a new one. It is sent back on
the response's ``X-Request-ID`` and set on every log record made while the request is
served (``record.request_id``), whichever logger made it. With LOG_FORMAT=json every line
is one JSON object (time, level, logger, message, request_id, and for the access line
method, path, status, duration_ms); with the default ``text`` the lines stay as they were.
"""
from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

ACCESS = logging.getLogger("hall.access")
HEADER = "X-Request-ID"
SANE_REQUEST_ID = _SANE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# The id of a request answered before Flask (hall.web.kept), for the records made meanwhile.
_outside_flask: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "hall_request_id", default=None)
# What the access line adds to a JSON line (passed as ``extra``).
_FIELDS = ("method", "path", "status", "duration_ms", "remote_addr")


def request_id() -> str | None:
    """The current request's id, or None outside a request."""
    if has_request_context():
        return g.get("request_id")
    return _outside_flask.get()


class JsonFormatter(logging.Formatter):
    """One JSON object per line; non-ASCII as is (Chinese messages stay readable)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC)
                          .isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "pid": record.process,
        }
        for field in _FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


_installed = False


def _install_record_factory() -> None:
    """Every record made anywhere in the process gets ``request_id`` (None outside a
    request): a handler's filter would miss records of loggers with handlers of their own."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        try:
            record.request_id = request_id()
        except Exception:  # noqa: BLE001 - logging must never fail for this
            record.request_id = None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def use_json(handlers=None) -> None:
    """JSON lines on ``handlers`` (default: the root logger's)."""
    formatter = JsonFormatter()
    for handler in handlers if handlers is not None else logging.getLogger().handlers:
        handler.setFormatter(formatter)


def register(app: Flask) -> None:
    _install_record_factory()
    json_lines = app.config.get("LOG_FORMAT", "text") == "json"
    if json_lines and not app.config.get("TESTING"):
        use_json()
        # Werkzeug's own access lines are text; the app writes its own (below) instead.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    access = json_lines and app.config.get("ACCESS_LOG", True)
    app.extensions["access_log"] = access  # hall.web.kept writes the same lines

    @app.before_request
    def _start():
        given = request.headers.get(HEADER, "")
        g.request_id = given if _SANE.match(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        rid = g.get("request_id")
        if rid:
            response.headers[HEADER] = rid
        if access and "request_started" in g:
            access_line(request.method, request.path, response.status_code,
                        (time.perf_counter() - g.request_started) * 1000, request.remote_addr)
        return response


def access_line(method: str, path: str, status: int, duration_ms: float,
                remote_addr: str | None, rid: str | None = None) -> None:
    """The access line of one request; ``rid`` for one answered outside Flask."""
    duration = round(duration_ms, 1)
    token = _outside_flask.set(rid) if rid is not None else None
    try:
        ACCESS.info("%s %s %s %.1f ms", method, path, status, duration, extra={
            "method": method, "path": path, "status": status, "duration_ms": duration,
            "remote_addr": remote_addr})
    finally:
        if token is not None:
            _outside_flask.reset(token)
