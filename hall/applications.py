"""Applying online (网上申报) and its pre-review (预审): each move one transaction with its event.

A citizen applies for an item that the catalogue offers online (``submit``): the item's form
fields, every required document (``hall.files``: type from the content, size, per-submission
and per-day limits), the declaration. The application gets a service number from the hall's
daily visit counter (as a ticket, a booking or an enquiry does) and an access code, and goes
to the item's division, whose five working days to pre-review it start (``hall.prereview``).

The division accepts it (``accept``: it becomes a case, with a visit record under the same
service number, whose statutory clock starts at the acceptance, or on the day of receipt once
the five days passed), asks once for the missing or wrong documents (``request_documents``,
补正告知: the clock stops; the citizen re-uploads each on the tracking page, ``reupload``, and
the five days run again from the last one), or refuses it with a reason (``refuse``). The
citizen may withdraw it (``withdraw``) until it is decided. The files of a refused or
withdrawn application are kept the legal time, then deleted (``hall.files.retain``).

Who may act is checked here: the division's own staff and the managers of its hall; window
clerks of the hall may read it (the citizen who comes to the hall), nobody of another hall.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from . import access, calendar, cases, clock, files, numbers, prereview, settings, text
from .application_errors import (
    ApplicationNotFound,
    DocumentsAlreadyRequested,
    FormFieldInvalid,
    IllegalApplicationMove,
    InvalidApplicationField,
    NoSuchApplication,
    NotApplicationDivision,
    NotAppliedOnline,
    PrereviewLimitPassed,
)
from .booking_errors import InvalidBookingField
from .bookings import check_phone
from .db import operation
from .errors import HallError
from .events import Actor, record
from .issuing import VISITS, next_value
from .lookup import get_hall, get_service
from .messages import Named
from .models import (
    Application,
    ApplicationState,
    Hall,
    Role,
    ServiceItem,
    Staff,
    StoredFile,
    Ticket,
    TicketStatus,
)
from .models.applications import open_clause
from .models.tickets import ONLINE_SOURCE
from .period import built_once

VISITOR = Actor("visitor")
S = ApplicationState
OWNER = "application"
NAME_MAX = 40
REASON_MAX = 1000
LIST_MAX = 20          # documents asked for in one 补正告知
FIELD_MAX = 200        # a text field of the item's form, unless the field says less
# The visit record of an application accepted online: a ticket never queued or called, its
# own letter (no item has O: read as 0 on a ticket) and counter of the day.
ONLINE_PREFIX = "O"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# -- what the catalogue offers online ---------------------------------------------------------

def offered(session: Session, hall: Hall) -> list[ServiceItem]:
    """The hall's active items that take applications online (a division works them and
    they have a time limit: an on-the-spot item is done at the window)."""
    return list(session.scalars(
        select(ServiceItem).where(ServiceItem.hall_id == hall.id,
                                  ServiceItem.active.is_(True),
                                  ServiceItem.apply_online.is_(True),
                                  ServiceItem.division_id.is_not(None),
                                  ServiceItem.time_limit_days > 0)
        .order_by(ServiceItem.sort_order, ServiceItem.code)))


def online_item(session: Session, hall: Hall, code: str) -> ServiceItem:
    """The item ``code`` of the hall, if it takes applications online."""
    item = get_service(session, hall, (code or "").strip().upper()[:16], typed=True)
    if not (item.active and item.apply_online and item.division_id is not None
            and item.time_limit_days > 0):
        raise NotAppliedOnline(service=item.name_zh)
    return item


def required_documents(item: ServiceItem) -> list[str]:
    """The documents the applicant uploads, by their Chinese name (the label of each file):
    those of the guide marked ``"upload": true``, or every one when none is marked (an
    original shown at the window is not uploaded)."""
    listed = [d for d in (item.documents or []) if isinstance(d, dict) and d.get("zh")]
    marked = [d for d in listed if d.get("upload")]
    return [str(d["zh"]) for d in (marked or listed)]


def document_names(item: ServiceItem) -> list[dict[str, str]]:
    """The documents to upload with both names ({"zh", "en"}), in the order of the form."""
    wanted = required_documents(item)
    listed = {str(d.get("zh")): d for d in (item.documents or []) if isinstance(d, dict)}
    return [{"zh": zh, "en": str(listed.get(zh, {}).get("en") or zh)} for zh in wanted]


def check_values(item: ServiceItem, given: dict[str, str | None], today: date) -> dict[str, str]:
    """The item's form fields as typed, cleaned and checked, by name; an unknown name is
    ignored (never stored). FormFieldInvalid names the first field that is wrong."""
    kept: dict[str, str] = {}
    for spec in item.apply_fields or []:
        name = str(spec.get("name"))
        label = Named(str(spec.get("zh") or name), str(spec.get("en") or spec.get("zh") or name))
        kind, limit = spec.get("kind", "text"), int(spec.get("max") or FIELD_MAX)
        value = text.clean(given.get(name), multiline=kind == "text" and limit > 200)
        if not value:
            if spec.get("required"):
                raise FormFieldInvalid(name, label, "required")
            continue
        kept[name] = _field_value(name, label, kind, min(limit, FIELD_MAX * 10), value, today)
    return kept


def _field_value(name: str, label: str, kind: str, limit: int, value: str, today: date) -> str:
    if kind == "number":
        if not value.isdigit() or len(value) > 12:
            raise FormFieldInvalid(name, label, "number")
        return str(int(value))
    if kind == "date":
        try:
            if not _DATE.match(value):
                raise ValueError(value)
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise FormFieldInvalid(name, label, "date") from None
    if kind == "id_no":
        try:
            return numbers.parse_resident_id(value, today)
        except HallError:
            raise FormFieldInvalid(name, label, "id_no") from None
    if kind == "phone":
        try:
            return check_phone(value)
        except InvalidBookingField:
            raise FormFieldInvalid(name, label, "phone") from None
    if len(value) > limit:
        raise FormFieldInvalid(name, label, "text")
    return value


# -- the citizen applies ---------------------------------------------------------------------

def _person(name: str | None, phone: str | None, id_no: str | None,
            today: date) -> tuple[str, str, str | None]:
    kept_name = text.clean(name)
    if not kept_name or len(kept_name) > NAME_MAX:
        raise InvalidApplicationField("name")
    try:
        digits = check_phone(phone)
    except InvalidBookingField:
        raise InvalidApplicationField("phone") from None
    kept_id = None
    if (id_no or "").strip():
        try:
            kept_id = numbers.parse_resident_id(id_no or "", today)
        except HallError:
            raise InvalidApplicationField("id_no") from None
    return kept_name, digits, kept_id


@operation
def submit(session: Session, hall_code: str, item_code: str, *, name: str | None,
           phone: str | None, id_no: str | None = None,
           values: dict[str, str | None] | None = None, declared: bool = False,
           documents: Sequence[tuple[int, str, bytes]] = (),
           actor: Actor = VISITOR) -> Application:
    """An application for the item, checked whole before anything is written: the form,
    the declaration, one file for each required document (``documents`` as (the document's
    index in the item's list, file name, bytes)); numbered, sent to the item's division,
    its five days of pre-review running. A refused file refuses the whole: nothing stays."""
    hall = get_hall(session, (hall_code or "").strip().upper())
    item = online_item(session, hall, item_code)
    now = clock.now()
    day = clock.local_date(now, hall.timezone)
    person = _person(name, phone, id_no, day)
    kept = check_values(item, values or {}, day)
    if not declared:
        raise InvalidApplicationField("declaration")
    wanted = required_documents(item)
    given = {index for index, _name, _data in documents}
    if any(not isinstance(i, int) or not 0 <= i < len(wanted) for i in given):
        raise InvalidApplicationField("document")
    named = document_names(item)
    missing = [i for i in range(len(wanted)) if i not in given]
    if missing:
        raise InvalidApplicationField("documents", missing=Named(
            "、".join(named[i]["zh"] for i in missing), "; ".join(named[i]["en"] for i in missing)))
    assert item.division is not None  # online_item checked it
    serial = next_value(session.connection(), hall.id, day, VISITS)
    application = Application(
        hall=hall, service=item, division=item.division,
        service_no=numbers.service_number(day, hall.node_no, serial),
        access_code=numbers.new_access_code(), applicant_name=person[0], phone=person[1],
        applicant_id_no=person[2], values=kept, declared_at=now, state=S.SUBMITTED.value,
        created_at=now, received_at=now, warning="none", ever_red=False,
        due_provisional=False, deemed_accepted=False, missing_documents=[])
    session.add(application)
    session.flush()
    _refresh(session, application, now)
    _event(session, application, "application.submitted", actor, service=item.code,
           division=item.division.code, service_no=application.service_no,
           documents=len(documents), due_at=_iso(application.due_at))
    for index, filename, data in documents:
        _store(session, application, wanted[index], filename, data, actor)
    return application


def seed(session: Session, hall: Hall, item: ServiceItem, *, name: str, phone: str,
         values: dict[str, str], documents: Sequence[tuple[str, bytes]],
         at: datetime) -> Application:
    """A pending application for seeded data (the demo), arrived ``at``: numbered from that
    day's visit counter and kept the same way as ``submit``, without an event (as the demo's
    halls and forms are created without one)."""
    assert item.division is not None
    day = clock.local_date(at, hall.timezone)
    serial = next_value(session.connection(), hall.id, day, VISITS)
    application = Application(
        hall=hall, service=item, division=item.division,
        service_no=numbers.service_number(day, hall.node_no, serial),
        access_code=numbers.new_access_code(), applicant_name=name, phone=phone,
        values=values, declared_at=at, state=S.SUBMITTED.value, created_at=at,
        received_at=at, warning="none", ever_red=False, due_provisional=False,
        deemed_accepted=False, missing_documents=[])
    session.add(application)
    session.flush()
    _refresh(session, application, clock.now())
    for label, (filename, data) in zip(required_documents(item), documents, strict=False):
        files.seed(session, hall, owner=OWNER, owner_id=application.id, label=label,
                   filename=filename, data=data, actor=VISITOR)
    return application


def _store(session: Session, application: Application, label: str, filename: str,
           data: bytes, actor: Actor) -> StoredFile:
    return files.store(session, application.hall, owner=OWNER, owner_id=application.id,
                       label=label, filename=filename, data=data, actor=actor,
                       extra={"application": application.id})


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def _event(session: Session, application: Application, kind: str, actor: Actor,
           **data) -> None:
    """The application's event: its id in the data, and its case once there is one."""
    record(session, application.hall, kind, actor=actor, case=application.case,
           application=application.id, state=application.state, **data)


def _refresh(session: Session, application: Application, now: datetime) -> None:
    """The pre-review limit of an application waiting for it (from the last receipt of its
    documents), and its colour now; none in any other state."""
    if application.state != S.SUBMITTED.value:
        application.due_at = application.yellow_at = None
        return
    limit = prereview.prereview_due(
        calendar.load(session, application.hall.id), received_at=application.received_at,
        close_of_business=settings.of(session).close_of_business,
        tz=application.hall.timezone)
    application.due_at, application.yellow_at = limit.due_at, limit.yellow_at
    application.due_provisional = limit.provisional
    application.warning = prereview.warning_at(now, due_at=limit.due_at,
                                               yellow_at=limit.yellow_at)
    if application.warning == "red":
        application.ever_red, application.red_at = True, application.red_at or now


# -- finding one ----------------------------------------------------------------------------------

def get_application(session: Session, application_id: int, *, lock: bool = True) -> Application:
    query = select(Application).where(Application.id == application_id)
    if lock:  # read afresh: the deadline job changes applications with plain UPDATEs
        query = query.with_for_update().execution_options(populate_existing=True)
    application = session.scalar(query) if isinstance(application_id, int) else None
    if application is None:
        raise NoSuchApplication(application=application_id)
    return application


def by_service_no(session: Session, service_no: str) -> Application | None:
    """The application with this service number (checked or not: an unknown shape finds
    nothing); alone it proves nothing (``find`` asks for the access code)."""
    number = numbers.normalize(service_no or "")
    if not numbers.is_service_number(number):
        return None
    return session.scalar(select(Application).where(Application.service_no == number).options(
        joinedload(Application.hall), joinedload(Application.service),
        joinedload(Application.division)))


def find(session: Session, service_no: str | None, access_code: str | None, *,
         lock: bool = False) -> Application:
    """The application with this service number, if the access code is its own; else
    ApplicationNotFound, the same for an unknown number and a wrong code."""
    application = by_service_no(session, service_no or "")
    given = numbers.normalize(access_code or "").upper()
    if application is None or not secrets.compare_digest(application.access_code.encode(),
                                                         given.encode()):
        raise ApplicationNotFound()
    if lock:
        return get_application(session, application.id)
    return application


def documents_of(session: Session, application: Application) -> list[StoredFile]:
    """The files of the application, in the order they came (re-uploads last)."""
    return files.files_of(session, OWNER, application.id)


def still_missing(session: Session, application: Application) -> list[str]:
    """Of the documents asked for, those not re-uploaded since they were asked for."""
    if application.state != S.AWAITING_DOCUMENTS.value or application.requested_at is None:
        return []
    since = application.requested_at
    came = {f.label for f in documents_of(session, application) if f.created_at >= since}
    return [d for d in application.missing_documents if d not in came]


# -- who may act -------------------------------------------------------------------------------

def _staff(session: Session, actor: Actor) -> Staff | None:
    return session.get(Staff, actor.staff_id) if actor.staff_id else None


def is_manager_for(staff: Staff | None, application: Application) -> bool:
    if staff is None or not staff.active or not staff.has_role(Role.MANAGER):
        return False
    return access.sees_hall(staff, application.hall)


def may_work(staff: Staff | None, application: Application) -> bool:
    """The division's own staff, or a manager of the hall."""
    if staff is None or not staff.active:
        return False
    if staff.has_role(Role.DIVISION) and staff.division_id == application.division_id:
        return True
    return is_manager_for(staff, application)


def may_see(staff: Staff | None, application: Application) -> bool:
    """Whoever may work it, and the window clerks of its hall: the citizen who applied
    online may come to the hall, and the clerk sees the application and its files."""
    if may_work(staff, application):
        return True
    return bool(staff is not None and staff.active and staff.has_role(Role.CLERK)
                and staff.hall_id == application.hall_id)


def _staff_may_read(session: Session, file: StoredFile, staff: Staff) -> bool:
    application = session.get(Application, file.owner_id)
    return application is not None and may_see(staff, application)


files.register_owner(OWNER, _staff_may_read)


def _worker(session: Session, application: Application, actor: Actor) -> Staff:
    staff = _staff(session, actor)
    if staff is None or not may_work(staff, application):
        raise NotApplicationDivision(division=application.division.name_zh)
    return staff


def _require_state(application: Application, move: str, *states: ApplicationState) -> None:
    if application.state not in {s.value for s in states}:
        raise IllegalApplicationMove(state=application.state, move=move)


def _within_limit(application: Application, now: datetime) -> None:
    """Asking for documents or refusing is for the five days only; after them the
    application counts as accepted."""
    if application.due_at is not None and now > application.due_at:
        raise PrereviewLimitPassed()


# -- the division's moves -----------------------------------------------------------------------

@operation
def accept(session: Session, application_id: int, *, actor: Actor,
           note: str | None = None) -> Application:
    """Accept it (受理): it becomes a case of the item's division, with a visit record under
    the application's service number and access code. The case's statutory clock starts
    now, or, the five days having passed, on the day the documents arrived."""
    application = get_application(session, application_id)
    staff = _worker(session, application, actor)
    _require_state(application, "accept", S.SUBMITTED)
    now = clock.now()
    assert application.due_at is not None  # a submitted application has its limit
    start = prereview.accepted_from(received_at=application.received_at, decided_at=now,
                                    due_at=application.due_at)
    ticket = _visit_record(session, application, now)
    case = cases.open_case(
        session, hall=application.hall, ticket=ticket, service=application.service,
        actor=actor, subject=application.service.name_zh,
        applicant_name=application.applicant_name,
        applicant_id_no=application.applicant_id_no, applicant_phone=application.phone,
        accepted_at=start.starts_at, kind="case.accepted_online",
        service_no=application.service_no, deemed=start.deemed)
    application.state = S.ACCEPTED.value
    application.case = case
    application.handler_id = staff.id
    application.decided_at = now
    application.prereview_on_time = start.on_time
    application.deemed_accepted = start.deemed
    _refresh(session, application, now)
    _event(session, application, "application.accepted", actor, case_no=case.case_no,
           deemed=start.deemed, on_time=start.on_time,
           note=text.bounded(note, "note", REASON_MAX) if note else None)
    return application


def _visit_record(session: Session, application: Application, now: datetime) -> Ticket:
    """The visit of an application accepted online: finished, never queued, under the
    application's service number and access code (the day it arrived), so the tracking
    page, the window and the case's receipt know one visitor."""
    hall = application.hall
    day = date(2000 + int(application.service_no[:2]), int(application.service_no[2:4]),
               int(application.service_no[4:6]))
    seq = next_value(session.connection(), hall.id, day, ONLINE_PREFIX)
    ticket = Ticket(hall=hall, day=day, prefix=ONLINE_PREFIX, seq=seq,
                    number=numbers.queue_number(ONLINE_PREFIX, seq),
                    service_no=application.service_no, access_code=application.access_code,
                    service=application.service, status=TicketStatus.FINISHED.value,
                    is_priority=False, queued_at=application.created_at,
                    issued_at=application.created_at, finished_at=now, call_count=0,
                    source=ONLINE_SOURCE, away=False)
    session.add(ticket)
    session.flush()
    return ticket


@operation
def request_documents(session: Session, application_id: int, *, documents: Sequence[str],
                      note: str | None = None, actor: Actor) -> Application:
    """Tell the applicant, once and completely, what is missing or wrong (补正告知): the
    five days stop; the applicant re-uploads each document on the tracking page."""
    application = get_application(session, application_id)
    staff = _worker(session, application, actor)
    if application.requested_at is not None:
        raise DocumentsAlreadyRequested()
    _require_state(application, "request_documents", S.SUBMITTED)
    now = clock.now()
    _within_limit(application, now)
    wanted: list[str] = []
    for raw in documents:
        kept = text.clean(raw)
        if kept and kept not in wanted:
            if len(kept) > files.LABEL_LIMIT:
                raise InvalidApplicationField("list", max=LIST_MAX)
            wanted.append(kept)
    if not wanted or len(wanted) > LIST_MAX:
        raise InvalidApplicationField("list", max=LIST_MAX)
    application.state = S.AWAITING_DOCUMENTS.value
    application.missing_documents = wanted
    application.requested_note = text.bounded(note, "note", REASON_MAX, multiline=True)
    application.requested_at = now
    application.handler_id = staff.id
    application.prereview_on_time = True
    _refresh(session, application, now)
    _event(session, application, "application.documents_requested", actor, documents=wanted,
           note=application.requested_note)
    return application


@operation
def refuse(session: Session, application_id: int, *, reason: str, actor: Actor) -> Application:
    """Not acceptable (不予受理), with the reason the applicant reads; its files are kept the
    legal time, then deleted."""
    application = get_application(session, application_id)
    staff = _worker(session, application, actor)
    _require_state(application, "refuse", S.SUBMITTED, S.AWAITING_DOCUMENTS)
    now = clock.now()
    if application.state == S.SUBMITTED.value:
        _within_limit(application, now)
    why = text.clean(reason, multiline=True)
    if not why or len(why) > REASON_MAX:
        raise InvalidApplicationField("reason", max=REASON_MAX)
    application.state = S.REFUSED.value
    application.refuse_reason = why
    application.decided_at = now
    application.handler_id = staff.id
    if application.prereview_on_time is None:
        application.prereview_on_time = True
    _refresh(session, application, now)
    kept = files.retain(session, OWNER, application.id)
    _event(session, application, "application.refused", actor, reason=why, files_kept=kept)
    return application


# -- the citizen's moves --------------------------------------------------------------------

@operation
def reupload(session: Session, service_no: str | None, access_code: str | None, *,
             document: int, filename: str, data: bytes,
             actor: Actor = VISITOR) -> Application:
    """One of the documents asked for (``document``: its index in the list), uploaded with
    the service number and access code. Once every one has come, the documents are received
    anew: the application waits for pre-review again, its five days running from now."""
    application = find(session, service_no, access_code, lock=True)
    _require_state(application, "reupload", S.AWAITING_DOCUMENTS)
    asked = application.missing_documents
    if isinstance(document, bool) or not isinstance(document, int) or not (
            0 <= document < len(asked)):
        raise InvalidApplicationField("document")
    _store(session, application, asked[document], filename, data, actor)
    if still_missing(session, application):
        return application
    now = clock.now()
    application.state = S.SUBMITTED.value
    application.received_at = application.resupplied_at = now
    application.warning = "none"
    _refresh(session, application, now)
    _event(session, application, "application.documents_supplied", actor,
           documents=list(asked), due_at=_iso(application.due_at))
    return application


@operation
def withdraw(session: Session, service_no: str | None, access_code: str | None, *,
             actor: Actor = VISITOR) -> Application:
    """The applicant withdraws it before it is decided; its files are kept the legal time,
    then deleted."""
    application = find(session, service_no, access_code, lock=True)
    _require_state(application, "withdraw", S.SUBMITTED, S.AWAITING_DOCUMENTS)
    now = clock.now()
    application.state = S.WITHDRAWN.value
    application.withdrawn_at = now
    _refresh(session, application, now)
    kept = files.retain(session, OWNER, application.id)
    _event(session, application, "application.withdrawn", actor, files_kept=kept)
    return application


# -- reading for the division and the figures ---------------------------------------------------

INBOX_LIMIT = 100


def inbox(session: Session, hall_id: int, *, division_id: int | None = None,
          limit: int = INBOX_LIMIT) -> list[Application]:
    """Applications waiting for pre-review, the nearest limit first (overdue on top), then
    those waiting for the applicant's documents, the oldest request first."""
    query = select(Application).where(Application.hall_id == hall_id, open_clause())
    if division_id is not None:
        query = query.where(Application.division_id == division_id)
    query = query.options(joinedload(Application.service), joinedload(Application.division))
    found = list(session.scalars(query.where(Application.due_at.is_not(None))
                                 .order_by(Application.due_at, Application.id).limit(limit)))
    if len(found) < limit:
        found += session.scalars(query.where(Application.due_at.is_(None))
                                 .order_by(Application.requested_at, Application.id)
                                 .limit(limit - len(found)))
    return found


def inbox_count(session: Session, hall_id: int, division_id: int | None = None) -> int:
    query = select(func.count()).select_from(Application).where(
        Application.hall_id == hall_id, open_clause())
    if division_id is not None:
        query = query.where(Application.division_id == division_id)
    return session.scalar(query) or 0


def figures(session: Session, hall_id: int, start: datetime, end: datetime) -> dict[str, int]:
    """Counts for the period [start, end): applications submitted in it; accepted (deemed
    accepted among them), refused and withdrawn in it; awaiting pre-review at its end; and
    pre-reviews answered in it on time or late."""
    row = session.execute(_figures_statement(hall_id, start, end)).one()
    return {name: value or 0 for name, value in row._mapping.items()}


@built_once
def _figures_statement(hall_id: int, start: datetime, end: datetime):
    """Every count of ``figures`` in one statement (one round trip), built once per period."""
    A = Application

    def count(*where):
        return (select(func.count()).select_from(A).where(A.hall_id == hall_id, *where)
                .scalar_subquery())

    decided = (A.decided_at >= start, A.decided_at < end)
    return select(
        count(A.created_at >= start, A.created_at < end).label("submitted"),
        count(A.state == S.ACCEPTED.value, *decided).label("accepted"),
        count(A.state == S.ACCEPTED.value, A.deemed_accepted.is_(True),
              *decided).label("deemed_accepted"),
        count(A.state == S.REFUSED.value, *decided).label("refused"),
        count(A.withdrawn_at >= start, A.withdrawn_at < end).label("withdrawn"),
        count(A.created_at < end, A.state == S.SUBMITTED.value).label("awaiting_prereview"),
        count(A.prereview_on_time.is_(True),
              func.coalesce(A.requested_at, A.decided_at) >= start,
              func.coalesce(A.requested_at, A.decided_at) < end).label("prereview_on_time"),
        count(A.prereview_on_time.is_(False), *decided).label("prereview_late"),
    )
