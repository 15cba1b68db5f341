"""Staff tokens for devices and scripts: POST to get one, DELETE to end it."""
from __future__ import annotations

from flask import g, jsonify
from flask_babel import gettext as _
from pydantic import BaseModel, Field

from hall import staff as accounts
from hall.events import Actor

from .. import sign_in_guard
from ..auth import api_staff, token_hours, waiting_text
from ..extensions import db
from ..problems import problem
from .common import bp, parse_body


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=40)
    password: str = Field(min_length=1, max_length=200)
    label: str | None = Field(default=None, max_length=80,
                              description="What the token is for, e.g. 'window 3 console'")


def _who(staff, token) -> dict:
    return {"username": staff.username, "name": staff.name, "hall": staff.hall.code,
            "roles": sorted(staff.roles), "expires_at": token.expires_at.isoformat()}


@bp.post("/auth/token")
@sign_in_guard.limited
def create_token():
    body = parse_body(TokenRequest)
    wait = sign_in_guard.wait_seconds(body.username)
    if wait:
        response = problem(429, "sign-in-delayed", waiting_text(wait), retry_after=wait)
        response.headers["Retry-After"] = str(wait)
        return response
    staff = accounts.authenticate(db.session, body.username, body.password)
    if staff is None:
        sign_in_guard.failed(body.username, via="api")
        return problem(401, "wrong-credentials", _("Wrong username or password."))
    sign_in_guard.succeeded(body.username)
    accounts.record_sign_in(db.session, staff, via="api")
    token, row = accounts.issue_token(db.session, staff, hours=token_hours(), label=body.label)
    response = jsonify({"token": token, "token_type": "Bearer", **_who(staff, row)})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/auth/token")
def token_info():
    """Who the presented token belongs to, and until when it is valid."""
    staff = api_staff()
    return jsonify(_who(staff, g.api_token))


@bp.delete("/auth/token")
def revoke_token():
    """End the presented token now."""
    staff = api_staff()
    accounts.revoke_token(db.session, g.api_token, actor=Actor.of(staff))
    return "", 204
