"""The one throttle in front of signing in, shared by the sign-in page and the API's token
request.

- Failed sign-ins are limited per address (``SIGN_IN_RATE_LIMIT``, page and API together:
  :data:`limited`).
- Per account, from every address together: after ``SIGN_IN_ACCOUNT_FAILURES`` wrong
  passwords within 15 minutes each further one makes the account wait before the next try,
  2, 4, 8… seconds, never more than ``SIGN_IN_MAX_DELAY_SECONDS`` (a minute). A guesser
  spread over many addresses gets about one try a minute; a stranger who types wrong
  passwords on purpose keeps the real person waiting a minute at worst, never locked out.
  The moment the waits begin is audited (``staff.sign_in_delayed``). During a wait no
  password is checked, the right one included, so a wait cannot be used to test guesses.
- Unknown usernames are counted exactly like real ones: a wait says nothing about whether
  an account exists. A successful sign-in clears the account's count.

Counts live in the rate limiter's storage (Redis when ``REDIS_URL`` is set).
"""
from __future__ import annotations

import math
import time

from flask import current_app

from hall import staff as accounts

from .extensions import db, limiter

WINDOW_SECONDS = 15 * 60


def _rate_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


# One budget of failed sign-ins per address for the page and the API together.
limited = limiter.shared_limit(_rate_limit, scope="sign-in", methods=["POST"],
                               deduct_when=lambda response: response.status_code == 401)


def _keys(username: str) -> tuple[str, str]:
    name = (username or "").strip()[:40]
    return f"sign-in-failures/{name}", f"sign-in-wait/{name}"


def wait_seconds(username: str) -> int:
    """Seconds the account must wait before a password may be tried again (0: none)."""
    _failures, wait = _keys(username)
    if limiter.storage.get(wait) <= 0:
        return 0
    return max(1, math.ceil(limiter.storage.get_expiry(wait) - time.time()))


def failed(username: str, *, via: str) -> None:
    """Count a wrong password for ``username``; past the free ones, make it wait."""
    failures_key, wait_key = _keys(username)
    storage = limiter.storage
    failures = storage.incr(failures_key, WINDOW_SECONDS)
    over = failures - current_app.config["SIGN_IN_ACCOUNT_FAILURES"]
    if over <= 0:
        return
    wait = min(2 ** min(over, 16), current_app.config["SIGN_IN_MAX_DELAY_SECONDS"])
    storage.clear(wait_key)
    storage.incr(wait_key, wait)
    if over == 1:
        staff = accounts.find_staff(db.session, username)
        if staff is not None:
            accounts.record_sign_in_delayed(db.session, staff, via=via, failures=failures,
                                            wait_seconds=wait)


def succeeded(username: str) -> None:
    for key in _keys(username):
        limiter.storage.clear(key)
