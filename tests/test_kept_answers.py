"""The public reads answered before Flask (hall/web/kept.py, #13.2): the same answer Flask
gives, byte for byte and header for header, never a stale one, never a personal one, never
past the rate limit, and never for a request Flask must see (a signed-in session, a device)."""
from __future__ import annotations

import shutil

import pytest

from conftest import actor, make_config
from hall import queue
from hall.web import create_app, shutdown
from hall.web.extensions import db
from hall.web.kept import KeptAnswers
from test_auth import sign_in

pytestmark = pytest.mark.hall_open  # tickets are taken

OWN = {"Date", "X-Request-ID"}  # the request's own headers


class Flask_:
    """Counts the requests that reach Flask behind the kept answers."""

    def __init__(self, app) -> None:
        front = app.wsgi_app
        while not isinstance(front, KeptAnswers):
            front = front.app
        self.front, self.calls, inner = front, 0, front.wsgi_app

        def counted(environ, start_response):
            self.calls += 1
            return inner(environ, start_response)

        front.wsgi_app = counted


@pytest.fixture
def flask_(app):
    return Flask_(app)


def take(client, service: str = "EXAM") -> dict:
    r = client.post("/api/v1/tickets", json={"hall": "HQ", "service": service})
    assert r.status_code == 201, r.get_data(as_text=True)
    return r.get_json()


def headers(response) -> dict:
    return {k: v for k, v in response.headers.items() if k not in OWN}


def paths(client) -> list[str]:
    mine = take(client)
    return ["/api/v1/halls/HQ/queue", f"/api/v1/track/{mine['service_no']}",
            f"/track/{mine['service_no']}"]


def test_the_kept_answer_is_flasks_answer_to_the_byte(client, flask_):
    for path in paths(client):
        before = flask_.calls
        first, second = client.get(path), client.get(path)
        assert flask_.calls == before + 1, path  # the second never reached Flask
        assert second.status_code == first.status_code == 200
        assert second.get_data() == first.get_data()
        assert headers(second) == headers(first)
        assert second.headers["X-Request-ID"] != first.headers["X-Request-ID"]
        assert second.headers["Date"]


def test_a_kept_304_is_flasks_304(client, flask_):
    for path in paths(client):
        first = client.get(path)
        tag = {"If-None-Match": first.headers["ETag"]}
        flask_.front.kept._kept.clear()
        from_flask = client.get(path, headers=tag)  # a 304 has no body to keep...
        client.get(path)  # ...a 200 has
        before = flask_.calls
        kept = client.get(path, headers=tag)
        assert flask_.calls == before  # answered before Flask
        assert kept.status_code == from_flask.status_code == 304
        assert kept.get_data() == from_flask.get_data() == b""
        assert headers(kept) == headers(from_flask)


def test_a_request_id_given_is_sent_back_by_the_kept_answer_too(client, flask_):
    client.get("/api/v1/halls/HQ/queue")
    before = flask_.calls
    r = client.get("/api/v1/halls/HQ/queue", headers={"X-Request-ID": "lb-7.a"})
    assert flask_.calls == before and r.headers["X-Request-ID"] == "lb-7.a"
    r = client.get("/api/v1/halls/HQ/queue", headers={"X-Request-ID": "<bad>"})
    assert len(r.headers["X-Request-ID"]) == 32


def test_the_read_after_a_move_in_another_process_shows_it(app, client, sqlite_template,
                                                           tmp_path):
    """Read-your-writes: a second app on the same database (another process, as far as
    the kept answers know) moves the floor; the first app's very next read shows it."""
    flask_ = Flask_(app)
    with app.app_context():
        url = str(db.engine.url)
    other = create_app(make_config(url, UPLOAD_ROOT=str(tmp_path / "other")))
    try:
        theirs = other.test_client()
        mine = take(client)
        path = f"/api/v1/track/{mine['service_no']}"
        for read in ("/api/v1/halls/HQ/queue", path, f"/track/{mine['service_no']}"):
            client.get(read), client.get(read)  # kept now
        waiting = client.get("/api/v1/halls/HQ/queue").get_json()["waiting"]
        take(theirs)  # a ticket taken on the other process
        assert client.get("/api/v1/halls/HQ/queue").get_json()["waiting"] == waiting + 1
        with other.app_context():
            clerk = actor(other, "clerk03")
            queue.open_window(db.session, "HQ", 3, actor=clerk)
            called = queue.call_next(db.session, "HQ", 3, actor=clerk)
        assert called.service_no == mine["service_no"]
        before = flask_.calls
        api = client.get(path).get_json()[0]
        page = client.get(f"/track/{mine['service_no']}").get_data(as_text=True)
        assert flask_.calls == before + 2  # both built again, for the new stamp
        assert any(note["kind"] == "ticket.called" for note in api["notes"])
        assert "3 号窗口" in page
    finally:
        shutdown(other)
        with other.app_context():
            db.engine.dispose()


