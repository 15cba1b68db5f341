"""Request ids and JSON log lines (LOG_FORMAT=json)."""
from __future__ import annotations

import json
import logging

import pytest

from conftest import make_config
from hall.web import create_app, shutdown
from hall.web.logs import JsonFormatter


class Lines(logging.Handler):
    """Keeps every formatted line, as a log collector would read them."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record):
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def json_app(sqlite_template, tmp_path):
    import shutil

    path = tmp_path / "hall.db"
    shutil.copy(sqlite_template, path)
    app = create_app(make_config(f"sqlite:///{path}", LOG_FORMAT="json", ACCESS_LOG=True))

    @app.get("/test-logs")
    def says_something():
        logging.getLogger("hall.somewhere").warning("中文 too, %s", "inside")
        return "ok"

    lines = Lines()
    root = logging.getLogger()
    root.addHandler(lines)
    level = root.level
    root.setLevel(logging.INFO)
    yield app, lines.lines
    root.removeHandler(lines)
    root.setLevel(level)
    shutdown(app)


def test_a_sane_request_id_is_kept_and_sent_back(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-42.a:b_c"})
    assert response.headers["X-Request-ID"] == "lb-42.a:b_c"


@pytest.mark.parametrize("given", ["", "x" * 129, "a b", "<script>", "ä"])
def test_an_insane_request_id_is_replaced(client, given):
    response = client.get("/healthz", headers={"X-Request-ID": given})
    rid = response.headers["X-Request-ID"]
    assert rid != given and len(rid) == 32 and int(rid, 16) >= 0


def test_every_request_gets_its_own_id(client):
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5


def test_json_lines_carry_the_request_id_on_every_line_of_the_request(json_app):
    app, lines = json_app
    response = app.test_client().get("/test-logs?x=1", headers={"X-Request-ID": "req-1"})
    assert response.status_code == 200
    mine = [line for line in lines if line["request_id"] == "req-1"]
    said = next(line for line in mine if line["logger"] == "hall.somewhere")
    assert said["message"] == "中文 too, inside" and said["level"] == "WARNING"
    access = next(line for line in mine if line["logger"] == "hall.access")
    assert access["method"] == "GET" and access["path"] == "/test-logs"
    assert access["status"] == 200 and access["duration_ms"] >= 0
    assert {"ts", "pid"} <= access.keys()


def test_lines_outside_a_request_have_no_id(json_app):
    _app, lines = json_app
    logging.getLogger("hall.somewhere").warning("no request here")
    assert lines[-1]["request_id"] is None and lines[-1]["message"] == "no request here"


def test_text_logs_write_no_access_line_of_their_own(app, caplog):
    with caplog.at_level(logging.INFO, logger="hall.access"):
        app.test_client().get("/healthz")
    assert not [r for r in caplog.records if r.name == "hall.access"]
