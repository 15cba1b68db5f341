"""A visit's history in plain words, read from its events (never from a second record).

What a citizen reads is a whitelist: each kind of event they may see, and for each the few
fields of its data that go into the sentence. Warnings (yellow, red), requests the office
has not yet decided, staff notes and who acted are never part of it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import N_, Term
from .models import Division, Event, Ticket

# Each kind of ticket event as the citizen reads it; %(name)s come from the event's data.
WORDS = {
    "ticket.issued": N_("Took number %(number)s"),
    "ticket.called": N_("Called to window %(window_no)s"),
    "ticket.recalled": N_("Called again to window %(window_no)s"),
    "ticket.resumed": N_("Called back to window %(window_no)s"),
    "ticket.serving": N_("Being served at window %(window_no)s"),
    "ticket.held": N_("Waiting at window %(window_no)s (e.g. for a document)"),
    "ticket.no_show": N_("Did not answer the call at window %(window_no)s"),
    "ticket.transferred": N_("Sent on to another service or window; place in line kept"),
    "ticket.finished": N_("Finished at window %(window_no)s"),
    "ticket.returned": N_("Back in line: window %(window_no)s closed; place in line kept"),
}

# Special procedures that stop the clock, as the citizen reads them.
PROCEDURES = {"public_notice": N_("public notice"), "expert_review": N_("expert review"),
              "testing": N_("testing")}

# Case events the citizen sees: (message id, the fields of the event's data it may show).
CASE_WORDS = {
    "case.accepted": (N_("Accepted at window %(window_no)s as a case for %(division)s"),
                      ("window_no", "division")),
    "case.routed": (N_("Sent on to %(division)s, who are responsible for it"), ("to_division",)),
    "case.taken": (N_("Taken up by the division"), ()),
    "case.documents_requested": (N_("Missing documents asked for; the time limit stops until "
                                    "they are supplied"), ()),
    "case.documents_supplied": (N_("Missing documents received; the time limit runs again"), ()),
    "case.special_started": (N_("Special procedure started (%(procedure)s); the time limit "
                                "stops meanwhile"), ("procedure",)),
    "case.special_ended": (N_("Special procedure ended (%(procedure)s); the time limit runs "
                              "again"), ("procedure",)),
    "case.extension_granted": (N_("Time limit extended by %(days)s working days: %(reason)s"),
                               ("days", "reason")),
    "case.deadline_changed": (N_("Deadline moved to %(after)s (the working-day calendar "
                                 "changed)"), ("after",)),
    "case.ready": (N_("The result is ready for pick-up at the hall"), ()),
    "case.closed": (N_("Finished and closed"), ()),
    "case.withdrawn": (N_("Withdrawn at the applicant's request"), ()),
}
DECIDED = {"approved": N_("Decided: approved"),
           "rejected": N_("Decided: not approved. Reason: %(reason)s")}


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


def for_ticket(session: Session, ticket: Ticket, *,
               divisions: Iterable[Division] = ()) -> list[Step]:
    """The public steps of a visit and of its cases, oldest first. ``divisions`` already
    loaded (the cases' own) spare a query; any other division named is looked up."""
    events = session.scalars(
        select(Event).where(Event.ticket_id == ticket.id).order_by(Event.at, Event.id)
    )
    names = _Divisions(session, ticket.hall_id, divisions)
    steps = (_step(e, names) for e in events)
    return [s for s in steps if s is not None]


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


def _step(event: Event, division: Callable[[str], Name]) -> Step | None:
    data = event.data or {}
    if event.kind in WORDS:
        plain = {k: v for k, v in data.items() if isinstance(v, (str, int))}
        return Step(event.at, event.kind, WORDS[event.kind], plain)
    if event.kind == "case.decided":
        outcome = data.get("outcome")
        if outcome not in DECIDED:
            return None
        return Step(event.at, event.kind, DECIDED[outcome], {"reason": data.get("reason") or ""})
    if event.kind not in CASE_WORDS:
        return None
    words, fields = CASE_WORDS[event.kind]
    return Step(event.at, event.kind, words,
                {_param(f): _value(f, data.get(f), division) for f in fields})


def _param(field: str) -> str:
    return "division" if field == "to_division" else field


def _value(field: str, value, division: Callable[[str], Name]):
    """An event's field as the sentence shows it: a division by name, a procedure in words."""
    if field in ("division", "to_division"):
        return division(str(value))
    if field == "procedure":
        return Term(PROCEDURES.get(value, N_("special procedure")))
    if field == "after":
        return datetime.fromisoformat(value) if value else ""
    if value is None:
        return ""
    return value
