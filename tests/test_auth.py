"""Who may do what: sign-in pages, roles, CSRF, and the API's bearer tokens."""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from hall import clock
from hall.models import ApiToken, Event, Staff
from hall.web.extensions import db


def csrf_token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def sign_in(client, username: str, password: str = "demo", next_path: str | None = None):
    token = csrf_token(client)
    path = "/login" + (f"?next={next_path}" if next_path else "")
    return client.post(path, data={"csrf_token": token, "username": username,
                                   "password": password})


def token_for(client, username: str, password: str = "demo") -> str:
    r = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def events(app, kind: str) -> list[Event]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Event).where(Event.kind == kind)))


# -- pages -----------------------------------------------------------------------------------

def test_staff_pages_send_strangers_to_sign_in(client):
    for path in ("/hall/HQ/windows", "/hall/HQ/windows/3", "/hall/"):
        r = client.get(path)
        assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=")


def test_a_clerk_signs_in_and_lands_on_the_windows_of_their_hall(client, app):
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page
    r = sign_in(client, "clerk03")
    assert (r.status_code, r.headers["Location"]) == (302, "/hall/HQ/windows/3")
    assert "3 号窗口" in client.get("/hall/HQ/windows").get_data(as_text=True)
    assert [e.actor for e in events(app, "staff.signed_in")] == ["clerk03"]


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client):
    for username in ("clerk03", "nobody"):
        r = sign_in(client, username, "not-the-password")
        assert r.status_code == 401
        assert "用户名或密码不正确" in r.get_data(as_text=True)
    assert client.get("/hall/HQ/windows").status_code == 302


def test_after_sign_in_only_local_pages_are_followed(client):
    assert sign_in(client, "clerk03", next_path="/hall/HQ/windows/3").headers["Location"] == \
        "/hall/HQ/windows/3"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/hall/HQ/windows")})
    for evil in ("https://evil.example/x", "//evil.example/x"):
        assert sign_in(client, "clerk03", next_path=evil).headers["Location"] == "/hall/HQ/windows/3"
        client.post("/logout", data={"csrf_token": csrf_token(client, "/hall/HQ/windows")})


def test_forms_need_their_csrf_token(client, app):
    r = client.post("/login", data={"username": "clerk03", "password": "demo"})
    assert r.status_code == 400 and events(app, "staff.signed_in") == []
    sign_in(client, "clerk03")
    r = client.post("/hall/HQ/windows/3/open")
    assert r.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.text("select state from windows where no = 3 and hall_id = 1")) == "closed"


def test_repeated_failed_sign_ins_are_slowed_down(client):
    # Ten names, one address: the address's budget (each account's own waits start later).
    statuses = [sign_in(client, f"clerk{n:02d}", "guess").status_code for n in range(1, 12)]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429


def test_sign_out_ends_the_session(client):
    sign_in(client, "clerk03")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/hall/HQ/windows")})
    assert client.get("/hall/HQ/windows").status_code == 302


def test_staff_see_their_own_hall_and_the_provincial_manager_sees_all(client):
    sign_in(client, "hrb-clerk01")
    assert client.get("/hall/HQ/windows").status_code == 403
    assert client.get("/hall/HRB/windows").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/hall/HRB/windows")})
    sign_in(client, "manager")
    assert client.get("/hall/HRB/windows").status_code == 200
    assert client.get("/hall/HQ/windows/3").status_code == 200


def test_only_clerks_make_moves_and_only_at_their_own_window(client, app):
    sign_in(client, "manager")
    token = csrf_token(client, "/hall/HQ/windows/3")
    assert client.post("/hall/HQ/windows/3/open", data={"csrf_token": token}).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    sign_in(client, "clerk03")
    token = csrf_token(client, "/hall/HQ/windows/3")
    client.post("/hall/HQ/windows/3/open", data={"csrf_token": token})
    r = client.post("/hall/HQ/windows/4/call", data={"csrf_token": token},
                    headers={"Accept": "application/json"})
    assert (r.status_code, r.get_json()["code"]) == (409, "window-not-open")


# -- API tokens ----------------------------------------------------------------------------

def test_a_token_is_given_for_good_credentials_only(client, app):
    r = client.post("/api/v1/auth/token", json={"username": "clerk03", "password": "nope"})
    assert (r.status_code, r.get_json()["code"]) == (401, "wrong-credentials")
    r = client.post("/api/v1/auth/token", json={"username": "clerk03", "password": "demo",
                                                "label": "window 3 pad"})
    body = r.get_json()
    assert r.status_code == 200 and body["token_type"] == "Bearer"
    assert (body["username"], body["hall"], body["roles"]) == ("clerk03", "HQ", ["clerk"])
    with app.app_context():
        stored = db.session.scalars(sa.select(ApiToken.token_hash)).all()
    assert body["token"] not in stored and len(stored) == 1  # only a hash is kept
    assert [e.data["label"] for e in events(app, "staff.token_issued")] == ["window 3 pad"]


def test_the_api_takes_bearer_tokens_and_nothing_else(client):
    assert client.post("/api/v1/halls/HQ/windows/3/open").status_code == 401
    sign_in(client, "clerk03")  # a signed-in browser: its cookie must not count
    r = client.post("/api/v1/halls/HQ/windows/3/open")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    r = client.post("/api/v1/halls/HQ/windows/3/open",
                    headers={"Authorization": "Bearer not-a-real-token"})
    assert r.status_code == 401


def test_tokens_expire_and_can_be_revoked(client, app):
    token = token_for(client, "clerk03")
    assert client.get("/api/v1/auth/token", headers=bearer(token)).status_code == 200
    assert client.delete("/api/v1/auth/token", headers=bearer(token)).status_code == 204
    assert client.get("/api/v1/auth/token", headers=bearer(token)).status_code == 401
    assert len(events(app, "staff.token_revoked")) == 1

    later = token_for(client, "clerk03")
    with clock.frozen(clock.now() + timedelta(hours=13)):
        assert client.get("/api/v1/auth/token", headers=bearer(later)).status_code == 401


def test_a_deactivated_person_loses_their_tokens_and_session(client, app):
    token = token_for(client, "clerk03")
    sign_in(client, "clerk03")
    with app.app_context():
        db.session.execute(sa.update(Staff).where(Staff.username == "clerk03").values(active=False))
        db.session.commit()
    assert client.get("/api/v1/auth/token", headers=bearer(token)).status_code == 401
    assert client.get("/hall/HQ/windows").status_code == 302


def test_token_requests_are_rate_limited_too(client):
    statuses = [client.post("/api/v1/auth/token",
                            json={"username": f"clerk{n:02d}", "password": "x"}).status_code
                for n in range(1, 12)]
    assert statuses[-1] == 429
    assert client.post("/api/v1/auth/token",
                       json={"username": "clerk03", "password": "x"}).mimetype == "application/problem+json"