def test_an_access_code_is_never_answered_from_what_is_kept(client, flask_):
    mine = take(client)
    number, code = mine["service_no"], mine["access_code"]
    for path in (f"/api/v1/track/{number}", f"/track/{number}"):
        client.get(path), client.get(path)  # the public answer is kept
    before = flask_.calls
    api = client.get(f"/api/v1/track/{number}", headers={"X-Access-Code": code})
    query = client.get(f"/api/v1/track/{number}?code={code}")
    page = client.get(f"/track/{number}?c={code}")
    assert flask_.calls == before + 3
    assert api.get_json()[0]["verified"] is True and query.get_json()[0]["verified"] is True
    for r in (api, query, page):
        assert r.headers["Cache-Control"] == "no-store" and "ETag" not in r.headers


def test_each_language_is_kept_as_its_own_answer(client, flask_):
    mine = take(client)
    api, page = f"/api/v1/track/{mine['service_no']}", f"/track/{mine['service_no']}"
    english = {"Accept-Language": "en"}
    zh, en = client.get(api), client.get(api, headers=english)
    assert client.get(api).get_data() == zh.get_data()
    assert client.get(api, headers=english).get_data() == en.get_data() != zh.get_data()
    assert client.get(f"{page}?lang=en").get_data() == client.get(f"{page}?lang=en").get_data()
    client.get("/lang/en")  # the visitor's choice, kept in their session
    chosen = client.get(page)  # Flask-Login marks the session "_fresh": a cookie, not kept
    assert '<html lang="en"' in chosen.get_data(as_text=True)
    before = flask_.calls
    again, third = client.get(page), client.get(page)
    assert flask_.calls == before + 1  # a plain visitor's session is read here too
    assert again.get_data() == third.get_data() == chosen.get_data()
    before = flask_.calls
    assert client.get(f"{page}?lang=fr&x=1").status_code == 200
    assert flask_.calls == before + 1  # a query this layer does not know: Flask's


def test_a_signed_in_session_or_a_device_is_always_flasks(client, flask_):
    path = "/api/v1/halls/HQ/queue"
    client.get(path), client.get(path)  # kept for visitors
    sign_in(client, "clerk03")  # a permanent session, which Flask renews on each request
    before = flask_.calls
    client.get(path), client.get(path)
    assert flask_.calls == before + 2
    device = client.application.test_client()
    device.set_cookie("hall_device", "whatever")  # a device's: Flask renews or drops it
    before = flask_.calls
    device.get(path), device.get(path)
    assert flask_.calls == before + 2


def test_the_limit_is_one_budget_before_and_inside_flask(sqlite_template, tmp_path):
    path = tmp_path / "hall.db"
    shutil.copy(sqlite_template, path)
    app = create_app(make_config(f"sqlite:///{path}", TRACK_RATE_LIMIT="4 per minute",
                                 UPLOAD_ROOT=str(tmp_path / "u")))
    try:
        client = app.test_client()
        with app.app_context():
            from hall import issuing

            number = issuing.issue_ticket(db.session, "HQ", "EXAM").service_no
        answers = [client.get(f"/api/v1/track/{number}").status_code for _ in range(4)]
        assert answers == [200, 200, 200, 200]  # one through Flask, three kept: four in all
        refused = client.get(f"/track/{number}")  # the page shares the budget
        assert refused.status_code == 429 and refused.headers["Retry-After"]
    finally:
        shutdown(app)
        with app.app_context():
            db.engine.dispose()


def test_a_kept_answer_writes_its_access_line(sqlite_template, tmp_path, caplog):
    import logging

    path = tmp_path / "hall.db"
    shutil.copy(sqlite_template, path)
    app = create_app(make_config(f"sqlite:///{path}", LOG_FORMAT="json", ACCESS_LOG=True,
                                 UPLOAD_ROOT=str(tmp_path / "u")))
    try:
        client = app.test_client()
        client.get("/api/v1/halls/HQ/queue")
        with caplog.at_level(logging.INFO, logger="hall.access"):
            client.get("/api/v1/halls/HQ/queue", headers={"X-Request-ID": "kept-1"})
        line = next(r for r in caplog.records if r.name == "hall.access")
        assert line.request_id == "kept-1" and line.status == 200
        assert line.path == "/api/v1/halls/HQ/queue" and line.method == "GET"
    finally:
        shutdown(app)
        with app.app_context():
            db.engine.dispose()


def test_kept_answers_on_sqlite_and_postgresql_show_the_next_move(any_app):
    """The stamp is read through the driver itself (hall.driver.first_row): the same on both
    databases, and the read after a call shows the call."""
    flask_, client = Flask_(any_app), any_app.test_client()
    mine = take(client)
    path = f"/api/v1/track/{mine['service_no']}"
    first = client.get(path)
    before = flask_.calls
    assert client.get(path).get_data() == first.get_data() and flask_.calls == before
    with any_app.app_context():
        clerk = actor(any_app, "clerk03")
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        queue.call_next(db.session, "HQ", 3, actor=clerk)
    called = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert called.status_code == 200 and called.get_json()[0]["number"] == mine["number"]
    assert any(n["kind"] == "ticket.called" for n in called.get_json()[0]["notes"])
