"""Applying online in the domain (hall.applications): the flow from the form to a case, the
one 补正告知 and the re-upload, the deemed acceptance after the five days, refusal and
withdrawal with their files kept the legal time then deleted, who may act and read (checked in
the domain), bad input and unsafe files refused with nothing written, the deadline job, and
the figures."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from application_helpers import MONDAY, NAME, VALUES, any_hall, hall, two_files  # noqa: F401
from file_helpers import pdf, png
from hall import applications, deadlines, files, numbers
from hall.application_errors import (
    ApplicationNotFound,
    DocumentsAlreadyRequested,
    FormFieldInvalid,
    IllegalApplicationMove,
    InvalidApplicationField,
    NotApplicationDivision,
    NotAppliedOnline,
    PrereviewLimitPassed,
)
from hall.file_errors import FileTooLarge, FileTypeMismatch, FileTypeRefused
from hall.models import Case, Event, StoredFile, Ticket

ZONE = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


# -- the flow, on SQLite and PostgreSQL -----------------------------------------------------------

def test_applied_asked_for_one_document_reuploaded_and_accepted_as_a_case(any_hall):
    h = any_hall
    made = h.apply()
    fresh = h.get(made.id)
    assert numbers.is_service_number(made.service_no) and len(made.access_code) == 8
    assert (fresh.state, fresh.values["purpose"], fresh.values["copies"]) == (
        "submitted", "出国政审", "2")
    # Five working days from Monday 23 November: Monday 30th, 17:00 in Harbin.
    assert fresh.due_at == local("2026-11-30 17:00") and fresh.warning == "none"
    stored = h.files(made.id)
    assert [f.label for f in stored] == applications.required_documents(
        _item(h)) and all(len(f.sha256) == 64 for f in stored)
    assert {f.content_type for f in stored} == {"image/jpeg", "application/pdf"}

    h.clock.advance(days=1)
    h.do(applications.request_documents, made.id, documents=["《人事代理协议书》或存档凭证"],
         note="协议书缺少盖章页", actor=h.talent)
    asked = h.get(made.id)
    assert asked.state == "awaiting_documents" and asked.due_at is None
    assert asked.missing_documents == ["《人事代理协议书》或存档凭证"]
    with pytest.raises(DocumentsAlreadyRequested):
        h.do(applications.request_documents, made.id, documents=["x"], actor=h.talent)

    h.clock.advance(days=2)  # Thursday 26th: the five days run again from the re-upload
    h.do(applications.reupload, made.service_no, made.access_code, document=0,
         filename="协议书（盖章）.pdf", data=pdf("stamped"))
    back = h.get(made.id)
    assert back.state == "submitted" and back.resupplied_at == back.received_at
    assert back.due_at == local("2026-12-03 17:00")

    h.do(applications.accept, made.id, actor=h.talent)
    done = h.get(made.id)
    assert done.state == "accepted" and done.case_id and not done.deemed_accepted
    assert done.prereview_on_time is True
    with h.session() as s:
        case = s.get(Case, done.case_id)
        ticket = s.get(Ticket, case.ticket_id)
        # One visitor: the case's visit carries the application's number and code.
        assert (ticket.service_no, ticket.access_code) == (made.service_no, made.access_code)
        assert (ticket.source, ticket.status) == ("online", "finished")
        assert case.accepted_at == h.clock.at and case.first_owner_id == h.talent.staff_id
        # ARCHPROOF is promised in 3 working days from Thursday 26th: Tuesday 1 December.
        assert case.due_at == local("2026-12-01 17:00")
        assert case.applicant_name == NAME and case.division_id == done.division_id
        assert s.scalar(sa.select(Event.kind).where(Event.case_id == case.id)
                        .order_by(Event.id).limit(1)) == "case.accepted_online"
    assert h.kinds(made.id) == ["application.submitted", "application.documents_requested",
                                "application.documents_supplied", "application.accepted"]
    assert len(h.files(made.id)) == 3


def _item(h):
    from hall.lookup import get_hall

    with h.session() as s:
        item = applications.online_item(s, get_hall(s, "HQ"), "ARCHPROOF")
        s.expunge(item)
        return item


# -- the five days ------------------------------------------------------------------------

def test_after_the_five_days_it_counts_as_accepted_from_the_day_it_arrived(hall):
    h = hall
    made = h.apply()
    h.clock.advance(days=8)  # Tuesday 1 December: the limit ended Monday 30th at 17:00
    with h.session() as s:
        marked = deadlines.tick(s, h.clock.at)
    assert marked.applications_red >= 1 and h.get(made.id).warning == "red"  # demo's too
    with pytest.raises(PrereviewLimitPassed):
        h.do(applications.request_documents, made.id, documents=["x"], actor=h.talent)
    with pytest.raises(PrereviewLimitPassed):
        h.do(applications.refuse, made.id, reason="不符合条件", actor=h.talent)
    h.do(applications.accept, made.id, actor=h.talent)
    done = h.get(made.id)
    assert done.deemed_accepted and done.prereview_on_time is False and done.ever_red
    with h.session() as s:
        case = s.get(Case, done.case_id)
        assert case.accepted_at == MONDAY
        # 3 working days from Monday 23rd: Thursday 26th — the case is red at once.
        assert case.due_at == local("2026-11-26 17:00") and case.warning == "red"


def test_the_deadline_job_marks_yellow_then_red_once(hall):
    h = hall
    made = h.apply()
    with h.session() as s:
        assert deadlines.tick(s, local("2026-11-27 17:30")).applications_yellow == 1
        assert deadlines.tick(s, local("2026-11-27 17:31")).applications_yellow == 0
        assert deadlines.tick(s, local("2026-11-30 17:30")).applications_red == 1
        assert deadlines.tick(s, local("2026-11-30 17:31")).applications_red == 0
    assert h.kinds(made.id) == ["application.submitted", "application.yellow",
                                "application.red"]


# -- refusal, withdrawal, retention -------------------------------------------------------------

def test_refused_with_a_reason_its_files_kept_the_legal_time_then_deleted(hall):
    h = hall
    made = h.apply()
    with pytest.raises(InvalidApplicationField):
        h.do(applications.refuse, made.id, reason="  ", actor=h.talent)
    h.do(applications.refuse, made.id, reason="不属于本中心存档人员", actor=h.talent)
    refused = h.get(made.id)
    assert refused.state == "refused" and refused.refuse_reason == "不属于本中心存档人员"
    kept = h.files(made.id)
    assert kept and all(f.retain_until == MONDAY + timedelta(days=180) for f in kept)
    with pytest.raises(IllegalApplicationMove):
        h.do(applications.accept, made.id, actor=h.talent)
    with h.session() as s:
        assert files.expire(s, MONDAY + timedelta(days=179)) == 0
        assert files.expire(s, MONDAY + timedelta(days=180)) == len(kept)
    assert all(f.deleted_at is not None for f in h.files(made.id))


def test_the_applicant_withdraws_with_the_code_only(hall):
    h = hall
    made = h.apply()
    with pytest.raises(ApplicationNotFound):
        h.do(applications.withdraw, made.service_no, "WRONGCOD")
    h.do(applications.withdraw, made.service_no, made.access_code)
    gone = h.get(made.id)
    assert gone.state == "withdrawn" and gone.due_at is None
    assert all(f.retain_until is not None for f in h.files(made.id))
    with pytest.raises(IllegalApplicationMove):
        h.do(applications.withdraw, made.service_no, made.access_code)


# -- who may act and read ---------------------------------------------------------------------

def test_only_the_division_or_a_manager_moves_it(hall):
    h = hall
    made = h.apply()
    for stranger in (h.civil, h.clerk, h.hrb_clerk):
        with pytest.raises(NotApplicationDivision):
            h.do(applications.accept, made.id, actor=stranger)
    h.do(applications.request_documents, made.id, documents=["身份证反面"], actor=h.manager)
    assert h.get(made.id).state == "awaiting_documents"


def test_files_are_read_by_the_code_holder_and_the_hall_s_staff_only(hall):
    h = hall
    mine, other = h.apply(), h.apply(name="张三")
    with h.session() as s:
        from hall.models import Staff

        file = s.scalar(sa.select(StoredFile).where(StoredFile.owner == "application",
                                                    StoredFile.owner_id == mine.id))
        staff = {name: s.get(Staff, who.staff_id) for name, who in (
            ("talent", h.talent), ("civil", h.civil), ("clerk", h.clerk),
            ("hrb", h.hrb_clerk))}
        assert files.may_read(s, file, staff=staff["talent"])
        assert files.may_read(s, file, staff=staff["clerk"])      # the window sees it
        assert not files.may_read(s, file, staff=staff["civil"])  # another division
        assert not files.may_read(s, file, staff=staff["hrb"])    # another hall
        assert not files.may_read(s, file)                        # nobody: the id alone
        # Another citizen's code opens their own application, never this one's files.
        theirs = applications.find(s, other.service_no, other.access_code)
        assert file.owner_id != theirs.id
        with pytest.raises(ApplicationNotFound):
            applications.find(s, mine.service_no, other.access_code)


# -- bad input, unsafe files: refused, nothing written -----------------------------------------

@pytest.mark.parametrize("change, error", [
    ({"name": ""}, InvalidApplicationField),
    ({"phone": "12345"}, InvalidApplicationField),
    ({"declared": False}, InvalidApplicationField),
    ({"values": {**VALUES, "copies": "two"}}, FormFieldInvalid),
    ({"values": {"copies": "2"}}, FormFieldInvalid),            # the purpose is required
    ({"values": {**VALUES, "purpose": "x" * 101}}, FormFieldInvalid),
    ({"documents": two_files()[:1]}, InvalidApplicationField),  # a document missing
    ({"documents": [*two_files(), (7, "x.pdf", b"%PDF")]}, InvalidApplicationField),
    ({"name": "\x00\u200b"}, InvalidApplicationField),  # nothing but invisible
])
def test_bad_input_is_refused_and_nothing_is_written(hall, change, error):
    h = hall
    before = h.count()
    with pytest.raises(error):
        h.apply(**change)
    assert h.count() == before


@pytest.mark.parametrize("upload, error", [
    (("setup.pdf", b"MZ\x90\x00" + bytes(200)), FileTypeRefused),   # an executable renamed
    (("photo.png", pdf("really a pdf")), FileTypeMismatch),
    (("big.pdf", b"%PDF-1.7\n" + bytes(10 * 1024 * 1024)), FileTooLarge),
])
def test_unsafe_files_refuse_the_whole_application(hall, upload, error):
    h = hall

    def stored() -> int:
        with h.session() as s:
            return s.scalar(sa.select(sa.func.count()).select_from(StoredFile))

    before, files_before = h.count(), stored()
    with pytest.raises(error):
        h.apply(documents=[(0, *upload), (1, "ok.png", png())])
    assert (h.count(), stored()) == (before, files_before)


def test_a_path_in_the_name_is_only_a_name(hall, tmp_path):
    made = hall.apply(documents=[(0, "../../../etc/passwd.png", png()),
                                 (1, "C:\\Windows\\协议.pdf", pdf())])
    names = [f.original_name for f in hall.files(made.id)]
    assert all("/" not in n and "\\" not in n and ".." not in n for n in names), names
    assert all(len(f.storage_key) == 32 for f in hall.files(made.id))


def test_an_item_not_offered_online_is_refused(hall):
    from hall.lookup import get_hall

    with hall.session() as s, pytest.raises(NotAppliedOnline):
        applications.online_item(s, get_hall(s, "HQ"), "CONSULT")


# -- the window finds it; the figures -----------------------------------------------------

def test_the_window_finds_it_by_service_number(hall):
    made = hall.apply()
    with hall.session() as s:
        found = applications.by_service_no(s, numbers.grouped(made.service_no))
        assert found is not None and found.id == made.id
        assert applications.by_service_no(s, "123") is None


def test_figures_of_a_period(hall):
    h = hall
    period = (MONDAY, MONDAY + timedelta(days=30))
    with h.session() as s:
        from hall.lookup import get_hall

        hall_id = get_hall(s, "HQ").id
        before = applications.figures(s, hall_id, *period)  # the demo's own application
    a, b, c, d = h.apply(), h.apply(), h.apply(), h.apply()
    h.do(applications.accept, a.id, actor=h.talent)
    h.do(applications.refuse, b.id, reason="不符合条件", actor=h.talent)
    h.do(applications.withdraw, c.service_no, c.access_code)
    h.clock.advance(days=9)
    h.do(applications.accept, d.id, actor=h.talent)  # late: deemed accepted
    h.apply()
    with h.session() as s:
        after = applications.figures(s, hall_id, *period)
    got = {name: after[name] - before[name] for name in after}
    assert got == {"submitted": 5, "accepted": 2, "deemed_accepted": 1, "refused": 1,
                   "withdrawn": 1, "awaiting_prereview": 1, "prereview_on_time": 2,
                   "prereview_late": 1}


# -- races ------------------------------------------------------------------------------------

def test_two_accepting_at_once_make_one_case(any_hall):
    import threading

    h = any_hall
    made = h.apply()
    barrier, done, refused = threading.Barrier(2), [], []

    def accept(who) -> None:
        try:
            barrier.wait(timeout=30)
            h.do(applications.accept, made.id, actor=who)
            done.append(who)
        except IllegalApplicationMove as error:
            refused.append(error)

    threads = [threading.Thread(target=accept, args=(who,)) for who in (h.talent, h.manager)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(done) == 1 and len(refused) == 1
    with h.session() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Case).where(
            Case.ticket.has(Ticket.service_no == made.service_no))) == 1


def test_per_submission_and_per_day_limits(hall):
    from dataclasses import replace

    from hall.file_errors import TooManyFiles, UploadDailyLimit
    from hall.web.extensions import db

    h = hall
    with h.session():
        engine = db.engine
        kept = files.settings_of(db.session)
    try:
        files.configure(engine, replace(kept, max_files=1))
        with pytest.raises(TooManyFiles):
            h.apply()
        files.configure(engine, replace(kept, daily_limit=3))
        h.apply()  # two files today
        before = h.count()
        with pytest.raises(UploadDailyLimit):
            h.apply()  # the fourth file of the day
        assert h.count() == before
    finally:
        files.configure(engine, kept)


# -- notifications ---------------------------------------------------------------------------

def test_the_applicant_is_told_of_arrival_documents_asked_and_refusal_never_the_reasons(hall):
    """Through the notifications outbox, to the mobile number given; never the reason or
    the documents' names (they are read with the access code). Once accepted, the case's
    own steps are told, as every case's are."""
    from application_helpers import PHONE
    from hall.models import Notification

    asked = hall.apply()
    hall.do(applications.request_documents, asked.id, documents=["身份证反面不清"],
            note="补正说明不进短信", actor=hall.talent)
    refused = hall.apply()
    hall.do(applications.refuse, refused.id, reason="理由不进短信", actor=hall.talent)
    taken = hall.apply()
    with hall.session() as s:
        before = s.scalar(sa.select(sa.func.max(Notification.id)))
    hall.do(applications.accept, taken.id, actor=hall.talent)
    with hall.session() as s:
        sent = list(s.scalars(sa.select(Notification).order_by(Notification.id)))
        after_accept = [n.kind for n in sent if n.id > before]
    kinds = [n.kind for n in sent]
    assert kinds[:5] == ["application.submitted", "application.documents_requested",
                         "application.submitted", "application.refused",
                         "application.submitted"]
    assert "application.accepted" not in kinds and after_accept == ["case.accepted_online"]
    assert {n.recipient for n in sent} == {PHONE}
    assert all("不进短信" not in n.text and "身份证反面" not in n.text for n in sent)
    assert all(made.access_code not in n.text for made in (asked, refused, taken)
               for n in sent)
    first = sent[0].text
    assert numbers.grouped(asked.service_no) in first and "5个工作日" in first
    assert "已收到" in first  # in Chinese, as every notification
