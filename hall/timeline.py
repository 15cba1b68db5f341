"""A visit's history in plain words, read from its events (never from a second record).

What a citizen reads is a whitelist: the kinds of ``hall.kinds`` that have a sentence for the
citizen, each filled from the few fields of its data that the sentence names. Warnings
(yellow, red), requests the office has not yet decided, staff notes and who acted are never
part of it; the division's own free text (a reason for a decision or an extension) only for
whoever holds the ticket's access code (``verified``), since a reason may name people.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import kinds, numbers
from .errors import N_, Term
from .models import Case, Division, Event, Ticket

# Special procedures that stop the clock, as the citizen reads them.
PROCEDURES = {k: kinds.PROCEDURES[k] for k in kinds.SPECIAL_PROCEDURES}
_PARAM = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class Name:
    """A division's name in both languages; the page picks one (like a model's name)."""

    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Step:
    at: datetime
    kind: str
    words: str            # a message id, translated by the page
    params: dict          # str, int, Term (a message id), Name, or datetime


def for_ticket(session: Session, ticket: Ticket, *, cases: Iterable[Case] = (),
               verified: bool = False) -> list[Step]:
    """The public steps of a visit and of its cases, oldest first (with the division's own
    words only when ``verified``). ``cases`` already loaded (the ticket's own) spare a query
    for their divisions and numbers; any other division named is looked up."""
    events = session.scalars(
        select(Event).where(Event.ticket_id == ticket.id).order_by(Event.at, Event.id)
    )
    known = list(cases)
    names = _Divisions(session, ticket.hall_id, [c.division for c in known])
    case_numbers = {c.id: c.case_no for c in known}
    steps: list[Step] = []
    became_case = False
    for event in events:
        if event.kind in kinds.CASE_ACCEPTANCES:
            became_case = True
        if event.kind == "ticket.finished" and became_case:
            continue  # the visit went on as a case: "finished" would say the matter is done
        if event.kind == "ticket.no_show_undone":
            _drop_last(steps, "ticket.no_show")  # pressed by mistake: it did not happen
            continue
        step = _step(event, names, case_numbers, verified)
        if step is not None:
            steps.append(step)
    return steps


def _drop_last(steps: list[Step], kind: str) -> None:
    for i in range(len(steps) - 1, -1, -1):
        if steps[i].kind == kind:
            del steps[i]
            return


class _Divisions:
    """Division names by code, read from the hall only when one is not known yet."""

    def __init__(self, session: Session, hall_id: int, known: Iterable[Division]) -> None:
        self.session, self.hall_id = session, hall_id
        self.names = {d.code: Name(d.name_zh, d.name_en) for d in known}
        self.loaded = False

    def __call__(self, code: str) -> Name:
        if code not in self.names and not self.loaded:
            self.loaded = True
            self.names.update({d.code: Name(d.name_zh, d.name_en) for d in self.session.scalars(
                select(Division).where(Division.hall_id == self.hall_id))})
        return self.names.get(code) or Name(code, code)


def _step(event: Event, division: Callable[[str], Name], case_numbers: dict[int, str],
          verified: bool) -> Step | None:
    kind = kinds.KINDS.get(event.kind)
    if kind is None:
        return None
    data = dict(event.data or {})
    if "case_no" not in data and event.case_id in case_numbers:
        data["case_no"] = case_numbers[event.case_id]  # events written before case numbers
    words = kind.sentence(data, verified=verified)
    if words is None:
        return None
    params = {name: _value(kind, name, data.get(name), division)
              for name in _PARAM.findall(words)}
    return Step(event.at, event.kind, words, params)


def _value(kind: kinds.Kind, name: str, value, division: Callable[[str], Name]):
    """A field of an event as the citizen's sentence shows it."""
    shown = kind.field_for(name)
    if value is None:
        return ""
    if shown.shown == "division":
        return division(str(value))
    if shown.shown == "term":
        return Term((shown.terms or {}).get(str(value)) or N_("special procedure"))
    if shown.shown == "time":
        return datetime.fromisoformat(value)
    if name == "case_no":
        return numbers.grouped(str(value))
    return value if isinstance(value, (str, int)) else str(value)


# -- an enquiry's steps (issue 15, hall.enquiries) --------------------------------------------

def for_enquiry(session: Session, enquiry, *, verified: bool = False) -> list[Step]:
    """The public steps of a question, complaint or report, oldest first (the division's own
    words, a reason for instance, only when ``verified``)."""
    events = session.scalars(select(Event).where(Event.enquiry_id == enquiry.id)
                             .order_by(Event.at, Event.id))
    names = _Divisions(session, enquiry.hall_id, [enquiry.division])
    return [step for step in (_step(e, names, {}, verified) for e in events) if step is not None]
