"""Liveness and readiness for a process manager or a load balancer.

``/healthz`` says the process answers (no I/O: a slow database must not get a live process
restarted), and, when HALL_CLOCK is set, the hall's clock: where it started and where it is
now, so that nobody mistakes a demo's or a training room's time for the real one;
``/readyz`` says it can serve: the database answers ``SELECT 1`` and, when
``REDIS_URL`` is set, Redis answers ``PING``. Neither needs a sign-in, neither is
rate-limited, neither is cached; a failed check is named, its error only by kind (the
answer is public).
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from hall import clock

from .extensions import db, limiter

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)

CHECK_TIMEOUT = 2.0  # seconds a check may take; a balancer probes again soon anyway


@bp.get("/healthz")
def healthz():
    body: dict = {"status": "ok"}
    if current_app.config.get("HALL_CLOCK"):
        started = clock.started_at()
        body["hall_clock"] = {"started_at": started.isoformat() if started else None,
                              "now": clock.now().astimezone(started.tzinfo if started else None)
                              .isoformat(timespec="seconds")}
    return _answer(body, 200)


@bp.get("/readyz")
def readyz():
    checks = {"database": _check_database()}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _check_redis()
    ready = all(result == "ok" for result in checks.values())
    failed = [name for name, result in checks.items() if result != "ok"]
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    if failed:
        body["failed"] = failed
    return _answer(body, 200 if ready else 503)


def _answer(body: dict, status: int):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _check_database() -> str:
    try:
        with db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return "ok"
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        log.warning("readiness: the database failed: %s", error)
        return f"error: {type(error).__name__}"


def _check_redis() -> str:
    try:
        _redis_client().ping()
        return "ok"
    except Exception as error:  # noqa: BLE001
        log.warning("readiness: Redis failed: %s", error)
        return f"error: {type(error).__name__}"


def _redis_client():
    """One client per app (its own small pool), with short timeouts: a probe must not hang."""
    client = current_app.extensions.get("health_redis")
    if client is None:
        import redis

        client = redis.Redis.from_url(current_app.config["REDIS_URL"],
                                      socket_connect_timeout=CHECK_TIMEOUT,
                                      socket_timeout=CHECK_TIMEOUT)
        current_app.extensions["health_redis"] = client
    return client


def register(app) -> None:
    app.register_blueprint(bp)
    limiter.exempt(bp)
