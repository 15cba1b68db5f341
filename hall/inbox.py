"""A division's inbox: its open cases, the nearest deadline first, with the console's filters.

Cases whose clock is stopped (documents awaited, a public notice, decided) have no running
deadline and come last. The open-state term is written as ``ix_cases_inbox`` is, so that
SQLite too reads the inbox from that partial index.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from . import numbers
from .models import OPEN_STATES, Case, Ticket, open_clause

LIMIT = 100
WARNINGS = ("none", "yellow", "red")


@dataclass(frozen=True)
class Filters:
    """What the inbox is narrowed to; a value that is not one of the choices is ignored, so a
    filter typed into an address bar never becomes an error."""

    division_id: int | None = None
    state: str | None = None        # one of the open states
    warning: str | None = None      # none / yellow / red
    handler_id: int | None = None   # "mine"
    search: str | None = None       # a case number or a service number, checked (``searched``)


def inbox(session: Session, hall_id: int, filters: Filters | None = None, *,
          limit: int = LIMIT) -> list[Case]:
    """The hall's open cases matching ``filters``, soonest deadline first (overdue on top),
    stopped clocks last."""
    f = filters or Filters()
    query = select(Case).where(Case.hall_id == hall_id, open_clause())
    if f.division_id is not None:
        query = query.where(Case.division_id == f.division_id)
    if f.state in OPEN_STATES:
        query = query.where(Case.state == f.state)
    if f.warning in WARNINGS:
        query = query.where(Case.warning == f.warning)
    if f.handler_id is not None:
        query = query.where(Case.handler_id == f.handler_id)
    query = _searched(query, searched(f.search)).options(
        joinedload(Case.ticket), joinedload(Case.service), joinedload(Case.division),
        joinedload(Case.handler))
    # Two parts, each in the order of its index (division or hall, then due), so that the
    # database reads only the first ``limit`` entries instead of sorting every open case.
    found = list(session.scalars(query.where(Case.due_at.is_not(None))
                                 .order_by(Case.due_at, Case.id).limit(limit)))
    if len(found) < limit:
        found += session.scalars(query.where(Case.due_at.is_(None))
                                 .order_by(Case.id).limit(limit - len(found)))
    return found


def searched(search: str | None) -> tuple[str, str] | None:
    """What a search box holds: ("case", case number) or ("service", service number), read
    as people type them (spaces, dashes, a lower-case x, the case number without its BJ).
    A mistyped number is an error saying so (InvalidCaseNumber, InvalidServiceNumber), so
    that "no cases" never hides a typing slip."""
    text = numbers.normalize(search or "")
    if not text:
        return None
    if len(text) == numbers.SERVICE_NO_LENGTH and not text.startswith(numbers.CASE_NO_PREFIX):
        return "service", numbers.parse_service_number(text)
    return "case", numbers.parse_case_number(text)


def _searched(query, search: tuple[str, str] | None):
    if search is None:
        return query
    kind, number = search
    if kind == "case":
        return query.where(Case.case_no == number)
    return query.where(Case.ticket.has(Ticket.service_no == number))
