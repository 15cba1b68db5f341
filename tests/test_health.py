"""Liveness and readiness: /healthz answers without I/O, /readyz checks the database and
(when configured) Redis, and names what failed."""
from __future__ import annotations

from conftest import make_config
from hall.web import create_app, shutdown


def test_healthz_says_the_process_is_alive(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_checks_the_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_503_and_names_the_database_when_it_is_gone(tmp_path):
    app = create_app(make_config(f"sqlite:///{tmp_path}/missing-dir/hall.db"))
    try:
        response = app.test_client().get("/readyz")
        assert response.status_code == 503
        body = response.get_json()
        assert body["status"] == "unavailable" and body["failed"] == ["database"]
        assert body["checks"]["database"].startswith("error: ")
    finally:
        shutdown(app)


def test_readyz_checks_redis_when_there_is_one(sqlite_template, tmp_path, redis_url):
    app = create_app(make_config(f"sqlite:///{sqlite_template}", REDIS_URL=redis_url,
                                 RATELIMIT_STORAGE_URI="memory://"))
    try:
        response = app.test_client().get("/readyz")
        assert response.status_code == 200
        assert response.get_json()["checks"] == {"database": "ok", "redis": "ok"}
    finally:
        shutdown(app)


def test_readyz_is_503_when_redis_does_not_answer(app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failed"] == ["redis"] and body["checks"]["database"] == "ok"


def test_probes_need_no_sign_in_and_are_not_rate_limited(client):
    for _ in range(200):
        assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
