"""The access codes a browser keeps for what it sent: a booking, a question, an application.

The confirmation page (and a booking's own page) opens again in the browser that made it
without the code being typed, and nowhere else: the code is kept in this browser's signed
session only, never in an address. At most ``KEPT`` per kind (a family books or asks for
several), the oldest forgotten first. Pairs are kept as lists, oldest first: the session's
JSON sorts the keys of a dict, and the order is what says which to forget first.
"""
from __future__ import annotations

from flask import session

KEPT = 5


def _pairs(kind: str) -> list[list[str]]:
    held = session.get(kind)
    return [p for p in held if isinstance(p, list) and len(p) == 2] if isinstance(
        held, list) else []


def remember(kind: str, number: str, access_code: str) -> None:
    """Keep ``access_code`` for ``number`` (a service number, a booking code) of ``kind``."""
    pairs = [p for p in _pairs(kind) if p[0] != number]
    session[kind] = [*pairs, [number, access_code]][-KEPT:]


def code_for(kind: str, number: str) -> str | None:
    """The access code this browser keeps for ``number``, or None."""
    return next((code for held, code in _pairs(kind) if held == number), None)


def forget(kind: str, number: str) -> None:
    pairs = _pairs(kind)
    if any(held == number for held, _ in pairs):
        session[kind] = [p for p in pairs if p[0] != number]
