"""The public Q&A (issue 15): publishing an answered question (only that, only by its
division, never with a person's data), withdrawing it, and searching in Chinese the published
answers and the guide together, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from enquiry_helpers import NAME, PHONE, any_hall, hall  # noqa: F401  (fixtures)
from hall import demo_qa, enquiries, qa, qa_search
from hall.enquiry_errors import NotEnquiryDivision
from hall.models import PublishedAnswer
from hall.qa_errors import InvalidAnswerField, InvalidQuery, NotPublishable, NotPublished

QUESTION = "职称评审材料能否在截止后补交？"
ANSWER = "评审材料以申报截止日为准，截止后不再受理补交，可在下一年度申报。"


def answered(hall) -> int:
    made = hall.ask()
    hall.do(enquiries.reply, made.id, body="不能补交，请明年申报。", actor=hall.title)
    return made.id


# -- publishing -----------------------------------------------------------------------------

def test_an_answered_question_is_published_with_its_event_and_found(any_hall):
    enquiry_id = answered(any_hall)
    published = any_hall.do(qa.publish, enquiry_id, question=QUESTION, answer=ANSWER,
                            actor=any_hall.title)
    assert any_hall.kinds(enquiry_id)[-1] == "enquiry.published"
    with any_hall.session() as session:
        hits = qa.search(session, "HQ", "补交").hits
        assert [h.answer.id for h in hits if h.answer] == [published.id]
        assert qa.search(session, "HRB", "补交").hits == []  # another hall's Q&A


def test_only_an_answered_question_by_its_division(hall):
    waiting = hall.ask()
    with pytest.raises(NotPublishable):
        hall.do(qa.publish, waiting.id, question=QUESTION, answer=ANSWER, actor=hall.title)
    complaint = hall.ask(kind="complaint")
    hall.do(enquiries.accept, complaint.id, actor=hall.title)
    hall.do(enquiries.conclude, complaint.id, note="已处理。", actor=hall.title)
    with pytest.raises(NotPublishable):
        hall.do(qa.publish, complaint.id, question=QUESTION, answer=ANSWER, actor=hall.title)
    enquiry_id = answered(hall)
    for stranger in (hall.civil, hall.hrb_manager):
        with pytest.raises(NotEnquiryDivision):
            hall.do(qa.publish, enquiry_id, question=QUESTION, answer=ANSWER, actor=stranger)
    hall.do(qa.publish, enquiry_id, question=QUESTION, answer=ANSWER, actor=hall.manager)


@pytest.mark.parametrize("question, answer, field, what", [
    (f"{NAME}的职称材料能否补交？", ANSWER, "question", "name"),
    (QUESTION, f"请致电 {PHONE[:3]} {PHONE[3:7]} {PHONE[7:]} 联系。", "answer", "phone"),
    (QUESTION, "身份证号 23010219900101123X 的申请人可以补交。", "answer", "id"),
    (QUESTION, "请发邮件到 someone@example.cn。", "answer", "email"),
    ("", ANSWER, "question", None),
    (QUESTION, "答" * 4001, "answer", None),
])
def test_text_with_a_persons_data_is_refused_and_nothing_is_written(hall, question, answer,
                                                                    field, what):
    enquiry_id = answered(hall)
    with pytest.raises(InvalidAnswerField) as refused:
        hall.do(qa.publish, enquiry_id, question=question, answer=answer, actor=hall.title)
    assert (refused.value.field, refused.value.personal) == (field, what)
    with hall.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(PublishedAnswer)) == 0
    assert "enquiry.published" not in hall.kinds(enquiry_id)


def test_the_service_number_is_refused_too(hall):
    made = hall.ask()
    hall.do(enquiries.reply, made.id, body="可以。", actor=hall.title)
    with pytest.raises(InvalidAnswerField) as refused:
        hall.do(qa.publish, made.id, question=f"{made.service_no} 能否补交？", answer=ANSWER,
                actor=hall.title)
    assert refused.value.personal == "codes"


def test_withdrawn_is_no_longer_found_and_may_be_published_again(any_hall):
    enquiry_id = answered(any_hall)
    any_hall.do(qa.publish, enquiry_id, question=QUESTION, answer=ANSWER, actor=any_hall.title)
    any_hall.do(qa.withdraw, enquiry_id, actor=any_hall.title)
    assert any_hall.kinds(enquiry_id)[-1] == "enquiry.unpublished"
    with any_hall.session() as session:
        assert qa.search(session, "HQ", "补交").hits == []
    with pytest.raises(NotPublished):
        any_hall.do(qa.withdraw, enquiry_id, actor=any_hall.title)
    again = any_hall.do(qa.publish, enquiry_id, question="材料补交的期限？", answer=ANSWER,
                        actor=any_hall.title)
    with any_hall.session() as session:
        hits = qa.search(session, "HQ", "期限").hits
        assert [h.answer.id for h in hits if h.answer] == [again.id]


def test_the_draft_is_the_question_and_the_last_answer(hall):
    enquiry_id = answered(hall)
    with hall.session() as session:
        question, answer = qa.draft(session, enquiries.get_enquiry(session, enquiry_id,
                                                                   lock=False))
    assert "补交" in question and answer == "不能补交，请明年申报。"


# -- searching in Chinese ------------------------------------------------------------------

@pytest.fixture
def demo_hall(any_hall):
    with any_hall.session() as session:
        assert demo_qa.seed_demo_answers(session) == len(demo_qa.DEMO_ANSWERS["HQ"])
    return any_hall


def _search(hall, query: str) -> list[qa.Hit]:
    with hall.session() as session:
        hits = qa.search(session, "HQ", query).hits
        for hit in hits:  # what the pages read, loaded while the session is open
            _ = hit.answer.topic if hit.answer else hit.item.code
        return hits


@pytest.mark.parametrize("query, first", [
    ("职称", "职称"), ("档案调入", "档案调入"), ("怎么办理退休", "退休"),
    ("退休", "退休"), ("公务员报考", "公务员报考"), ("人事代理", "人事代理"),
    ("提前退休需要什么条件", "提前退休"), ("养老金", "养老金"),
])
def test_chinese_queries_find_the_published_answers(demo_hall, query, first):
    hits = _search(demo_hall, query)
    answers = [h for h in hits if h.kind == "answer"]
    assert answers, query
    assert first in answers[0].title


def test_the_question_beats_a_match_in_the_answer_only(demo_hall):
    hits = [h for h in _search(demo_hall, "退休") if h.kind == "answer"]
    in_question = [h for h in hits if "退休" in h.title]
    assert hits[:len(in_question)] == in_question


def test_guide_items_come_in_the_same_results(demo_hall):
    hits = _search(demo_hall, "职称")
    assert {"guide", "answer"} <= {h.kind for h in hits}
    guide = [h for h in hits if h.kind == "guide"]
    assert "职称" in guide[0].title


def test_the_results_carry_nothing_of_the_askers(demo_hall):
    hits = _search(demo_hall, "退休")
    shown = repr([h.as_json() for h in hits])
    assert demo_qa.ASKER not in shown and demo_qa.PHONE not in shown
    assert "service_no" not in shown and "enquiry" not in shown


@pytest.mark.parametrize("bad", ["", "   ", "职" * 101, "职称\x00", "退休\u202e"])
def test_bad_queries_are_refused(app, bad):
    with app.app_context():
        from hall.web.extensions import db
        with pytest.raises(InvalidQuery):
            qa.search(db.session, "HQ", bad)


def test_the_cut_in_pairs():
    assert qa_search.tokens("职称评审 ABC１") == "职称 称评 评审 审 abc1"
    assert qa_search.parse("怎么办理退休？").terms == ("退休",)
    assert qa_search.parse("职称评审需要什么材料").terms == ("职称评审", "材料")
    assert qa_search.parse("怎么办理").terms == ("怎么办理",)  # nothing else: as typed


def test_seed_demo_publishes_the_demo_answers_once(app):
    runner = app.test_cli_runner()
    with app.app_context():  # as `flask` runs it
        first = runner.invoke(args=["seed-demo"])
        again = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert f"Public Q&A: {len(demo_qa.DEMO_ANSWERS['HQ'])} answers published" in first.output
    assert "Public Q&A: 0 answers published" in again.output


def test_a_search_reads_the_answers_found_by_their_key_not_the_halls_whole_list(hall):
    """The answers the index found are read by primary key: with the hall and liveness in the
    WHERE, SQLite walked the hall's live index, every answer of the hall (25 ms at 100,000)."""
    with hall.session() as session:
        demo_qa.seed_demo_answers(session)
    seen: list[tuple[str, tuple]] = []

    def keep(_conn, _cursor, statement, params, _context, _many):
        if "FROM published_answers" in statement:
            seen.append((statement, params))

    with hall.session() as session:
        engine = session.get_bind()
        sa.event.listen(engine, "before_cursor_execute", keep)
        try:
            assert qa.search(session, "HQ", "退休").hits
        finally:
            sa.event.remove(engine, "before_cursor_execute", keep)
        assert seen
        for statement, params in seen:
            plan = " ".join(str(row[-1]) for row in session.connection().exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, params))
            assert "ix_published_answers_hall_live" not in plan, plan
            assert "published_answers USING INTEGER PRIMARY KEY" in plan, plan
