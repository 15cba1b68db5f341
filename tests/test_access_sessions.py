"""Sessions that end when they should (issue 11.9) and one sign-in throttle for the page and
the API, per address and per account, that nobody can turn into a lock-out (issue 11.16)."""
from __future__ import annotations

import re
import time

import sqlalchemy as sa

from conftest import actor
from hall import admin
from hall.models import Event
from hall.web.extensions import db
from test_auth import csrf_token, sign_in


def replay(app, cookie: str):
    """A second browser carrying a copy of the first one's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def signed_in_cookie(client, username: str = "clerk03") -> str:
    sign_in(client, username)
    assert client.get("/hall/HQ/windows").status_code == 200
    return client.get_cookie("session").value


def test_a_copied_cookie_dies_with_the_sign_out(client, app):
    cookie = signed_in_cookie(client)
    assert replay(app, cookie).get("/hall/HQ/windows").status_code == 200  # the copy works...
    client.post("/logout", data={"csrf_token": csrf_token(client, "/hall/HQ/windows")})
    r = replay(app, cookie).get("/hall/HQ/windows")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")  # ...no more
    with app.app_context():
        kinds = db.session.scalars(sa.select(Event.kind).where(Event.actor == "clerk03")).all()
    assert "staff.signed_out" in kinds


def test_a_new_password_ends_every_session(client, app):
    cookie = signed_in_cookie(client)
    with app.app_context():
        admin.reset_password(db.session, "clerk03", password="new-pass-2026",
                             actor=actor(app, "admin"))
    assert replay(app, cookie).get("/hall/HQ/windows").status_code == 302
    assert client.get("/hall/HQ/windows").status_code == 302


def test_reactivating_an_account_does_not_revive_old_cookies(client, app):
    cookie = signed_in_cookie(client)
    with app.app_context():
        admin.set_staff_active(db.session, "clerk03", active=False, actor=actor(app, "admin"))
        admin.set_staff_active(db.session, "clerk03", active=True, actor=actor(app, "admin"))
    assert replay(app, cookie).get("/hall/HQ/windows").status_code == 302
    sign_in(client, "clerk03")  # signing in again works
    assert client.get("/hall/HQ/windows").status_code == 200


def test_a_staff_socket_with_an_ended_session_is_refused(client, app):
    cookie = signed_in_cookie(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/hall/HQ/windows")})
    socketio = app.extensions["socketio"]
    thief = replay(app, cookie)
    sock = socketio.test_client(app, namespace="/staff", flask_test_client=thief)
    assert not sock.is_connected("/staff")


# -- signing in -----------------------------------------------------------------------------------

def api_sign_in(client, username: str, password: str = "wrong", who: dict | None = None):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       environ_base=who or {})


def test_the_page_and_the_api_share_one_budget_per_address(client):
    statuses = [sign_in(client, f"clerk{n:02d}", "guess").status_code for n in range(1, 6)]
    statuses += [api_sign_in(client, f"clerk{n:02d}").status_code for n in range(6, 11)]
    assert statuses == [401] * 10
    assert api_sign_in(client, "clerk11").status_code == 429
    assert sign_in(client, "clerk12", "guess").status_code == 429


def test_an_account_guessed_from_many_addresses_makes_each_try_wait(client, app):
    app.config["SIGN_IN_MAX_DELAY_SECONDS"] = 1
    for n in range(6):  # five free, the sixth starts a wait
        assert api_sign_in(client, "clerk03", who={"REMOTE_ADDR": f"192.0.2.{n + 1}"}) \
            .status_code == 401
    # even the right password waits (a wait must not test guesses), from anywhere
    r = api_sign_in(client, "clerk03", "demo", {"REMOTE_ADDR": "198.51.100.20"})
    assert (r.status_code, r.get_json()["code"]) == (429, "sign-in-delayed")
    assert r.get_json()["retry_after"] == 1 and "Retry-After" in r.headers
    page = sign_in(client, "clerk03")
    assert page.status_code == 429 and "Retry-After" in page.headers
    with app.app_context():
        delayed = db.session.scalars(sa.select(Event).where(
            Event.kind == "staff.sign_in_delayed")).all()
    assert [e.data["username"] for e in delayed] == ["clerk03"]
    time.sleep(1.1)  # the wait is short and does not grow without end: the owner gets in
    assert api_sign_in(client, "clerk03", "demo", {"REMOTE_ADDR": "198.51.100.20"}) \
        .status_code == 200
    # a success clears the count: the next wrong password is free again
    assert api_sign_in(client, "clerk03", who={"REMOTE_ADDR": "192.0.2.99"}).status_code == 401


def test_waits_never_pass_the_ceiling(client, app):
    app.config.update(SIGN_IN_ACCOUNT_FAILURES=1, SIGN_IN_MAX_DELAY_SECONDS=2)
    from hall.web import sign_in_guard

    with app.test_request_context():
        for _ in range(12):
            sign_in_guard.failed("clerk05", via="api")
        assert 1 <= sign_in_guard.wait_seconds("clerk05") <= 2


def test_unknown_names_wait_like_real_ones(client, app):
    app.config["SIGN_IN_ACCOUNT_FAILURES"] = 1
    for name in ("clerk04", "nobody-here"):
        for n in range(4):  # waits of 2, 4, then 8 seconds: long enough for this test
            api_sign_in(client, name, who={"REMOTE_ADDR": f"192.0.2.{n + 1}"})
    a = api_sign_in(client, "clerk04", who={"REMOTE_ADDR": "192.0.2.50"})
    b = api_sign_in(client, "nobody-here", who={"REMOTE_ADDR": "192.0.2.51"})
    assert a.status_code == b.status_code == 429
    same = lambda r: re.sub(r"\d+", "N", r.get_json()["title"])  # noqa: E731  (seconds left)
    assert same(a) == same(b)
