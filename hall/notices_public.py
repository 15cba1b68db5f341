"""Public notice (公示) of a proposed result, and the objections raised against it.

A manager of the case's hall puts an in-progress case under public notice for a number of
days (3 unless said otherwise) with a short public text ("拟通过职称评审：张*，中级"). The
notice is the lawful pause of the case's clock: the case is in its special procedure
``public_notice`` while it runs, and the deadline moves by the working days it took out
(``hall.deadlines`` counts ``case.notice_started`` … ``case.notice_ended`` as a pause).

- The days are counted as the hall says (``Hall.notice_unit``): working days by default, or
  calendar days. The day the notice is put up does not count (Civil Code art. 201); it ends
  at close of business of its last day, and a period in calendar days whose last day is not
  a working day ends on the next working day (art. 203).
- Anyone may object on the hall's public page while it runs. An objection is a complaint of
  ``hall.enquiries`` (``open_complaint``), in the objector's name: routed to the case's
  division and linked to the case by its number; the objector gets the complaint's service
  number and access code to follow it and read the answer.
- A notice ends when its period is over (``end_due``, the scheduled job; or a manager), or
  earlier when a manager cuts it short with a reason. Its end's event says how many
  objections came in, so it is never ended as "no objection" without a count.

Not ``hall.notices``, which writes the outbox's messages to visitors.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from . import calendar, cases, clock, enquiries, kinds, numbers, settings
from . import text as texts
from .db import operation
from .events import SYSTEM, Actor, record
from .lookup import get_hall
from .models import Case, CaseState, Enquiry, Hall, NoticeObjection, PublicNotice, Staff
from .notice_errors import (
    InvalidNoticeField,
    NotANoticeManager,
    NoticeNotRunning,
    NoticeStillRunning,
    UnknownNotice,
)
from .privacy import mask_name, personal_data

PROCEDURE = "public_notice"   # kinds.SPECIAL_PROCEDURES: the case's special procedure
UNITS = ("working", "calendar")
DEFAULT_DAYS = 3
MAX_DAYS = 30
TEXT_MAX = 200
REASON_MAX = 500
BODY_MAX = 1000
VISITOR = Actor("visitor")    # an objection comes from the public: nobody of the staff
BATCH = 100



# -- the period ----------------------------------------------------------------------------------

def period_end(cal: calendar.WorkingCalendar, started_at: datetime, days: int, unit: str, *,
               close_of_business: time, tz: str) -> datetime:
    """When a notice put up at ``started_at`` for ``days`` days in ``unit`` ends (UTC)."""
    zone = ZoneInfo(tz)
    first = started_at.astimezone(zone).date()  # does not count (Civil Code art. 201)
    if unit == "working":
        last, _provisional = cal.working_days_after(first, days)
    else:
        last = first + timedelta(days=days)
        while not cal.is_working_day(last):  # art. 203: ends on the next working day
            last += timedelta(days=1)
    return datetime.combine(last, close_of_business, tzinfo=zone).astimezone(UTC)


def unit_of(hall: Hall) -> str:
    return hall.notice_unit if hall.notice_unit in UNITS else "working"


# -- checks --------------------------------------------------------------------------------------

def _manager_of(session: Session, case: Case, actor: Actor) -> Staff:
    """The member of staff acting, if a manager of the case's hall (a provincial manager
    looks after every hall); refused otherwise, whatever the page offered."""
    staff = session.get(Staff, actor.staff_id) if actor.staff_id else None
    if staff is None or not staff.active or not cases.is_manager_for(staff, case):
        raise NotANoticeManager()
    return staff


def _days(value: object) -> int:
    try:
        days = int(str(value).strip()) if value not in (None, "") else DEFAULT_DAYS
    except ValueError:
        raise InvalidNoticeField("days", max=MAX_DAYS) from None
    if not 1 <= days <= MAX_DAYS:
        raise InvalidNoticeField("days", max=MAX_DAYS)
    return days


def _public_text(value: str | None, case: Case) -> str:
    """The notice's public text: said, short, and naming nobody in full (the manager is told
    to write the applicant masked, 张*); an ID or mobile number is refused too."""
    kept = texts.clean(value)
    if not kept or len(kept) > TEXT_MAX:
        raise InvalidNoticeField("text", max=TEXT_MAX)
    if personal_data(kept, names=(case.applicant_name,)):
        raise InvalidNoticeField("text_personal")
    return kept


def suggested_text(case: Case) -> str:
    """What the notice form offers to start from: the item and the applicant masked."""
    return f"拟通过{case.service.name_zh}：{mask_name(case.applicant_name)}"


# -- putting a case under notice -----------------------------------------------------------------

@operation
def put_under_notice(session: Session, case_id: int, *, text: str, days: object = DEFAULT_DAYS,
                     actor: Actor) -> PublicNotice:
    """Put an in-progress case under public notice: its clock stops until the notice ends."""
    case = cases.get_case(session, case_id)
    staff = _manager_of(session, case, actor)
    length = _days(days)
    public = _public_text(text, case)
    unit = unit_of(case.hall)
    now = clock.now()
    ends = period_end(calendar.load(session, case.hall_id), now, length, unit,
                      close_of_business=settings.of(session).close_of_business,
                      tz=case.hall.timezone)
    cases.stop_clock_for(case, PROCEDURE, public)
    notice = PublicNotice(hall_id=case.hall_id, case_id=case.id, text=public, days=length,
                          unit=unit, started_at=now, ends_at=ends, started_by_id=staff.id,
                          objections=0)
    session.add(notice)
    session.flush()
    record(session, case.hall, "case.notice_started", actor=actor, case=case,
           ticket=case.ticket, state=case.state, notice=notice.id, notice_text=public,
           days=length, unit=unit, notice_from=now.isoformat(), notice_until=ends.isoformat())
    return notice


# -- ending it -----------------------------------------------------------------------------------

def _locked_notice(session: Session, notice_id: int, hall_id: int | None = None) -> PublicNotice:
    query = select(PublicNotice).where(PublicNotice.id == notice_id)
    if hall_id is not None:
        query = query.where(PublicNotice.hall_id == hall_id)
    notice = session.scalar(query.with_for_update().execution_options(populate_existing=True))
    if notice is None:
        raise UnknownNotice(notice=notice_id)
    return notice


def objection_count(session: Session, notice_id: int) -> int:
    return session.scalar(select(func.count()).select_from(NoticeObjection)
                          .where(NoticeObjection.notice_id == notice_id)) or 0


@operation
def end_notice(session: Session, notice_id: int, *, actor: Actor,
               reason: str | None = None) -> PublicNotice:
    """End a notice: once its period is over (the job, or a manager), or earlier by a
    manager who says why. The clock runs again; the event counts the objections received."""
    notice = _locked_notice(session, notice_id)
    if notice.ended_at is not None:
        raise NoticeNotRunning()
    case = cases.get_case(session, notice.case_id)
    now = clock.now()
    early = now < notice.ends_at
    why = None
    if actor.staff_id is not None or early:  # the job ends a notice only once it is over
        _manager_of(session, case, actor)
    if early:
        why = texts.clean(reason)
        if not why:
            raise NoticeStillRunning(notice.ends_at, case.hall.timezone)
        if len(why) > REASON_MAX:
            raise InvalidNoticeField("reason", max=REASON_MAX)
    count = objection_count(session, notice.id)
    notice.ended_at, notice.objections = now, count
    still_paused = (case.state == CaseState.SPECIAL_PROCEDURE.value
                    and case.pause_kind == PROCEDURE)
    if not still_paused:
        notice.outcome, ending = "case_closed", "case_closed"
    elif early:
        notice.outcome, ending = "cut_short", "cut_short"
    else:
        notice.outcome, ending = "period_over", ("objections" if count else "no_objection")
    record(session, case.hall, "case.notice_ended", actor=actor, case=case, ticket=case.ticket,
           state=CaseState.IN_PROGRESS.value if still_paused else case.state,
           notice=notice.id, ending=ending, objections=count, reason=why)
    if still_paused:
        cases.restart_clock(session, case)
    return notice


def end_due(session: Session) -> list[PublicNotice]:
    """The scheduled job: end every notice whose period is over by the hall's clock, each in
    a transaction of its own; one another process ended meanwhile is left alone (its row is
    locked and read afresh), so every process may run the job."""
    ended: list[PublicNotice] = []
    while True:
        due = list(session.scalars(
            select(PublicNotice.id).where(PublicNotice.ended_at.is_(None),
                                          PublicNotice.ends_at <= clock.now())
            .order_by(PublicNotice.ends_at).limit(BATCH)))
        for notice_id in due:
            try:
                ended.append(end_notice(session, notice_id, actor=SYSTEM))
            except NoticeNotRunning:
                continue
        if len(due) < BATCH:
            return ended


# -- objections ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Objection:
    row: NoticeObjection
    complaint: Enquiry   # what the objector follows it by: its service number and access code


def open_complaint(session: Session, case: Case, *, name: str | None, phone: str | None,
                   email: str | None, body: str, actor: Actor) -> Enquiry:
    """The objection as a complaint (投诉) of the hall's complaints (``hall.enquiries``):
    without a topic, linked to the case by its number, which routes it to the case's division;
    in the objector's name (a complaint is never anonymous; only a report may be)."""
    return enquiries.submit(
        session, case.hall.code, kind="complaint", topic=None,
        subject=f"公示异议：办件 {numbers.grouped(case.case_no)}", body=body, name=name,
        phone=phone, email=email, anonymous=False, related_case_no=case.case_no, actor=actor)


