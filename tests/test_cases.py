"""Cases from the window to pick-up: deadlines in working days, pauses, extensions, refusals."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from stdnum.iso7064 import mod_11_2

from conftest import actor
from hall import calendar, calendar_admin, cases, clock, deadlines, issuing, lease, queue
from hall.errors import (
    CaseFieldRequired,
    CaseNotNeeded,
    IllegalCaseMove,
    InvalidIdNumber,
    NoExtensionPending,
    NotAManager,
    NotCaseDivision,
    UnknownDivision,
)
from hall.models import Case, Event
from hall.web.extensions import db

# Monday 2026-11-23, 09:30 in Harbin.
MONDAY = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


def local(day: str, hour: int = 17) -> datetime:
    """A local (UTC+8) time as the aware UTC instant the database keeps."""
    d = datetime.fromisoformat(day)
    return datetime(d.year, d.month, d.day, hour - 8, tzinfo=UTC)


def valid_id_no() -> str:
    body = "11010519491231002"
    return body + mod_11_2.calc_check_digit(body)


class Hall:
    def __init__(self, app, session, frozen):
        self.app, self.session, self.clock = app, session, frozen
        self.clerk = actor(app, "clerk03")
        self.civil = actor(app, "division01")  # 公务员管理处: exam recruitment is theirs
        self.title = actor(app, "division02")
        self.manager = actor(app, "manager")
        calendar.import_official(session)

    def visitor_at_window(self, service: str = "EXAM", window: int = 3) -> str:
        clerk = actor(self.app, f"clerk{window:02d}")
        number = issuing.issue_ticket(self.session, "HQ", service).number
        queue.open_window(self.session, "HQ", window, actor=clerk)
        queue.call_ticket(self.session, "HQ", window, number, actor=clerk)
        return number

    def accept(self, window: int = 3, **fields) -> Case:
        self.visitor_at_window(fields.pop("service", "EXAM"), window)
        return cases.accept(self.session, "HQ", window, actor=actor(self.app, f"clerk{window:02d}"),
                            applicant_name=fields.pop("applicant_name", "张三丰"),
                            subject=fields.pop("subject", "资格复审"), **fields)

    def events(self, case: Case) -> list[str]:
        return list(self.session.scalars(sa.select(Event.kind).where(Event.case_id == case.id)
                                         .order_by(Event.id)))


@pytest.fixture
def hall(app):
    with app.app_context(), clock.frozen(MONDAY) as frozen:
        yield Hall(app, db.session, frozen)


def test_a_case_accepted_at_the_window_gets_its_deadline_in_working_days(hall):
    case = hall.accept(applicant_id_no=valid_id_no(), applicant_phone="0451-8888 6666")
    # EXAM: 5 working days; Mon 11-23 not counted → Tue..Fri, Mon 11-30 at 17:00.
    assert (case.state, case.division.code) == ("accepted", "CIVIL")
    assert case.due_at == local("2026-11-30") and not case.due_provisional
    assert case.yellow_at == local("2026-11-27")  # one working day of margin
    assert case.first_owner.username == "clerk03"
    assert case.ticket.status == "finished"  # the visit at the window is over
    assert hall.events(case) == ["case.accepted"]


def test_items_finished_at_the_window_open_no_case(hall):
    with pytest.raises(CaseNotNeeded):
        hall.accept(service="CONSULT", window=1)  # policy consultation: windows 1 and 2


def test_the_applicant_and_the_matter_are_required_and_an_id_number_is_checked(hall):
    with pytest.raises(CaseFieldRequired):
        hall.accept(applicant_name="  ")
    with pytest.raises(InvalidIdNumber):
        cases.accept(hall.session, "HQ", 3, actor=hall.clerk, applicant_name="张三丰",
                     subject="x", applicant_id_no=valid_id_no()[:-1] + "0")
    assert hall.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0


def test_the_division_takes_it_asks_for_documents_and_the_clock_stops(hall):
    case = hall.accept()
    with pytest.raises(NotCaseDivision):
        cases.take(hall.session, case.id, actor=hall.title)
    cases.take(hall.session, case.id, actor=hall.civil)
    assert case.handler.username == "division01"
    hall.clock.advance(days=1)  # Tuesday
    cases.request_documents(hall.session, case.id, actor=hall.civil,
                            documents=["学位证书原件", "  ", "单位介绍信"])
    assert case.state == "awaiting_documents" and case.due_at is None
    assert case.missing_documents == ["学位证书原件", "单位介绍信"]
    hall.clock.advance(days=2)  # Thursday: Tue and Wed were paused
    cases.supply_documents(hall.session, case.id, actor=hall.civil)
    assert case.state == "in_progress"
    assert case.due_at == local("2026-12-02")  # two working days later than 11-30
    assert hall.events(case) == ["case.accepted", "case.taken", "case.documents_requested",
                                 "case.documents_supplied"]


def test_special_procedures_pause_the_clock_too(hall):
    case = hall.accept()
    cases.take(hall.session, case.id, actor=hall.civil)
    cases.start_special(hall.session, case.id, actor=hall.civil, kind="public_notice",
                        reason="公示三天")
    hall.clock.advance(days=3)  # paused Mon..Thu; Monday (acceptance day) never counted
    cases.end_special(hall.session, case.id, actor=hall.civil)
    assert case.due_at == local("2026-12-02")  # Tue and Wed given back


def test_an_extension_needs_a_manager_and_moves_the_deadline(hall):
    case = hall.accept()
    cases.take(hall.session, case.id, actor=hall.civil)
    cases.request_extension(hall.session, case.id, actor=hall.civil, days=5,
                            reason="需专家论证")
    with pytest.raises(NotAManager):
        cases.decide_extension(hall.session, case.id, actor=hall.civil, approve=True)
    cases.decide_extension(hall.session, case.id, actor=hall.manager, approve=True)
    assert (case.extension_days, case.due_at) == (5, local("2026-12-07"))
    with pytest.raises(NoExtensionPending):
        cases.decide_extension(hall.session, case.id, actor=hall.manager, approve=True)


def test_routing_decision_pick_up_and_the_refused_moves(hall):
    case = hall.accept()
    with pytest.raises(UnknownDivision):
        cases.route(hall.session, case.id, actor=hall.civil, division="NOPE", reason="x")
    cases.route(hall.session, case.id, actor=hall.civil, division="TITLE",
                reason="属职称评审事项")
    assert case.division.code == "TITLE"
    with pytest.raises(NotCaseDivision):
        cases.take(hall.session, case.id, actor=hall.civil)
    cases.take(hall.session, case.id, actor=hall.title)
    with pytest.raises(CaseFieldRequired):
        cases.decide(hall.session, case.id, actor=hall.title, outcome="rejected")
    cases.decide(hall.session, case.id, actor=hall.title, outcome="approved")
    with pytest.raises(IllegalCaseMove):
        cases.request_documents(hall.session, case.id, actor=hall.title, documents=["x"])
    cases.mark_ready(hall.session, case.id, actor=hall.title)
    cases.close(hall.session, case.id, actor=hall.clerk, note="申请人已领取")
    assert case.state == "closed" and case.closed_at is not None
    assert hall.events(case)[-4:] == ["case.taken", "case.decided", "case.ready", "case.closed"]


def test_a_case_can_be_withdrawn_and_then_nothing_more(hall):
    case = hall.accept()
    cases.withdraw(hall.session, case.id, actor=hall.clerk, reason="申请人撤回")
    assert case.state == "withdrawn" and case.due_at is None
    with pytest.raises(IllegalCaseMove):
        cases.take(hall.session, case.id, actor=hall.civil)


def test_the_deadline_job_marks_yellow_then_red_once(hall):
    case = hall.accept()
    assert deadlines.tick(hall.session).total == 0
    hall.clock.at = local("2026-11-27", 18)  # past the warning line
    assert deadlines.tick(hall.session).yellow == 1
    assert deadlines.tick(hall.session).total == 0  # once
    hall.clock.at = local("2026-11-30", 18)  # past the deadline
    result = deadlines.tick(hall.session)
    assert (result.red, result.yellow) == (1, 0)
    hall.session.refresh(case)
    assert (case.warning, case.ever_red, case.red_at) == ("red", True, hall.clock.at)
    assert hall.events(case) == ["case.accepted", "case.yellow", "case.red"]
    red = hall.session.scalar(sa.select(Event).where(Event.kind == "case.red"))
    assert red.actor == "system" and red.data["division"] == case.division_id


def test_a_paused_case_is_never_marked(hall):
    case = hall.accept()
    cases.take(hall.session, case.id, actor=hall.civil)
    cases.request_documents(hall.session, case.id, actor=hall.civil, documents=["身份证复印件"])
    hall.clock.advance(days=30)
    assert deadlines.tick(hall.session).total == 0
    cases.supply_documents(hall.session, case.id, actor=hall.civil)
    assert case.warning == "none"  # the clock ran again from where it stopped


def test_an_extension_after_red_lowers_the_warning_but_red_is_kept(hall):
    case = hall.accept()
    cases.take(hall.session, case.id, actor=hall.civil)
    hall.clock.at = local("2026-12-01", 10)
    deadlines.tick(hall.session)
    cases.request_extension(hall.session, case.id, actor=hall.civil, days=10, reason="延期")
    cases.decide_extension(hall.session, case.id, actor=hall.manager, approve=True)
    assert (case.warning, case.ever_red) == ("none", True)
    assert "case.warning_lowered" in hall.events(case)


def test_the_lease_lets_one_process_run_the_job(hall):
    ttl = timedelta(minutes=2)
    assert lease.acquire(hall.session, holder="a", ttl=ttl, name=deadlines.JOB)
    assert not lease.acquire(hall.session, holder="b", ttl=ttl, name=deadlines.JOB)
    assert deadlines.run(hall.session, holder="b", ttl=ttl) is None
    assert lease.acquire(hall.session, holder="a", ttl=ttl, name=deadlines.JOB)  # renewed
    hall.clock.advance(minutes=3)  # a died: its lease ran out
    assert lease.acquire(hall.session, holder="b", ttl=ttl, name=deadlines.JOB)
    lease.release(hall.session, holder="b", name=deadlines.JOB)
    assert lease.acquire(hall.session, holder="a", ttl=ttl, name=deadlines.JOB)


def test_a_provisional_2027_deadline_moves_when_the_2027_notice_is_entered(hall):
    from test_calendar import NOTICE_2027
    hall.clock.at = local("2026-12-28", 10)  # Monday; 5 working days reach into 2027
    case = hall.accept()
    # Plain weekdays: 29, 30, 31 December, then 1 and 4 January 2027.
    assert (case.due_at, case.due_provisional) == (local("2027-01-04"), True)
    calendar_admin.enter_notice(hall.session, 2027, NOTICE_2027, notice="国办发明电〔2026〕X号（测试）",
                          actor=actor(hall.app, "admin"), hall=case.hall)
    hall.session.refresh(case)
    # New Year's Day is a holiday now: the fifth working day is 5 January.
    assert (case.due_at, case.due_provisional) == (local("2027-01-05"), False)
    changed = hall.session.scalar(sa.select(Event).where(Event.kind == "case.deadline_changed"))
    assert (changed.case_id, changed.data["why"], changed.data["provisional"]) == \
        (case.id, "calendar", False)


def test_a_local_holiday_moves_the_deadline_of_that_hall_s_open_cases(hall):
    case = hall.accept()
    assert case.due_at == local("2026-11-30")
    calendar_admin.set_local_day(hall.session, case.hall, datetime(2026, 11, 26).date(), "holiday",
                           "地方节日", actor(hall.app, "admin"))
    hall.session.refresh(case)
    assert case.due_at == local("2026-12-01")
