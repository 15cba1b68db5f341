"""The case workflow (办件): accepted at a window, worked by a division, decided, picked up.

Every move is one transaction with its event. The deadline is derived from the case's own
events (the time limit recorded at acceptance, the pauses) and the working-day calendar, and
cached on the case for the inbox and the deadline job (``hall.deadlines``).
"""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import access, clock, deadlines, issuing, kinds, numbers, text
from .db import operation
from .errors import (
    N_,
    CaseFieldRequired,
    CaseNotFound,
    CaseNotNeeded,
    ExtensionState,
    IllegalCaseMove,
    NoExtensionPending,
    NotAManager,
    NotCaseDivision,
    UnknownDivision,
)
from .events import Actor, record
from .lookup import get_hall
from .models import (
    Case,
    CaseOutcome,
    CaseState,
    Division,
    PublicNotice,
    Role,
    Staff,
    Ticket,
    TicketStatus,
)
from .notice_errors import NoticeStillRunning
from .queue import current_ticket, finish, working_window

S = CaseState
SPECIAL_KINDS = kinds.SPECIAL_PROCEDURES
_PHONE = re.compile(r"^[0-9+\-\s]{5,20}$")


# -- looking up and checking -----------------------------------------------------------------

def get_case(session: Session, case_id: int, *, lock: bool = True) -> Case:
    query = select(Case).where(Case.id == case_id)
    if lock:
        # A locked row is read afresh: the session may hold an older copy (the deadline job
        # updates cases with plain UPDATEs).
        query = query.with_for_update().execution_options(populate_existing=True)
    case = session.scalar(query)
    if case is None:
        raise CaseNotFound(case=case_id)
    return case


def _staff(session: Session, actor: Actor) -> Staff | None:
    return session.get(Staff, actor.staff_id) if actor.staff_id else None


def may_work(staff: Staff | None, case: Case) -> bool:
    """Division staff work their division's cases; a manager of the hall (or of the
    province) may do anything a division may."""
    if staff is None or not staff.active:
        return False
    if staff.has_role(Role.DIVISION) and staff.division_id == case.division_id:
        return True
    return is_manager_for(staff, case)


def is_manager_for(staff: Staff | None, case: Case) -> bool:
    if staff is None or not staff.has_role(Role.MANAGER):
        return False
    return access.sees_hall(staff, case.hall)


def _require_worker(session: Session, case: Case, actor: Actor) -> Staff:
    staff = _staff(session, actor)
    if staff is None or not may_work(staff, case):
        raise NotCaseDivision(division=case.division.name_zh)
    return staff


def _require_state(case: Case, move: str, *states: S) -> None:
    if case.state not in {s.value for s in states}:
        raise IllegalCaseMove(state=case.state, move=move)


def _required(value: str | None, field: str, limit: int) -> str:
    """Cleaned of invisible characters; refused when blank or longer than ``limit``."""
    return text.bounded(value, field, limit, required=True) or ""  # required: never None


def _note(value: str | None, limit: int = 500) -> str:
    return text.bounded(value, "note", limit, multiline=True) or ""


def _event(session: Session, case: Case, kind: str, actor: Actor, **data) -> None:
    record(session, case.hall, kind, actor=actor, case=case, ticket=case.ticket,
           state=case.state, **data)


# -- at the window ---------------------------------------------------------------------------

@operation
def accept(session: Session, hall_code: str, window_no: int, *, actor: Actor,
           applicant_name: str, subject: str, applicant_id_no: str | None = None,
           applicant_phone: str | None = None, number: str | None = None,
           finish_visit: bool = True) -> Case:
    """Accept the matter of the visitor at this window as a case (受理).

    The calling clerk becomes its first-inquiry owner (首问负责); the case gets the item's time
    limit, its deadline in working days, and goes to the item's division."""
    hall = get_hall(session, hall_code)
    window = working_window(session, hall, window_no, actor)
    ticket = current_ticket(session, window, number, (TicketStatus.CALLED, TicketStatus.SERVING),
                      "accept")
    service = ticket.service
    if service.division_id is None or service.time_limit_days == 0:
        raise CaseNotNeeded(service=service.name_zh)
    name = _required(applicant_name, "applicant", 40)
    what = _required(subject, "subject", 200)
    now = clock.now()
    day = clock.local_date(now, hall.timezone)
    id_no = (applicant_id_no or "").strip() or None
    if id_no is not None:
        id_no = numbers.parse_resident_id(id_no, day)
    phone = (applicant_phone or "").strip() or None
    if phone is not None and not _PHONE.match(phone):
        phone = None
    case = open_case(session, hall=hall, ticket=ticket, service=service, actor=actor,
                     subject=what, applicant_name=name, applicant_id_no=id_no,
                     applicant_phone=phone, accepted_at=now, kind="case.accepted",
                     window_no=window.no)
    if finish_visit:
        finish(session, hall_code, window_no, actor=actor, number=ticket.number)
    return case


