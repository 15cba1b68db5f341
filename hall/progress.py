"""Where a visit and its cases stand, as the citizen may see it (跟踪查询).

Two views of the same matter. The public one, for anyone holding the service number, says
where it is, who (which division, never which person) has it, by when it is due and why the
clock stopped, in the hall's fixed words only; the applicant appears only masked. The private
one, for whoever also holds the ticket's access code, adds the applicant's own details, the
complete list of documents still missing and the division's own words (the reasons for a
decision or an extension, which may name people). The private part is a separate object,
absent from a public view, so that a page or an API answer cannot show a personal field by
mistake.

Each case also has a ``headline``: where it stands in one sentence, the first thing the page
shows. An overdue case says so, with its deadline and that the delay is the office's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.orm import Session, joinedload

from . import clock, kinds, numbers, privacy, ratings, timeline
from .errors import N_, Term
from .models import RUNNING_STATES, Case, CaseState, Event, Hall, ServiceItem, Ticket, TicketStatus

# The stage of a case in the citizen's words (hall.kinds).
STAGES = {code: words.stage for code, words in kinds.CASE_STATE_WORDS.items()}
# Why the clock stopped, as a kind (the staff's own note is private).
PAUSES = kinds.PROCEDURES
OUTCOMES = {"approved": N_("Approved"), "rejected": N_("Not approved")}
# Where a case stands, in one sentence: (message id, tone). Tones: working, stopped, late, done.
HEADLINES = {
    "accepted": (N_("Accepted; waiting to be taken up by %(division)s. Due by %(due)s."),
                 "working"),
    "in_progress": (N_("Being handled by %(division)s. Due by %(due)s."), "working"),
    "awaiting_documents": (N_("Waiting for missing documents from you. The time limit is "
                              "stopped until they reach the hall."), "stopped"),
    "special_procedure": (N_("The time limit is stopped: %(pause)s. This time does not count "
                             "against the office."), "stopped"),
    "decided": (N_("Decided: %(outcome)s."), "done"),
    "ready": (N_("Decided: %(outcome)s. The result is ready for pick-up at the hall."), "done"),
    "closed": (N_("Finished and closed."), "done"),
    "withdrawn": (N_("Withdrawn at your request."), "done"),
}
OVERDUE = N_("Overdue: it was due by %(due)s. The delay is the responsibility of the office "
             "(%(division)s), not yours.")
OVERDUE_CALL = N_("Overdue: it was due by %(due)s. The delay is the responsibility of the "
                  "office (%(division)s), not yours. You may call %(phone)s.")
# Over for the citizen: nothing more will happen to it.
FINISHED_CASE = (CaseState.CLOSED.value, CaseState.WITHDRAWN.value)
FINISHED_VISIT = (TicketStatus.FINISHED.value, TicketStatus.NO_SHOW.value,
                  TicketStatus.UNSERVED.value)


@dataclass(frozen=True)
class Private:
    """What only the holder of the access code sees."""

    applicant_name: str
    phone: str                     # masked even here: the page may be on a shared screen
    subject: str
    missing_documents: list[str]
    pause_note: str | None
    rateable: bool


@dataclass(frozen=True)
class Headline:
    words: str                     # message id
    params: dict                   # str, Term, Name or datetime
    tone: str                      # working, stopped, late, done


@dataclass(frozen=True)
class CaseProgress:
    id: int
    case_no: str                   # grouped for reading: BJ261123-001-0001-7
    state: str
    stage: str                     # message id
    service: ServiceItem
    division: timeline.Name
    applicant: str                 # masked: 张*丰
    accepted_at: datetime
    due_at: datetime | None
    due_provisional: bool
    pause: Term | None             # the kind of pause, if the clock is stopped
    extension_days: int
    extension_reason: str | None
    outcome: Term | None
    outcome_code: str | None
    decision_reason: str | None
    decided_at: datetime | None
    closed_at: datetime | None
    overdue: bool                  # running past its deadline: the office's delay
    headline: Headline
    private: Private | None

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_CASE

    @property
    def anchor(self) -> str:
        return "case-" + self.case_no.replace("-", "")


@dataclass(frozen=True)
class Progress:
    ticket: Ticket
    cases: list[CaseProgress]
    steps: list[timeline.Step]
    updated_at: datetime
    verified: bool
    visit_rateable: bool           # only ever True in a private view

    @property
    def finished(self) -> bool:
        """Over for the citizen: the visit is over and so is every case of it."""
        if self.cases:
            return all(c.finished for c in self.cases)
        return self.ticket.status in FINISHED_VISIT

    @property
    def main_case(self) -> CaseProgress | None:
        """The case the page leads with: the latest one still going on, else the latest."""
        going = [c for c in self.cases if not c.finished]
        shown = going or self.cases
        return shown[-1] if shown else None


def of_ticket(session: Session, ticket: Ticket, *, verified: bool) -> Progress:
    """The visit as the citizen may see it; ``verified`` means the access code was given."""
    rows = _cases(session, ticket)
    steps = timeline.for_ticket(session, ticket, cases=rows, verified=verified)
    now = clock.now()
    found = [_case(session, c, verified, now) for c in rows]
    return Progress(
        ticket=ticket, cases=found, steps=steps,
        updated_at=steps[-1].at if steps else ticket.issued_at, verified=verified,
        visit_rateable=verified and ratings.rateable(session, ticket),
    )


def _cases(session: Session, ticket: Ticket) -> list[Case]:
    """The ticket's cases with their item and division, in one query (a public page is
    asked for often: each lookup should cost few round trips)."""
    return list(session.scalars(
        select(Case).where(Case.ticket_id == ticket.id)
        .options(joinedload(Case.service), joinedload(Case.division)).order_by(Case.id)))


def _case(session: Session, case: Case, verified: bool, now: datetime) -> CaseProgress:
    division = timeline.Name(case.division.name_zh, case.division.name_en)
    pause = (Term(PAUSES.get(case.pause_kind, N_("special procedure")))
             if case.pause_kind else None)
    outcome = Term(OUTCOMES[case.outcome]) if case.outcome in OUTCOMES else None
    overdue = case.state in RUNNING_STATES and (
        case.warning == "red" or (case.due_at is not None and case.due_at <= now))
    return CaseProgress(
        id=case.id, case_no=numbers.grouped(case.case_no), state=case.state,
        stage=STAGES[case.state], service=case.service, division=division,
        applicant=privacy.mask_name(case.applicant_name),
        accepted_at=case.accepted_at, due_at=case.due_at,
        due_provisional=bool(case.due_provisional and case.due_at), pause=pause,
        extension_days=case.extension_days or 0,
        # The division's own words: only for the holder of the access code.
        extension_reason=(_extension_reason(session, case)
                          if verified and case.extension_days else None),
        outcome=outcome, outcome_code=case.outcome,
        decision_reason=case.decision_reason if verified else None,
        decided_at=case.decided_at, closed_at=case.closed_at, overdue=overdue,
        headline=_headline(case, division, pause, outcome, overdue),
        private=_private(session, case) if verified else None,
    )


def _headline(case: Case, division: timeline.Name, pause: Term | None, outcome: Term | None,
              overdue: bool) -> Headline:
    """Where the case stands in one sentence; overdue says whose the delay is (限时办结制:
    the office answers for its time, the applicant never)."""
    params = {"division": division, "due": case.due_at, "pause": pause, "outcome": outcome}
    if overdue:
        phone = case.division.phone or case.hall.phone
        words = OVERDUE_CALL if phone else OVERDUE
        return Headline(words, {**params, "phone": phone or ""}, "late")
    words, tone = HEADLINES[case.state]
    if tone == "working" and case.due_at is None:  # no deadline known yet (never expected)
        words = STAGES[case.state]
    return Headline(words, {k: v for k, v in params.items() if v is not None}, tone)


def _private(session: Session, case: Case) -> Private:
    return Private(
        applicant_name=case.applicant_name or "", phone=privacy.mask_phone(case.applicant_phone),
        subject=case.subject or "", missing_documents=list(case.missing_documents or []),
        pause_note=case.pause_reason, rateable=ratings.rateable(session, case.ticket, case),
    )


def _extension_reason(session: Session, case: Case) -> str | None:
    """The reason of the latest extension granted, as the division gave it to the citizen."""
    data = session.scalar(select(Event.data).where(
        Event.case_id == case.id, Event.kind == "case.extension_granted",
    ).order_by(Event.id.desc()).limit(1))
    return (data or {}).get("reason")


# -- what a rendered public view depends on -----------------------------------------------------

_T, _E, _H = Ticket.__table__, Event.__table__, Hall.__table__
_STAMP = select(
    _T.c.status,
    select(func.max(_E.c.id)).where(_E.c.ticket_id == _T.c.id).scalar_subquery(),
    _H.c.floor_seq,
).join_from(_T, _H, _H.c.id == _T.c.hall_id).where(_T.c.service_no == bindparam("number"))


def stamp(session: Session | Connection, service_no: str) -> tuple | None:
    """What the public view of a visit depends on: its status and its last event (every move
    of the visit and of its cases records one with the ticket). None for an unknown number.
    A waiting visit also depends on everyone ahead of it and on the pace of the windows:
    every move that changes those moves the hall's floor sequence, which its stamp carries.
    One indexed read, whichever process made the last move: a view kept for a stamp is never
    shown after the move that changed it has answered."""
    return stamp_of(session.execute(_STAMP, {"number": service_no}).first())


STAMP_QUERY = _STAMP  # read through the driver by hall.web.kept, before every public answer


def stamp_of(row) -> tuple | None:
    """The stamp of the row ``_STAMP`` read (None: no such visit)."""
    if row is None:
        return None
    status, last_event, floor_seq = row
    if status == TicketStatus.WAITING.value:
        return (status, last_event, floor_seq)
    return (status, last_event)
