"""Asking, complaining and reporting online (在线咨询、投诉、举报): each move one transaction
with its event.

A citizen sends a question, a complaint or a report about a topic of a hall (``submit``); it
gets a service number from the hall's daily visit counter (as a ticket or a booking does) and
an access code, and goes to the division that owns the topic. The division answers a question
in the thread (``reply``: the first answer answers it), accepts or declines a complaint or a
report (``accept``, ``decline``) and concludes it (``conclude``); a manager of the hall grants
one extension of the conclusion (``request_extension``, ``decide_extension``). The citizen
reads the thread and writes in it with the service number and access code (``citizen_reply``).
Every limit is the rule kept on the enquiry (``hall.enquiry_deadlines``).

Who may act is checked here, not only in the pages: the staff of the enquiry's division and the
managers of its hall, nobody of another hall.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from . import access, clock, files, numbers, text
from . import enquiry_deadlines as limits
from .booking_errors import InvalidBookingField
from .bookings import check_phone
from .db import operation
from .enquiry_errors import (
    EnquiryExtensionUsed,
    EnquiryFinished,
    EnquiryNotFound,
    IllegalEnquiryMove,
    InvalidEnquiryField,
    NoEnquiryExtension,
    NoSuchEnquiry,
    NotEnquiryDivision,
    TopicNotForKind,
    UnknownTopic,
)
from .errors import ExtensionState, InvalidCaseNumber, NoExtensionPending, NotAManager
from .events import Actor, record
from .issuing import VISITS, next_value
from .lookup import get_hall
from .models import (
    Case,
    Enquiry,
    EnquiryMessage,
    EnquiryState,
    EnquiryTopic,
    Hall,
    Role,
    Staff,
    StoredFile,
)
from .models.enquiries import FINISHED_STATES, KINDS

VISITOR = Actor("visitor")
S = EnquiryState
SUBJECT_MAX = 100
BODY_MAX = 4000
NAME_MAX = 40
REASON_MAX = 1000
# Attachments (PDF, JPEG, PNG: checked by ``hall.files``) kept with what was sent.
OWNER = "enquiry"
MAX_ATTACHMENTS = 3
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


# -- the citizen sends it ------------------------------------------------------------------------

def _text(value: str | None, field: str, limit: int, *, multiline: bool = False) -> str:
    """Cleaned of invisible characters; refused, naming the field, when blank or too long."""
    kept = text.clean(value, multiline=multiline)
    if not kept:
        raise InvalidEnquiryField(field, max=limit)
    if len(kept) > limit:
        raise InvalidEnquiryField(field, max=limit, given=len(kept))
    return kept


def _contact(kind: str, anonymous: bool, name: str | None, phone: str | None,
             email: str | None) -> tuple[str | None, str | None, str | None]:
    """(name, mobile number, e-mail), checked; nothing at all for an anonymous report, whose
    only handle is its service number and access code."""
    if anonymous:
        if kind != "report":
            raise InvalidEnquiryField("anonymous")
        return None, None, None
    kept_name = text.clean(name)
    if not kept_name or len(kept_name) > NAME_MAX:
        raise InvalidEnquiryField("name")
    try:
        digits = check_phone(phone)
    except InvalidBookingField:
        raise InvalidEnquiryField("phone") from None
    address = (email or "").strip() or None
    if address is not None and (len(address) > 254 or not _EMAIL.match(address)
                                or text.has_invisible(address)):
        raise InvalidEnquiryField("email")
    return kept_name, digits, address


def _topic(session: Session, hall: Hall, kind: str, code: str | None) -> EnquiryTopic:
    wanted = (code or "").strip().upper()
    if not wanted:
        raise InvalidEnquiryField("topic")
    topic = session.scalar(select(EnquiryTopic).where(
        EnquiryTopic.hall_id == hall.id, EnquiryTopic.code == wanted[:16],
        EnquiryTopic.active.is_(True)))
    if topic is None:
        raise UnknownTopic()
    if not topic.allows(kind):
        raise TopicNotForKind(kind)
    return topic


def _related_case(session: Session, hall: Hall, raw: str | None) -> Case | None:
    if not (raw or "").strip():
        return None
    try:
        number = numbers.parse_case_number(raw or "")
    except InvalidCaseNumber:
        raise InvalidEnquiryField("related_case_no") from None
    case = session.scalar(select(Case).where(Case.case_no == number, Case.hall_id == hall.id))
    if case is None:
        raise InvalidEnquiryField("related_case_no")
    return case


@operation
def submit(session: Session, hall_code: str, *, kind: str, topic: str | None, subject: str,
           body: str, name: str | None = None, phone: str | None = None,
           email: str | None = None, anonymous: bool = False,
           related_case_no: str | None = None,
           attachments: Sequence[tuple[str, bytes]] = (), actor: Actor = VISITOR) -> Enquiry:
    """A question, complaint or report sent to a hall: checked whole before anything is
    written, numbered, routed to the topic's division, its first time limit running.

    ``topic`` is the code of one of the hall's active topics that takes ``kind``. It may be
    None only with ``related_case_no`` (an objection to a result under public notice): the
    enquiry then goes to the division of that case. ``attachments`` are (file name, bytes),
    at most ``MAX_ATTACHMENTS``, each checked and kept by ``hall.files`` in this same
    transaction (a refused file refuses the whole, and nothing stays)."""
    hall = get_hall(session, (hall_code or "").strip().upper())
    if kind not in KINDS:
        raise InvalidEnquiryField("kind")
    what = _text(subject, "subject", SUBJECT_MAX)
    said = _text(body, "body", BODY_MAX, multiline=True)
    case = _related_case(session, hall, related_case_no)
    chosen = (_topic(session, hall, kind, topic) if (topic or "").strip() or case is None
              else None)
    person = _contact(kind, bool(anonymous), name, phone, email)
    if len(attachments) > MAX_ATTACHMENTS:
        raise InvalidEnquiryField("attachments", max=MAX_ATTACHMENTS)
    rule = limits.rule_of(session, hall.id, kind)
    now = clock.now()
    day = clock.local_date(now, hall.timezone)
    serial = next_value(session.connection(), hall.id, day, VISITS)
    if chosen is not None:
        division = chosen.division
    else:
        assert case is not None  # a topic is required without a related case
        division = case.division
    enquiry = Enquiry(
        hall=hall, kind=kind, topic=chosen, division=division,
        service_no=numbers.service_number(day, hall.node_no, serial),
        access_code=numbers.new_access_code(), subject=what, body=said,
        anonymous=bool(anonymous), name=person[0], phone=person[1], email=person[2],
        related_case_no=case.case_no if case is not None else None,
        state=(S.OPEN if kind == "consultation" else S.SUBMITTED).value,
        respond_days=rule.respond.days, respond_unit=rule.respond.unit,
        conclude_days=rule.conclude.days if rule.conclude else 0,
        conclude_unit=rule.conclude.unit if rule.conclude else limits.CALENDAR,
        extension_limit=rule.extension_days, created_at=now, warning="none",
        ever_red=False, extension_days=0, due_provisional=False)
    enquiry.respond_due_at = limits.respond_due(session, enquiry).due_at
    session.add(enquiry)
    session.flush()
    about: dict[str, Any] = ({"related_case_no": enquiry.related_case_no}
                             if enquiry.related_case_no else {})
    record(session, hall, "enquiry.submitted", actor=actor, enquiry=enquiry, enquiry_kind=kind,
           topic=chosen.code if chosen is not None else None, division=division.code,
           service_no=enquiry.service_no, anonymous=enquiry.anonymous,
           respond_days=rule.respond.days, unit=rule.respond.unit, **about)
    for number, (filename, data) in enumerate(attachments, 1):
        files.store(session, hall, owner=OWNER, owner_id=enquiry.id,
                    label=f"附件{number}", filename=filename, data=data, actor=actor)
    limits.refresh(session, enquiry, now)
    return enquiry


def attachments_of(session: Session, enquiry: Enquiry) -> list[StoredFile]:
    """The files sent with the enquiry (``hall.files``' rows), in the order they came."""
    return files.files_of(session, OWNER, enquiry.id)


# -- finding one ----------------------------------------------------------------------------------

def get_enquiry(session: Session, enquiry_id: int, *, lock: bool = True) -> Enquiry:
    query = select(Enquiry).where(Enquiry.id == enquiry_id)
    if lock:  # read afresh: the deadline job changes enquiries with plain UPDATEs
        query = query.with_for_update().execution_options(populate_existing=True)
    enquiry = session.scalar(query)
    if enquiry is None:
        raise NoSuchEnquiry(enquiry=enquiry_id)
    return enquiry


def by_service_no(session: Session, service_no: str) -> Enquiry | None:
    """The enquiry with this (checked) service number, with its hall, topic and division;
    alone it proves nothing (``find`` asks for the access code)."""
    return session.scalar(select(Enquiry).where(Enquiry.service_no == service_no).options(
        joinedload(Enquiry.hall), joinedload(Enquiry.topic), joinedload(Enquiry.division)))


def find(session: Session, service_no: str | None, access_code: str | None, *,
         lock: bool = False) -> Enquiry:
    """The enquiry with this service number, if the access code is its own; else
    EnquiryNotFound, the same for an unknown number and a wrong code."""
    number = numbers.normalize(service_no or "")
    if not numbers.is_service_number(number):
        raise EnquiryNotFound()
    query = select(Enquiry).where(Enquiry.service_no == number)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    enquiry = session.scalar(query)
    given = numbers.normalize(access_code or "").upper()
    if enquiry is None or not secrets.compare_digest(enquiry.access_code.encode(),
                                                     given.encode()):
        raise EnquiryNotFound()
    return enquiry


def topics(session: Session, hall: Hall, kind: str | None = None) -> list[EnquiryTopic]:
    """The hall's active topics (taking ``kind``, when given), in the hall's order."""
    query = select(EnquiryTopic).where(EnquiryTopic.hall_id == hall.id,
                                       EnquiryTopic.active.is_(True))
    if kind in KINDS:
        query = query.where(getattr(EnquiryTopic, f"for_{kind}").is_(True))
    return list(session.scalars(query.options(joinedload(EnquiryTopic.division))
                                .order_by(EnquiryTopic.sort_order, EnquiryTopic.code)))


def thread(session: Session, enquiry: Enquiry, *, staff: bool = False) -> list[EnquiryMessage]:
    """The messages, oldest first: what the citizen may read, or (``staff``) every one with
    the internal notes."""
    query = select(EnquiryMessage).where(EnquiryMessage.enquiry_id == enquiry.id)
    if not staff:
        query = query.where(EnquiryMessage.visible.is_(True))
    return list(session.scalars(query.options(joinedload(EnquiryMessage.staff))
                                .order_by(EnquiryMessage.id)))


def answers(session: Session, enquiry: Enquiry) -> list[EnquiryMessage]:
    """The office's replies the citizen reads, oldest first: an answered question's answer
    (what the public Q&A publishes, edited, beside ``subject`` and ``body``)."""
    return [m for m in thread(session, enquiry) if m.author == "staff"]


# -- who may act -------------------------------------------------------------------------------

def _staff(session: Session, actor: Actor) -> Staff | None:
    return session.get(Staff, actor.staff_id) if actor.staff_id else None


def is_manager_for(staff: Staff | None, enquiry: Enquiry) -> bool:
    if staff is None or not staff.active or not staff.has_role(Role.MANAGER):
        return False
    return access.sees_hall(staff, enquiry.hall)


def may_work(staff: Staff | None, enquiry: Enquiry) -> bool:
    """The division's own staff, or a manager of the hall (a provincial manager of every
    hall, as for cases)."""
    if staff is None or not staff.active:
        return False
    if staff.has_role(Role.DIVISION) and staff.division_id == enquiry.division_id:
        return True
    return is_manager_for(staff, enquiry)


def _staff_may_read(session: Session, file, staff: Staff) -> bool:
    """An enquiry's attachments: for whoever may work the enquiry."""
    enquiry = session.get(Enquiry, file.owner_id)
    return enquiry is not None and may_work(staff, enquiry)


files.register_owner(OWNER, _staff_may_read)


def _worker(session: Session, enquiry: Enquiry, actor: Actor) -> Staff:
    staff = _staff(session, actor)
    if staff is None or not may_work(staff, enquiry):
        raise NotEnquiryDivision(division=enquiry.division.name_zh)
    return staff


def _require_state(enquiry: Enquiry, move: str, *states: EnquiryState) -> None:
    if enquiry.state not in {s.value for s in states}:
        raise IllegalEnquiryMove(state=enquiry.state, move=move)


def _event(session: Session, enquiry: Enquiry, kind: str, actor: Actor, **data) -> None:
    record(session, enquiry.hall, kind, actor=actor, enquiry=enquiry, state=enquiry.state,
           **data)


def _message(session: Session, enquiry: Enquiry, body: str, *, staff: Staff | None,
             visible: bool = True) -> EnquiryMessage:
    message = EnquiryMessage(enquiry_id=enquiry.id, author="staff" if staff else "citizen",
                             staff_id=staff.id if staff else None, body=body,
                             visible=visible, created_at=clock.now())
    session.add(message)
    session.flush()
    return message


# -- the division's moves -----------------------------------------------------------------------

@operation
def reply(session: Session, enquiry_id: int, *, body: str, actor: Actor,
          internal: bool = False) -> Enquiry:
    """A message of the office in the thread (or an internal note, never shown to the
    citizen). The first reply to an open question answers it."""
    enquiry = get_enquiry(session, enquiry_id)
    staff = _worker(session, enquiry, actor)
    if enquiry.state in FINISHED_STATES and not internal:
        raise IllegalEnquiryMove(state=enquiry.state, move="reply")
    said = _text(body, "reply", BODY_MAX, multiline=True)
    now = clock.now()
    message = _message(session, enquiry, said, staff=staff, visible=not internal)
    if internal:
        _event(session, enquiry, "enquiry.noted", actor, message=message.id)
        return enquiry
    enquiry.citizen_replied_at = None
    if enquiry.state == S.OPEN.value:
        enquiry.state = S.ANSWERED.value
        enquiry.responded_at, enquiry.handler_id = now, staff.id
        limits.refresh(session, enquiry, now, actor=actor)
        _event(session, enquiry, "enquiry.answered", actor, message=message.id,
               on_time=now <= enquiry.respond_due_at)
    else:
        _event(session, enquiry, "enquiry.replied", actor, message=message.id)
    return enquiry


@operation
def accept(session: Session, enquiry_id: int, *, actor: Actor,
           note: str | None = None) -> Enquiry:
    """A complaint or report is accepted (受理): its time limit to conclude starts now."""
    enquiry = get_enquiry(session, enquiry_id)
    staff = _worker(session, enquiry, actor)
    _require_state(enquiry, "accept", S.SUBMITTED)
    now = clock.now()
    said = text.bounded(note, "note", REASON_MAX, multiline=True) if note else None
    enquiry.state = S.ACCEPTED.value
    enquiry.accepted_at = enquiry.responded_at = now
    enquiry.handler_id = staff.id
    if said:
        _message(session, enquiry, said, staff=staff)
        enquiry.citizen_replied_at = None
    limits.refresh(session, enquiry, now, actor=actor)
    _event(session, enquiry, "enquiry.accepted", actor, on_time=now <= enquiry.respond_due_at,
           due_at=enquiry.conclude_due_at.isoformat() if enquiry.conclude_due_at else None)
    return enquiry


@operation
def decline(session: Session, enquiry_id: int, *, reason: str, actor: Actor) -> Enquiry:
    """A complaint or report is not accepted (不予受理), with the reason, which the citizen
    reads in the thread with the access code."""
    enquiry = get_enquiry(session, enquiry_id)
    staff = _worker(session, enquiry, actor)
    _require_state(enquiry, "decline", S.SUBMITTED)
    why = _text(reason, "reason", REASON_MAX, multiline=True)
    now = clock.now()
    enquiry.state = S.DECLINED.value
    enquiry.responded_at = enquiry.closed_at = now
    enquiry.handler_id, enquiry.citizen_replied_at = staff.id, None
    _message(session, enquiry, why, staff=staff)
    limits.refresh(session, enquiry, now, actor=actor)
    _event(session, enquiry, "enquiry.declined", actor, reason=why,
           on_time=now <= enquiry.respond_due_at)
    return enquiry


@operation
def conclude(session: Session, enquiry_id: int, *, note: str, actor: Actor) -> Enquiry:
    """An accepted complaint or report is concluded (办结), with its result in the thread."""
    enquiry = get_enquiry(session, enquiry_id)
    staff = _worker(session, enquiry, actor)
    _require_state(enquiry, "conclude", S.ACCEPTED)
    result = _text(note, "note", BODY_MAX, multiline=True)
    now = clock.now()
    due = enquiry.conclude_due_at
    enquiry.state = S.CONCLUDED.value
    enquiry.concluded_at = enquiry.closed_at = now
    enquiry.citizen_replied_at = None
    enquiry.handler_id = enquiry.handler_id or staff.id
    _message(session, enquiry, result, staff=staff)
    limits.refresh(session, enquiry, now, actor=actor)
    _event(session, enquiry, "enquiry.concluded", actor, note=result,
           on_time=due is None or now <= due)
    return enquiry


@operation
def close(session: Session, enquiry_id: int, *, actor: Actor,
          note: str | None = None) -> Enquiry:
    """An answered question is finished: nothing more is expected of either side."""
    enquiry = get_enquiry(session, enquiry_id)
    _worker(session, enquiry, actor)
    _require_state(enquiry, "close", S.ANSWERED)
    enquiry.state = S.CLOSED.value
    enquiry.closed_at = clock.now()
    enquiry.citizen_replied_at = None
    _event(session, enquiry, "enquiry.closed", actor,
           note=text.bounded(note, "note", REASON_MAX) if note else None)
    return enquiry


@operation
def request_extension(session: Session, enquiry_id: int, *, days: int, reason: str,
                      actor: Actor) -> Enquiry:
    """Ask a manager for more time to conclude an accepted complaint or report, once, at
    most the rule's days, with a reason the citizen will read."""
    enquiry = get_enquiry(session, enquiry_id)
    _worker(session, enquiry, actor)
    _require_state(enquiry, "request_extension", S.ACCEPTED)
    if not enquiry.extension_limit:
        raise NoEnquiryExtension()
    if enquiry.extension_days:
        raise EnquiryExtensionUsed()
    if enquiry.extension_pending_days:
        raise ExtensionState()
    if isinstance(days, bool) or not isinstance(days, int) or not (
            1 <= days <= enquiry.extension_limit):
        raise InvalidEnquiryField("days", max=enquiry.extension_limit)
    why = _text(reason, "reason", REASON_MAX)
    enquiry.extension_pending_days, enquiry.extension_pending_reason = days, why
    _event(session, enquiry, "enquiry.extension_requested", actor, days=days, reason=why,
           unit=enquiry.conclude_unit)
    return enquiry


@operation
def decide_extension(session: Session, enquiry_id: int, *, approve: bool, actor: Actor,
                     note: str | None = None) -> Enquiry:
    """A manager of the hall grants the extension asked for (the limit to conclude moves)
    or refuses it."""
    enquiry = get_enquiry(session, enquiry_id)
    if not is_manager_for(_staff(session, actor), enquiry):
        raise NotAManager()
    if not enquiry.extension_pending_days:
        raise NoExtensionPending()
    days, reason = enquiry.extension_pending_days, enquiry.extension_pending_reason
    enquiry.extension_pending_days = enquiry.extension_pending_reason = None
    kept_note = text.bounded(note, "note", REASON_MAX) if note else None
    if not approve:
        _event(session, enquiry, "enquiry.extension_refused", actor, days=days, note=kept_note)
        return enquiry
    if enquiry.state != S.ACCEPTED.value:  # concluded meanwhile: nothing left to extend
        raise IllegalEnquiryMove(state=enquiry.state, move="decide_extension")
    enquiry.extension_days, enquiry.extension_reason = days, reason
    _event(session, enquiry, "enquiry.extension_granted", actor, days=days, reason=reason,
           unit=enquiry.conclude_unit, note=kept_note)
    limits.refresh(session, enquiry, clock.now(), actor=actor)
    return enquiry


# -- the citizen writes again ------------------------------------------------------------------

@operation
def citizen_reply(session: Session, service_no: str | None, access_code: str | None,
                  body: str, *, actor: Actor = VISITOR) -> Enquiry:
    """The citizen adds to the thread, with the service number and access code, while the
    matter is not over; the division sees that it owes an answer."""
    enquiry = find(session, service_no, access_code, lock=True)
    if enquiry.state in FINISHED_STATES:
        raise EnquiryFinished(enquiry.state)
    said = _text(body, "reply", BODY_MAX, multiline=True)
    message = _message(session, enquiry, said, staff=None)
    enquiry.citizen_replied_at = message.created_at
    _event(session, enquiry, "enquiry.citizen_replied", actor, message=message.id)
    return enquiry
