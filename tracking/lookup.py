"""Finding a visit for the public: the number, the optional access code, and the guard
against guessing codes. Shared by the tracking pages and ``GET /api/v1/track``.

A wrong code and an unknown number give the same answer, and wrong codes are counted per
service number in the rate limiter's storage (Redis when there is one, so that every server
process sees the same count): after ``TRACK_WRONG_CODES`` of them within
``TRACK_LOCK_MINUTES`` the number takes no code at all for that long, the right one included.
Numbers that were never issued are counted and locked alike, so a lock says nothing either.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext
from hall import board, numbers
from hall.models import Ticket
from hall.web.extensions import db, limiter

SCOPE = "track"  # the page and the API share one budget per visitor address


def rate_limit() -> str:
    return current_app.config["TRACK_RATE_LIMIT"]


# One limit for every tracking lookup, page or API, per visitor address.
limited = limiter.shared_limit(rate_limit, scope=SCOPE)


@dataclass(frozen=True)
class Lookup:
    ticket: Ticket | None
    verified: bool = False
    locked: bool = False
    code_given: bool = False

    @property
    def found(self) -> bool:
        return self.ticket is not None


def find(raw: str, code: str | None = None) -> Lookup:
    """The visit with this number, opened privately if ``code`` is its access code.

    Raises InvalidServiceNumber (a 400) for a number of the wrong shape or check character:
    that is a typing mistake, said plainly, and no lookup is made."""
    number = numbers.parse_service_number(raw)
    code = (code or "").strip().upper()
    if not code:
        return Lookup(board.find_by_service_no(db.session, number))
    if _locked(number):
        return Lookup(None, locked=True, code_given=True)
    ticket = board.find_by_service_no(db.session, number)
    if ticket is None or not hmac.compare_digest(ticket.access_code.encode(), code.encode()):
        _count_wrong_code(number)
        return Lookup(None, code_given=True)
    return Lookup(ticket, verified=True, code_given=True)


def _keys(number: str) -> tuple[str, str]:
    return f"track-wrong-code/{number}", f"track-locked/{number}"


def _lock_seconds() -> int:
    return current_app.config["TRACK_LOCK_MINUTES"] * 60


def _locked(number: str) -> bool:
    return limiter.storage.get(_keys(number)[1]) > 0


def _count_wrong_code(number: str) -> None:
    wrong, locked = _keys(number)
    count = limiter.storage.incr(wrong, _lock_seconds())
    if count >= current_app.config["TRACK_WRONG_CODES"]:
        limiter.storage.incr(locked, _lock_seconds())
        limiter.storage.clear(wrong)


def refusal_text(found: Lookup) -> str:
    """What a lookup that found nothing says. The same words for an unknown number and a
    wrong code; a locked number says the same, then asks to wait."""
    if not found.code_given:
        return gettext("No visit has this service number. Please check it against your ticket.")
    text = gettext("No visit matches this service number and access code. "
                   "Please check both against your ticket.")
    if found.locked:
        text += " " + gettext("Too many codes were tried for this number: please try again in "
                              "%(minutes)s minutes.", minutes=current_app.config["TRACK_LOCK_MINUTES"])
    return text
