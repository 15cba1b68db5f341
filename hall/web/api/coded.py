"""What the API opens with a service number and an access code (an enquiry, an application):
reading the code, checking it through the shared guard, and the answers. One copy, so that
both say "not found" alike for an unknown number, a wrong code and a number that must wait
(a guess learns nothing from the difference)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from hall import numbers

from .. import access_codes
from ..extensions import db
from ..problems import problem


class Coded(Protocol):
    access_code: str


T = TypeVar("T", bound=Coded)


def code() -> str:
    """The access code the request brings: ``X-Access-Code``, else ``?code=``."""
    return (request.headers.get("X-Access-Code") or request.args.get("code", "")).strip()


def opened(service_no: str, given: str,
           find: Callable[[Session, str], T | None]) -> tuple[T | None, bool]:
    """(the thing, whether the code is its own); (None, False) for a refusal, the same for
    an unknown number, a wrong code and a number that must wait. Without a code: the thing
    as anyone may see it, unverified."""
    number = numbers.parse_service_number(service_no)  # a mistyped one: 400 problem
    found = find(db.session, number)
    if not given:
        return found, False
    if access_codes.refused(number) is not None:
        return None, False
    if not access_codes.verify(number, given, found.access_code if found else None):
        return None, False
    return found, True


def not_found(instance: str):
    return problem(404, "not-found", _("Nothing matches this service number and access code. "
                                       "Please check both."), instance=instance)


def answer(body: dict, *, status: int = 200):
    """The JSON answer about one citizen's matter: never kept by a cache on the way."""
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
