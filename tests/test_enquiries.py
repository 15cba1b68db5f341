"""Questions, complaints and reports in the domain (hall.enquiries): the flows on both
databases, who may act (checked in the domain), bad input refused with nothing written, the
extension once, rules that apply to new enquiries only, yellow and red through the deadline
job, the accountability figures and the notifications."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from enquiry_helpers import MONDAY, NAME, PHONE, any_hall, hall  # noqa: F401
from hall import deadlines, enquiries, enquiry_admin, enquiry_inbox, numbers
from hall.enquiry_errors import (
    EnquiryExtensionUsed,
    EnquiryFinished,
    EnquiryNotFound,
    IllegalEnquiryMove,
    InvalidEnquiryField,
    NotEnquiryDivision,
    TopicNotForKind,
    UnknownTopic,
)
from hall.errors import NotAManager
from hall.models import Enquiry, EnquiryMessage, Event, Notification
from hall.period import Period

ZONE = "Asia/Shanghai"


def local(text: str) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(ZONE))


# -- the flows, on SQLite and PostgreSQL ------------------------------------------------------

def test_a_question_is_answered_the_citizen_asks_on_and_it_is_closed(any_hall):
    h = any_hall
    made = h.ask()
    fresh = h.get(made.id)
    assert numbers.is_service_number(made.service_no) and len(made.access_code) == 8
    assert (fresh.state, fresh.kind, fresh.division_id) == ("open", "consultation",
                                                            h.title_division_id)
    # 3 working days from Monday 23 November: Thursday 26th, 17:00 in Harbin.
    assert fresh.respond_due_at == local("2026-11-26 17:00") == fresh.due_at
    h.do(enquiries.reply, made.id, body="可以，请于12月10日前补交。", actor=h.title)
    answered = h.get(made.id)
    assert answered.state == "answered" and answered.due_at is None
    assert answered.responded_at == MONDAY and answered.handler_id == h.title.staff_id
    h.do(enquiries.citizen_reply, made.service_no, made.access_code, "补交到哪个窗口？")
    assert h.get(made.id).citizen_replied_at is not None
    h.do(enquiries.reply, made.id, body="请到3号窗口。", actor=h.title)
    assert h.get(made.id).citizen_replied_at is None
    h.do(enquiries.close, made.id, actor=h.title)
    assert h.get(made.id).state == "closed"
    assert h.kinds(made.id) == ["enquiry.submitted", "enquiry.answered",
                                "enquiry.citizen_replied", "enquiry.replied", "enquiry.closed"]
    with h.session() as s:
        thread = enquiries.thread(s, s.get(Enquiry, made.id))
        assert [(m.author, m.body[:5]) for m in thread] == [
            ("staff", "可以，请于"), ("citizen", "补交到哪个"), ("staff", "请到3号窗")]


def test_a_complaint_is_accepted_and_concluded(any_hall):
    h = any_hall
    made = h.ask("complaint", subject="窗口推诿", body="3号窗口工作人员推诿，让我跑了三次。")
    assert h.get(made.id).state == "submitted"
    assert h.get(made.id).due_at == local("2026-12-08 17:00")  # 15 calendar days
    h.clock.advance(days=2)
    h.do(enquiries.accept, made.id, actor=h.title)
    accepted = h.get(made.id)
    assert accepted.state == "accepted" and accepted.accepted_at == MONDAY + timedelta(days=2)
    # 60 calendar days from Wednesday 25 November: Sunday 24 January 2027, so Monday 25th.
    assert accepted.conclude_due_at == accepted.due_at == local("2027-01-25 17:00")
    h.do(enquiries.citizen_reply, made.service_no, made.access_code, "补充：时间是上周五下午。")
    h.do(enquiries.conclude, made.id, note="经核查属实，已对相关人员批评教育。", actor=h.title)
    done = h.get(made.id)
    assert done.state == "concluded" and done.closed_at and done.due_at is None
    assert h.kinds(made.id)[-1] == "enquiry.concluded"
    with pytest.raises(EnquiryFinished):
        h.do(enquiries.citizen_reply, made.service_no, made.access_code, "还有一件事")


def test_an_anonymous_report_is_followed_by_its_number_and_code_alone(any_hall):
    h = any_hall
    made = h.ask("report", topic="INSURE", subject="冒领养老金", body="某单位为已故人员冒领养老金。",
                 anonymous=True)
    found = h.get(made.id)
    assert found.anonymous and (found.name, found.phone, found.email) == (None, None, None)
    with h.session() as s:
        assert enquiries.find(s, made.service_no, made.access_code).id == made.id
        with pytest.raises(EnquiryNotFound):
            enquiries.find(s, made.service_no, "WRONG234")
    h.do(enquiries.decline, made.id, reason="举报事项不属于本处职责，已转市社保局。", actor=actor_of(h, "division06"))
    assert h.get(made.id).state == "declined"


def actor_of(h, username):
    from conftest import actor

    return actor(h.app, username)


def test_only_a_report_may_be_anonymous(hall):
    with pytest.raises(InvalidEnquiryField) as refused:
        hall.ask(anonymous=True)
    assert refused.value.field == "anonymous" and hall.count() == 0


def test_an_objection_opens_a_complaint_about_a_case_with_the_case_s_division(hall):
    from tracking_helpers import Desk

    _ticket, case = Desk(hall.app, hall.clock).accept()
    with hall.session() as s:
        made = enquiries.submit(s, "HQ", kind="complaint", topic=None, subject="对公示结果有异议",
                                body="公示的评审结果有误。", name=NAME, phone=PHONE,
                                related_case_no=case.case_no)
        assert (made.related_case_no, made.division_id, made.topic_id) == (
            case.case_no, case.division_id, None)


# -- who may act ------------------------------------------------------------------------------

def test_another_division_and_another_hall_are_refused_in_the_domain(any_hall):
    h = any_hall
    made = h.ask()
    for who in (h.civil, h.hrb_manager):
        for move, kwargs in ((enquiries.reply, {"body": "x"}), (enquiries.close, {})):
            with pytest.raises(NotEnquiryDivision):
                h.do(move, made.id, actor=who, **kwargs)
    complaint = h.ask("complaint")
    for who in (h.civil, h.hrb_manager):
        with pytest.raises(NotEnquiryDivision):
            h.do(enquiries.accept, complaint.id, actor=who)
    assert h.get(made.id).state == "open" and h.get(complaint.id).state == "submitted"
    # the hall's manager may do what its divisions may
    h.do(enquiries.reply, made.id, body="已答复。", actor=h.manager)
    assert h.get(made.id).state == "answered"


def test_a_city_hall_s_enquiry_is_not_the_province_s_division_s(hall):
    made = hall.ask(hall="HRB")
    with pytest.raises(NotEnquiryDivision):
        hall.do(enquiries.reply, made.id, body="x", actor=hall.title)
    hall.do(enquiries.reply, made.id, body="已答复。", actor=hall.hrb_manager)


def test_moves_are_refused_in_the_wrong_state(hall):
    made = hall.ask()
    with pytest.raises(IllegalEnquiryMove):
        hall.do(enquiries.accept, made.id, actor=hall.title)  # a question is not accepted
    with pytest.raises(IllegalEnquiryMove):
        hall.do(enquiries.close, made.id, actor=hall.title)   # not answered yet


# -- bad input: a clear error, nothing written ---------------------------------------------------

@pytest.mark.parametrize("fields,field", [
    ({"body": ""}, "body"),
    ({"body": "  \u200b "}, "body"),
    ({"body": "问" * 4001}, "body"),
    ({"subject": ""}, "subject"),
    ({"subject": "题" * 101}, "subject"),
    ({"name": ""}, "name"),
    ({"phone": "0451-1234567"}, "phone"),
    ({"email": "not-an-address"}, "email"),
    ({"kind": "petition"}, "kind"),
    ({"topic": ""}, "topic"),
    ({"related_case_no": "BJ2611230010001X"}, "related_case_no"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(hall, fields, field):
    kind = fields.pop("kind", "consultation")
    topic = fields.pop("topic", "TITLE")
    with pytest.raises(InvalidEnquiryField) as refused:
        hall.ask(kind, topic=topic, **fields)
    assert refused.value.field == field and refused.value.status == 422
    assert hall.count() == 0


def test_an_overlong_text_says_how_long_it_was(hall):
    with pytest.raises(InvalidEnquiryField) as refused:
        hall.ask(body="问" * 4001)
    assert refused.value.params["given"] == 4001 and refused.value.params["max"] == 4000


def test_an_unknown_topic_and_a_topic_not_taking_the_kind_are_refused(hall):
    with pytest.raises(UnknownTopic):
        hall.ask(topic="NOSUCH")
    with pytest.raises(TopicNotForKind):
        hall.ask(topic="CONDUCT")  # conduct takes complaints and reports, not questions
    with pytest.raises(TopicNotForKind):
        hall.ask("report", topic="TITLE")
    assert hall.count() == 0


def test_no_number_is_spent_on_a_refusal(hall):
    with pytest.raises(InvalidEnquiryField):
        hall.ask(body="")
    first = hall.ask()
    assert first.service_no[9:14] == "00001"


# -- the extension, once -----------------------------------------------------------------------

def test_a_complaint_s_conclusion_is_extended_once_by_a_manager_of_its_hall(any_hall):
    h = any_hall
    made = h.ask("complaint")
    h.do(enquiries.accept, made.id, actor=h.title)
    due = h.get(made.id).conclude_due_at
    h.do(enquiries.request_extension, made.id, days=30, reason="需赴外地调查取证", actor=h.title)
    with pytest.raises(NotAManager):
        h.do(enquiries.decide_extension, made.id, approve=True, actor=h.title)
    with pytest.raises(NotAManager):
        h.do(enquiries.decide_extension, made.id, approve=True, actor=h.hrb_manager)
    h.do(enquiries.decide_extension, made.id, approve=True, actor=h.manager)
    extended = h.get(made.id)
    # 60 + 30 calendar days from Monday 23 November: Sunday 21 February 2027 → Monday 22nd.
    assert (extended.extension_days, extended.extension_reason) == (30, "需赴外地调查取证")
    assert due == local("2027-01-22 17:00")
    assert extended.conclude_due_at == extended.due_at == local("2027-02-22 17:00")
    with pytest.raises(EnquiryExtensionUsed):
        h.do(enquiries.request_extension, made.id, days=10, reason="再延期", actor=h.title)


def test_an_extension_is_at_most_the_rule_s_days_and_a_question_has_none(hall):
    made = hall.ask("complaint")
    hall.do(enquiries.accept, made.id, actor=hall.title)
    with pytest.raises(InvalidEnquiryField) as refused:
        hall.do(enquiries.request_extension, made.id, days=31, reason="x", actor=hall.title)
    assert refused.value.field == "days"
    question = hall.ask()
    with pytest.raises(IllegalEnquiryMove):
        hall.do(enquiries.request_extension, question.id, days=1, reason="x", actor=hall.title)


def test_a_refused_extension_may_be_asked_again(hall):
    made = hall.ask("complaint")
    hall.do(enquiries.accept, made.id, actor=hall.title)
    hall.do(enquiries.request_extension, made.id, days=30, reason="取证", actor=hall.title)
    hall.do(enquiries.decide_extension, made.id, approve=False, actor=hall.manager)
    assert hall.get(made.id).extension_days == 0
    hall.do(enquiries.request_extension, made.id, days=20, reason="取证", actor=hall.title)
    with hall.session() as s:
        pending = enquiry_inbox.pending_extensions(s, hall.get(made.id).hall_id)
        assert [(p.enquiry.id, p.enquiry.extension_pending_days) for p in pending] == [
            (made.id, 20)]


# -- rules changed by an administrator apply to new enquiries only ------------------------------

def test_changed_rules_apply_to_new_enquiries_only(hall):
    before = hall.ask()
    admin = actor_of(hall, "admin")
    assert hall.do(enquiry_admin.set_rule, "HQ", "consultation",
                   {"respond_days": "5", "respond_unit": "calendar"}, actor=admin)
    after = hall.ask()
    assert hall.get(before.id).respond_due_at == local("2026-11-26 17:00")  # 3 working days
    assert hall.get(after.id).respond_due_at == local("2026-11-30 17:00")   # 5 calendar days
    assert (hall.get(after.id).respond_days, hall.get(after.id).respond_unit) == (5, "calendar")
    with hall.session() as s:
        event = s.scalar(sa.select(Event).where(Event.kind == "enquiry.rules_set"))
        assert event.data["changed"]["respond_days"] == {"before": 3, "after": 5}


def test_only_an_administrator_sets_the_rules_and_within_range(hall):
    from hall.enquiry_errors import InvalidEnquiryRule
    from hall.errors import NotAnAdministrator

    with pytest.raises(NotAnAdministrator):
        hall.do(enquiry_admin.set_rule, "HQ", "complaint", {"respond_days": "10"},
                actor=hall.manager)
    admin = actor_of(hall, "admin")
    for values in ({"respond_days": "0"}, {"respond_days": "abc"}, {"respond_unit": "weeks"},
                   {"conclude_days": "0"}, {"extension_days": "181"}):
        with pytest.raises(InvalidEnquiryRule):
            hall.do(enquiry_admin.set_rule, "HQ", "complaint", values, actor=admin)


# -- yellow and red ----------------------------------------------------------------------------

def test_the_deadline_job_marks_a_question_yellow_then_red_once(any_hall):
    h = any_hall
    made = h.ask()
    with h.session() as s:
        assert deadlines.tick(s, now=local("2026-11-25 16:59")).enquiries_yellow == 0
        assert deadlines.tick(s, now=local("2026-11-25 17:00")).enquiries_yellow == 1
        assert deadlines.tick(s, now=local("2026-11-26 16:59")).enquiries_red == 0
        result = deadlines.tick(s, now=local("2026-11-26 17:00"))
        assert (result.enquiries_red, result.total) == (1, 1)
        assert deadlines.tick(s, now=local("2026-11-27 10:00")).total == 0
    red = h.get(made.id)
    assert (red.warning, red.ever_red, red.red_at) == ("red", True, local("2026-11-26 17:00"))
    assert h.kinds(made.id) == ["enquiry.submitted", "enquiry.yellow", "enquiry.red"]
    # answered late: red is never forgotten
    h.do(enquiries.reply, made.id, body="迟到的答复。", actor=h.title)
    assert h.get(made.id).ever_red


def test_a_complaint_red_on_acceptance_is_lowered_when_accepted_and_counts(hall):
    made = hall.ask("complaint")
    with hall.session() as s:
        deadlines.tick(s, now=local("2026-12-08 17:00"))
    assert hall.get(made.id).warning == "red"
    hall.clock.advance(days=16)
    hall.do(enquiries.accept, made.id, actor=hall.title)
    accepted = hall.get(made.id)
    assert (accepted.warning, accepted.ever_red) == ("none", True)
    assert hall.kinds(made.id)[-2:] == ["enquiry.warning_lowered", "enquiry.accepted"]
    with hall.session() as s:
        event = s.scalar(sa.select(Event).where(Event.kind == "enquiry.accepted"))
        assert event.data["on_time"] is False


# -- accountability ------------------------------------------------------------------------------

def test_the_accountability_figures_per_division_and_kind(hall):
    on_time, late, open_red = hall.ask(), hall.ask(), hall.ask()
    complaint = hall.ask("complaint")
    hall.do(enquiries.reply, on_time.id, body="答复。", actor=hall.title)
    with hall.session() as s:
        deadlines.tick(s, now=local("2026-11-26 17:00"))
    hall.clock.advance(days=4)
    hall.do(enquiries.reply, late.id, body="迟到的答复。", actor=hall.title)
    hall.do(enquiries.accept, complaint.id, actor=hall.title)
    with hall.session() as s:
        hq = hall.get(on_time.id).hall_id
        from hall.models import Hall as HallRow

        period = Period.month(s.get(HallRow, hq), 2026, 11)
        rows = {(r.division_en, r.kind): r for r in enquiry_inbox.accountability(s, period)}
    question = rows[("Professional and Technical Personnel Division", "consultation")]
    assert (question.received, question.responded_on_time, question.responded_late,
            question.open, question.open_red, question.ever_red) == (3, 1, 1, 1, 1, 2)
    assert question.on_time_rate == 0.5
    complaint_row = rows[("Professional and Technical Personnel Division", "complaint")]
    assert (complaint_row.received, complaint_row.responded_on_time, complaint_row.open) == (
        1, 1, 1)
    assert open_red  # the third question is still open and red


# -- notifications ---------------------------------------------------------------------------

def test_the_citizen_is_told_when_answered_accepted_declined_concluded(hall):
    question = hall.ask()
    hall.do(enquiries.reply, question.id, body="答复内容不进短信。", actor=hall.title)
    complaint = hall.ask("complaint")
    hall.do(enquiries.accept, complaint.id, actor=hall.title)
    hall.do(enquiries.conclude, complaint.id, note="处理结果不进短信。", actor=hall.title)
    declined = hall.ask("complaint", email="")
    hall.do(enquiries.decline, declined.id, reason="理由不进短信。", actor=hall.title)
    anonymous = hall.ask("report", topic="INSURE", anonymous=True)
    hall.do(enquiries.decline, anonymous.id, reason="x", actor=actor_of(hall, "division06"))
    with hall.session() as s:
        sent = list(s.scalars(sa.select(Notification).order_by(Notification.id)))
    assert [n.kind for n in sent] == ["enquiry.answered", "enquiry.accepted",
                                      "enquiry.concluded", "enquiry.declined"]
    assert {n.recipient for n in sent} == {PHONE}
    assert all("不进短信" not in n.text and question.access_code not in n.text for n in sent)
    assert numbers.grouped(question.service_no) in sent[0].text


# -- the thread keeps internal notes to staff --------------------------------------------------

def test_an_internal_note_is_not_part_of_the_citizen_s_thread(hall):
    made = hall.ask()
    hall.do(enquiries.reply, made.id, body="内部：请联系人才中心核实。", actor=hall.title,
            internal=True)
    assert hall.get(made.id).state == "open"
    with hall.session() as s:
        e = s.get(Enquiry, made.id)
        assert enquiries.thread(s, e) == []
        assert [m.body for m in enquiries.thread(s, e, staff=True)] == ["内部：请联系人才中心核实。"]
        assert s.scalar(sa.select(sa.func.count()).select_from(EnquiryMessage)) == 1


def test_the_question_text_is_kept_as_sent(hall):
    made = hall.ask(body=" 第一行\r\n第二行\u202e ")
    assert hall.get(made.id).body == "第一行\n第二行"


# -- numbers under load ------------------------------------------------------------------------

def test_questions_sent_at_once_get_distinct_numbers_from_the_visit_counter(hall):
    import threading

    from hall import issuing

    barrier, made, errors = threading.Barrier(8), [], []

    def citizen(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            made.append(hall.ask(subject=f"问题{n}").service_no)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=citizen, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and len(set(made)) == 8
    # the same counter as tickets: the next ticket of the day takes the next visit number
    with hall.session() as s:
        ticket = issuing.issue_ticket(s, "HQ", "EXAM")
        assert int(ticket.service_no[9:14]) == 9