def open_case(session: Session, *, hall, ticket: Ticket, service, actor: Actor, subject: str,
              applicant_name: str, applicant_id_no: str | None, applicant_phone: str | None,
              accepted_at, kind: str, **about) -> Case:
    """A new case of ``service`` for the visit ``ticket``, accepted by ``actor`` (its
    first-inquiry owner, 首问负责), its clock running from ``accepted_at``: at a window now,
    or an application accepted online (``hall.applications``: from the day the documents
    arrived, when the five days of pre-review passed). ``about`` goes into the event."""
    assert service.division is not None  # an item with a time limit has one (hall.admin)
    now = clock.now()
    day = clock.local_date(now, hall.timezone)
    case = Case(hall=hall, ticket=ticket, service=service, division=service.division,
                case_no=_next_case_no(session, hall, day),
                state=S.ACCEPTED.value, first_owner_id=actor.staff_id, subject=subject,
                applicant_name=applicant_name, applicant_id_no=applicant_id_no,
                applicant_phone=applicant_phone, accepted_at=accepted_at, warning="none",
                ever_red=False, extension_days=0, missing_documents=[])
    session.add(case)
    session.flush()
    # The time limit is the one in force today: a later change to the catalogue does not
    # move the deadline of a case already accepted.
    _event(session, case, kind, actor, case_no=case.case_no, number=ticket.number,
           service=service.code, division=service.division.code,
           limit_days=service.time_limit_days, **about)
    deadlines.refresh(session, case, now)
    return case


def _next_case_no(session: Session, hall, day) -> str:
    """The hall's next case number of the day, from its locked daily counter (never a count
    of the cases: two windows accepting at once would get the same one)."""
    serial = issuing.next_value(session.connection(), hall.id, day, issuing.CASES)
    return numbers.case_number(day, hall.node_no, serial)


def id_warnings(case: Case) -> list[str]:
    """What the clerk should look at again on the applicant's card (message ids): never a
    refusal."""
    if case.applicant_id_no and not numbers.region_known(case.applicant_id_no):
        return [N_("The ID number's first six digits are not a region code we know; please "
                   "check them against the card.")]
    return []


# -- in the division ---------------------------------------------------------------------------

@operation
def route(session: Session, case_id: int, *, division: str, reason: str,
          actor: Actor) -> Case:
    """Send a case not yet taken up to another division of the hall, saying why."""
    case = get_case(session, case_id)
    _require_worker(session, case, actor)
    _require_state(case, "route", S.ACCEPTED)
    code = (division or "").strip()
    if not code:
        raise CaseFieldRequired("division")
    why = _required(reason, "reason", 500)
    target = session.scalar(select(Division).where(Division.hall_id == case.hall_id,
                                                   Division.code == code))
    if target is None:
        raise UnknownDivision(hall=case.hall.code, division=division)
    before = case.division.code
    case.division = target
    _event(session, case, "case.routed", actor, from_division=before, to_division=target.code,
           reason=why)
    return case


@operation
def take(session: Session, case_id: int, *, actor: Actor) -> Case:
    """A member of the division takes the case up and is its handler from now on."""
    case = get_case(session, case_id)
    staff = _require_worker(session, case, actor)
    _require_state(case, "take", S.ACCEPTED)
    case.state = S.IN_PROGRESS.value
    case.handler_id = staff.id
    _event(session, case, "case.taken", actor)
    return case