@operation
def object_to(session: Session, hall_code: str, notice_id: int, *, name: str | None,
              phone: str | None, body: str | None, declared: bool, email: str | None = None,
              actor: Actor = VISITOR) -> Objection:
    """An objection to a running notice: a complaint opened and tied to the notice, in one
    transaction. The notice row is locked first, so an objection either lands before the
    notice ends, and is counted, or is refused."""
    hall = get_hall(session, hall_code)
    notice = _locked_notice(session, notice_id, hall.id)
    case = cases.get_case(session, notice.case_id)
    if (notice.ended_at is not None or clock.now() >= notice.ends_at
            or case.state != CaseState.SPECIAL_PROCEDURE.value):
        raise NoticeNotRunning()
    what = texts.clean(body, multiline=True)
    if not what or len(what) > BODY_MAX:
        raise InvalidNoticeField("body", max=BODY_MAX)
    if not declared:
        raise InvalidNoticeField("declaration")
    complaint = open_complaint(session, case, name=name, phone=phone, email=email, body=what,
                               actor=actor)
    row = NoticeObjection(notice_id=notice.id, case_id=case.id, complaint_id=complaint.id,
                          received_at=clock.now())
    session.add(row)
    session.flush()
    record(session, hall, "case.objection_received", actor=actor, case=case,
           ticket=case.ticket, notice=notice.id, objection=row.id,
           complaint_no=complaint.service_no)
    return Objection(row, complaint)


