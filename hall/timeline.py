"""A visit's history in plain words, read from its events (never from a second record)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import N_
from .models import Event, Ticket

# Each kind of event as the citizen reads it; %(name)s come from the event's data.
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
}


@dataclass(frozen=True)
class Step:
    at: datetime
    kind: str
    words: str            # a message id, translated by the page
    params: dict


def for_ticket(session: Session, ticket: Ticket) -> list[Step]:
    """The public steps of a visit, oldest first. Who acted is never part of it."""
    events = session.scalars(
        select(Event).where(Event.ticket_id == ticket.id).order_by(Event.at, Event.id)
    )
    return [
        Step(e.at, e.kind, WORDS[e.kind], {k: v for k, v in e.data.items() if isinstance(v, (str, int))})
        for e in events if e.kind in WORDS
    ]