@operation
def request_documents(session: Session, case_id: int, *, documents: list[str],
                      note: str | None = None, actor: Actor) -> Case:
    """Ask for what is missing, all of it at once (一次性告知); the clock stops until it is
    supplied."""
    case = get_case(session, case_id)
    _require_worker(session, case, actor)
    _require_state(case, "request_documents", S.IN_PROGRESS)
    wanted = [d for d in (text.bounded(d, "documents", 200) for d in documents) if d]
    if not wanted:
        raise CaseFieldRequired("documents")
    case.state = S.AWAITING_DOCUMENTS.value
    case.missing_documents = wanted
    _pause(case, "documents", _note(note) or None)
    _event(session, case, "case.documents_requested", actor, documents=wanted,
           note=case.pause_reason)
    return case


@operation
def supply_documents(session: Session, case_id: int, *, note: str | None = None,
                     actor: Actor) -> Case:
    """The missing documents are in: the clock runs again."""
    case = get_case(session, case_id)
    _require_worker(session, case, actor)
    _require_state(case, "supply_documents", S.AWAITING_DOCUMENTS)
    case.state = S.IN_PROGRESS.value
    _event(session, case, "case.documents_supplied", actor, documents=case.missing_documents,
           note=_note(note))
    case.missing_documents = []
    _resume(session, case)
    return case


@operation
def start_special(session: Session, case_id: int, *, kind: str, reason: str,
                  actor: Actor) -> Case:
    """Public notice (公示), expert review or testing: time that is not the office's."""
    case = get_case(session, case_id)
    _require_worker(session, case, actor)
    _require_state(case, "start_special", S.IN_PROGRESS)
    if kind not in SPECIAL_KINDS:
        raise CaseFieldRequired("reason")
    why = _required(reason, "reason", 500)
    case.state = S.SPECIAL_PROCEDURE.value
    _pause(case, kind, why)
    _event(session, case, "case.special_started", actor, procedure=kind, reason=why)
    return case


@operation
def end_special(session: Session, case_id: int, *, note: str | None = None,
                actor: Actor) -> Case:
    case = get_case(session, case_id)
    _require_worker(session, case, actor)
    _require_state(case, "end_special", S.SPECIAL_PROCEDURE)
    notice = _running_notice(session, case)
    if notice is not None:  # it ends with its period, counting its objections (issue 15)
        raise NoticeStillRunning(notice.ends_at, case.hall.timezone)
    case.state = S.IN_PROGRESS.value
    _event(session, case, "case.special_ended", actor, procedure=case.pause_kind,
           note=_note(note))
    _resume(session, case)
    return case


@operation
def request_extension(session: Session, case_id: int, *, days: int, reason: str,
                      actor: Actor) -> Case:
    """Ask a manager for more working days, with a reason the citizen will see."""
    case = get_case(session, case_id)
    _require_worker(session, case, actor)
    _require_state(case, "request_extension", S.ACCEPTED, S.IN_PROGRESS)
    if case.extension_pending_days:
        raise ExtensionState()
    if not isinstance(days, int) or not 1 <= days <= 60:
        raise CaseFieldRequired("days")
    case.extension_pending_days = days
    case.extension_pending_reason = _required(reason, "reason", 500)
    _event(session, case, "case.extension_requested", actor, days=days,
           reason=case.extension_pending_reason)
    return case


@operation
def decide_extension(session: Session, case_id: int, *, approve: bool, actor: Actor,
                     note: str | None = None) -> Case:
    """A manager grants or refuses the extension asked for; a grant moves the deadline."""
    case = get_case(session, case_id)
    if not is_manager_for(_staff(session, actor), case):
        raise NotAManager()
    if not case.extension_pending_days:
        raise NoExtensionPending()
    days, reason = case.extension_pending_days, case.extension_pending_reason
    case.extension_pending_days = case.extension_pending_reason = None
    if approve:
        case.extension_days += days
        _event(session, case, "case.extension_granted", actor, days=days, reason=reason,
               note=_note(note))
        deadlines.refresh(session, case, clock.now(), actor=actor)
    else:
        _event(session, case, "case.extension_refused", actor, days=days,
               note=_note(note))
    return case