# -- reading -------------------------------------------------------------------------------------

def get_notice(session: Session, hall: Hall, notice_id: int) -> PublicNotice:
    notice = session.scalar(select(PublicNotice).where(PublicNotice.id == notice_id,
                                                       PublicNotice.hall_id == hall.id))
    if notice is None:
        raise UnknownNotice(notice=notice_id)
    return notice


def running(session: Session, hall: Hall, now: datetime | None = None) -> list[PublicNotice]:
    """The hall's notices the public may object to now, the soonest to end first."""
    at = now or clock.now()
    return list(session.scalars(
        select(PublicNotice).join(Case, Case.id == PublicNotice.case_id)
        .options(joinedload(PublicNotice.case).joinedload(Case.service))
        .where(PublicNotice.hall_id == hall.id, PublicNotice.ended_at.is_(None),
               PublicNotice.ends_at > at, Case.state == CaseState.SPECIAL_PROCEDURE.value)
        .order_by(PublicNotice.ends_at, PublicNotice.id)))


def stamp(session: Session, hall: Hall) -> tuple:
    """What the hall's public list of notices is built from, for its ETag: the notices
    started and ended (the list's end times are compared with the clock in its tag)."""
    row = session.execute(select(func.count(), func.max(PublicNotice.id),
                                 func.max(PublicNotice.ended_at))
                          .where(PublicNotice.hall_id == hall.id)).one()
    return tuple(row)


@dataclass(frozen=True)
class CasePanel:
    """What the case's page shows of public notice: the notice running or last ended, the
    objections received, and whether this member of staff may put it under notice."""

    notice: PublicNotice | None
    objections: list[NoticeObjection]
    may_manage: bool
    suggested: str
    complaint_states: dict = field(default_factory=lambda: kinds.ENQUIRY_STATE_WORDS)


def panel(session: Session, case: Case, staff: Staff | None) -> CasePanel:
    notice = session.scalar(select(PublicNotice).where(PublicNotice.case_id == case.id)
                            .order_by(PublicNotice.id.desc()).limit(1))
    objections = list(session.scalars(
        select(NoticeObjection).where(NoticeObjection.case_id == case.id)
        .options(joinedload(NoticeObjection.complaint)).order_by(NoticeObjection.id)))
    may = bool(staff is not None and staff.active and cases.is_manager_for(staff, case))
    return CasePanel(notice, objections, may, suggested_text(case))
