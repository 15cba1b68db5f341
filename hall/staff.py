"""Staff accounts: passwords, sign-in, API tokens, and the roles that decide what each person
may do. Every sign-in and every token issued or revoked is an audited event."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from . import clock
from .db import operation
from .events import Actor, record
from .models import ApiToken, Role, Staff, StaffRole


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def check_password(staff: Staff, password: str) -> bool:
    return bool(staff.active and staff.password_hash and
                check_password_hash(staff.password_hash, password))


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(session: Session, username: str, password: str) -> Staff | None:
    """The active member of staff with these credentials, or None.

    An unknown name costs the same hashing time as a wrong password, so that the answer's
    timing does not tell a guesser which names exist."""
    staff = session.scalar(select(Staff).where(Staff.username == (username or "").strip()))
    if staff is None or not staff.active:
        check_password_hash(_decoy_hash(), password or "")
        return None
    return staff if check_password(staff, password or "") else None


def new_staff(*, hall, username: str, name: str, password_hash: str,
              roles: set[Role] | set[str], division=None) -> Staff:
    return Staff(hall=hall, username=username, name=name, password_hash=password_hash,
                 division=division, active=True,
                 role_rows=[StaffRole(role=Role(r).value) for r in sorted(roles)])


@operation
def record_sign_in(session: Session, staff: Staff, *, via: str) -> None:
    """Audit a successful sign-in (``via``: the page, or an API token request)."""
    record(session, staff.hall, "staff.signed_in", actor=Actor.of(staff), via=via)


# -- API tokens ------------------------------------------------------------------------------

def token_hash(token: str) -> str:
    """Tokens are long random strings: a plain SHA-256 is enough to keep them unusable if
    the database is read."""
    return hashlib.sha256(token.encode()).hexdigest()


@operation
def issue_token(session: Session, staff: Staff, *, hours: float,
                label: str | None = None) -> tuple[str, ApiToken]:
    """A new bearer token for ``staff``, valid for ``hours``; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    row = ApiToken(staff=staff, token_hash=token_hash(token), created_at=now,
                   expires_at=now + timedelta(hours=hours), label=(label or "")[:80] or None)
    session.add(row)
    session.flush()
    record(session, staff.hall, "staff.token_issued", actor=Actor.of(staff), token=row.id,
           label=row.label, expires_at=row.expires_at.isoformat())
    return token, row


def token_owner(session: Session, token: str) -> tuple[Staff, ApiToken] | None:
    """Who a presented token belongs to, if it is known, unexpired, unrevoked and its
    owner still active."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= clock.now():
        return None
    staff = row.staff
    return (staff, row) if staff.active else None


@operation
def revoke_token(session: Session, token: ApiToken, *, actor: Actor) -> None:
    """End a token now; a revoked token is refused from then on."""
    token = session.merge(token)
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        record(session, token.staff.hall, "staff.token_revoked", actor=actor, token=token.id)


# -- ending sessions and slowing guessers (issue 11) -------------------------------------------

@operation
def sign_out(session: Session, staff: Staff, *, reason: str = "signed_out") -> None:
    """End every browser session of ``staff`` (the version each one carries no longer
    matches); audited. API tokens are ended separately (revoke_token)."""
    staff = session.merge(staff)
    staff.session_version += 1
    record(session, staff.hall, "staff.signed_out", actor=Actor.of(staff), reason=reason)


@operation
def record_sign_in_delayed(session: Session, staff: Staff, *, via: str, failures: int,
                           wait_seconds: int) -> None:
    """Audit that wrong passwords for ``staff`` now make each further try wait."""
    record(session, staff.hall, "staff.sign_in_delayed", actor=Actor("sign-in"), via=via,
           username=staff.username, failures=failures, wait_seconds=wait_seconds)


def find_staff(session: Session, username: str) -> Staff | None:
    return session.scalar(select(Staff).where(Staff.username == (username or "").strip()))