@operation
def decide(session: Session, case_id: int, *, outcome: str, reason: str | None = None,
           actor: Actor) -> Case:
    """Approved, or rejected with a reason (行政决定). The clock stops here."""
    case = get_case(session, case_id)
    _require_worker(session, case, actor)
    _require_state(case, "decide", S.IN_PROGRESS)
    result = CaseOutcome(outcome).value
    why = text.bounded(reason, "reason", 1000)
    if result == CaseOutcome.REJECTED.value and not why:
        raise CaseFieldRequired("reason")
    now = clock.now()
    case.state = S.DECIDED.value
    case.outcome = result
    case.decision_reason = why
    case.decided_at = now
    case.yellow_at = None  # nothing left to warn about; due_at stays, to judge timeliness
    _event(session, case, "case.decided", actor, outcome=result, reason=why,
           on_time=case.due_at is None or now <= case.due_at)
    return case


@operation
def mark_ready(session: Session, case_id: int, *, note: str | None = None,
               actor: Actor) -> Case:
    """The result (certificate, approval letter) waits at the hall for the applicant."""
    case = get_case(session, case_id)
    _require_worker(session, case, actor)
    _require_state(case, "mark_ready", S.DECIDED)
    case.state = S.READY.value
    _event(session, case, "case.ready", actor, note=_note(note))
    return case


@operation
def close(session: Session, case_id: int, *, note: str | None = None, actor: Actor) -> Case:
    """Picked up (or, for a rejection, notified): the matter is over (办结)."""
    case = get_case(session, case_id)
    staff = _staff(session, actor)
    if not (may_work(staff, case) or (staff is not None and staff.has_role(Role.CLERK)
                                      and staff.hall_id == case.hall_id)):
        raise NotCaseDivision(division=case.division.name_zh)
    _require_state(case, "close", S.READY, S.DECIDED)
    case.state = S.CLOSED.value
    case.closed_at = clock.now()
    _event(session, case, "case.closed", actor, note=_note(note))
    return case


@operation
def withdraw(session: Session, case_id: int, *, reason: str, actor: Actor) -> Case:
    """The applicant withdraws the application (at a window or through the division)."""
    case = get_case(session, case_id)
    staff = _staff(session, actor)
    if not (may_work(staff, case) or (staff is not None and staff.has_role(Role.CLERK)
                                      and staff.hall_id == case.hall_id)):
        raise NotCaseDivision(division=case.division.name_zh)
    _require_state(case, "withdraw", S.ACCEPTED, S.IN_PROGRESS, S.AWAITING_DOCUMENTS,
                   S.SPECIAL_PROCEDURE)
    why = _required(reason, "reason", 500)
    case.state = S.WITHDRAWN.value
    case.closed_at = clock.now()
    case.due_at = case.yellow_at = None
    _event(session, case, "case.withdrawn", actor, reason=why)
    return case


# -- the clock stopped by a public notice (公示, hall.notices_public; issue 15) ---------------

def stop_clock_for(case: Case, kind: str, reason: str) -> None:
    """Put an in-progress case into the special procedure ``kind``, its clock stopped, for a
    move of another module that has checked who acts and records its own event (one of
    ``kinds.CLOCK_STOPS``)."""
    _require_state(case, "start_special", S.IN_PROGRESS)
    case.state = S.SPECIAL_PROCEDURE.value
    _pause(case, kind, reason)


def restart_clock(session: Session, case: Case) -> None:
    """Back in progress, the clock running again; the caller has recorded the event that
    restarts it (one of ``kinds.CLOCK_STARTS``) first: the deadline counts the pause from it."""
    _require_state(case, "end_special", S.SPECIAL_PROCEDURE)
    case.state = S.IN_PROGRESS.value
    _resume(session, case)


def _running_notice(session: Session, case: Case) -> PublicNotice | None:
    if case.pause_kind != "public_notice":
        return None
    return session.scalar(select(PublicNotice).where(PublicNotice.case_id == case.id,
                                                     PublicNotice.ended_at.is_(None)))


# -- the clock --------------------------------------------------------------------------------

def _pause(case: Case, kind: str, reason: str | None) -> None:
    case.paused_since = clock.now()
    case.pause_kind = kind
    case.pause_reason = reason
    case.due_at = case.yellow_at = None  # the clock is stopped: no deadline is running


def _resume(session: Session, case: Case) -> None:
    case.paused_since = None
    case.pause_kind = None
    case.pause_reason = None
    deadlines.refresh(session, case, clock.now())


def cases_of_ticket(session: Session, ticket: Ticket) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.ticket_id == ticket.id)
                                .order_by(Case.id)))


