"""The one guard in front of every check of a ticket's access code: the tracking pages and API,
the ticket PDF, and whatever page or socket takes a code next (call :func:`refused` before
looking anything up, :func:`verify` to compare).

Three counts, all in the rate limiter's storage (Redis when ``REDIS_URL`` is set, so every
server process sees the same numbers; nothing here touches the database):

- every lookup is limited per address (``TRACK_RATE_LIMIT``, :data:`limited` and, for routes
  that should count only failures, :data:`limited_failures`);
- wrong codes are counted per **address and number**: after ``TRACK_WRONG_CODES`` of them
  within ``TRACK_LOCK_MINUTES`` that address may try no code for that number for as long,
  the right one included. A stranger who types wrong codes locks out only themselves, never
  the citizen holding the ticket;
- wrong codes are also counted per **number**, from every address together: past
  ``TRACK_NUMBER_WRONG_CODES`` each further wrong code makes the number wait before the next
  try, 2, 4, 8… seconds, never more than ``TRACK_MAX_DELAY_SECONDS``. Many addresses guessing
  one number are slowed to a crawl, while its owner waits a minute at worst.

Numbers that were never issued are counted exactly like real ones, and the answers are the
same word for word, so neither a lock nor a delay says whether a number exists.
"""
from __future__ import annotations

import hmac
import math
import time
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app
from flask_limiter.util import get_remote_address

from .extensions import limiter
from .limits import per_address

SCOPE = "track"  # the pages, the API and the PDF share one budget per visitor address


def rate_limit() -> str:
    return current_app.config["TRACK_RATE_LIMIT"]


# One limit for every tracking lookup, page or API, per visitor address (one counter:
# hall/web/limits.py).
limited = per_address("TRACK_RATE_LIMIT", scope=SCOPE)
# The same budget, spent only by refusals: for the ticket PDF, which a kiosk fetches once per
# ticket it prints (the right code costs nothing there, and reveals nothing to a guesser).
limited_failures = limiter.shared_limit(rate_limit, scope=SCOPE,
                                        deduct_when=lambda response: response.status_code >= 400)


@dataclass(frozen=True)
class Refusal:
    """Why no code may be tried now: this address is locked for the number (``minutes``),
    or the number must wait (``seconds``)."""

    minutes: int = 0
    seconds: int = 0


def _settings() -> tuple[int, int, int, int]:
    config = current_app.config
    return (config["TRACK_WRONG_CODES"], config["TRACK_LOCK_MINUTES"] * 60,
            config["TRACK_NUMBER_WRONG_CODES"], config["TRACK_MAX_DELAY_SECONDS"])


def _keys(number: str, address: str) -> dict[str, str]:
    return {"wrong": f"code-wrong/{address}/{number}", "locked": f"code-locked/{address}/{number}",
            "number": f"code-wrong-number/{number}", "wait": f"code-wait/{number}"}


def refused(number: str, address: str | None = None) -> Refusal | None:
    """Whether a code for ``number`` may be tried from ``address`` (default: this request's)
    now; None if it may."""
    keys = _keys(number, address or get_remote_address())
    storage = limiter.storage
    if storage.get(keys["locked"]) > 0:
        return Refusal(minutes=_settings()[1] // 60)
    if storage.get(keys["wait"]) > 0:
        left = storage.get_expiry(keys["wait"]) - time.time()
        return Refusal(seconds=max(1, math.ceil(left)))
    return None


def verify(number: str, given: str | None, expected: str | None,
           address: str | None = None) -> bool:
    """Whether ``given`` is the access code ``expected`` (None: no such number), compared in
    constant time; a wrong one is counted for this address and for the number."""
    given = (given or "").strip().upper()
    if expected is not None and hmac.compare_digest(expected.encode(), given.encode()):
        return True
    _count_wrong(number, address or get_remote_address())
    return False


@contextmanager
def guarding(key: str, not_found: type[Exception]):
    """The same guard for another code than a ticket's (a booking code: ``key`` names it):
    no try while the address is locked for it or it must wait (``not_found`` is raised, the
    answer a wrong code gets), and a ``not_found`` raised inside counts as a wrong code."""
    if refused(key) is not None:
        raise not_found()
    try:
        yield
    except not_found:
        _count_wrong(key, get_remote_address())
        raise


def booking_guard(booking_code: str | None):
    """``guarding`` for a booking's access code (the API and the booking pages): the same
    locks and waits as a ticket's, counted per booking code."""
    from hall.booking_errors import BookingNotFound
    from hall.bookings import normalize_code

    return guarding(f"booking/{normalize_code(booking_code)}", BookingNotFound)


def _count_wrong(number: str, address: str) -> None:
    per_address, window, per_number, max_delay = _settings()
    keys = _keys(number, address)
    storage = limiter.storage
    if storage.incr(keys["wrong"], window) >= per_address:
        storage.incr(keys["locked"], window)
        storage.clear(keys["wrong"])
    over = storage.incr(keys["number"], window) - per_number
    if over > 0:
        storage.clear(keys["wait"])
        storage.incr(keys["wait"], min(2 ** min(over, 16), max_delay))
