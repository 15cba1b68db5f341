"""Results in the open (办理结果公开) and public notice (公示), issue 15 item 5: what the public
reads of decided cases and of notices, who may put a case under notice, the notice as the
lawful pause of the case's clock, and objections."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from conftest import actor
from hall import calendar, calendar_admin, cases, clock, notices_public
from hall.lookup import get_hall
from hall.models import Case, Enquiry, Event, Hall, NoticeObjection, PublicNotice
from hall.notice_errors import (
    InvalidNoticeField,
    NotANoticeManager,
    NoticeNotRunning,
    NoticeStillRunning,
)
from hall.web.extensions import db
from results_helpers import MONDAY_10, PEOPLE, Office, csrf, id_no
from test_auth import sign_in

ZONE = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    """A wall-clock time of the hall (2026-11-27 10:00) as an instant."""
    return datetime.fromisoformat(text).replace(tzinfo=ZONE).astimezone(UTC)


@pytest.fixture
def office(app):
    with clock.frozen(MONDAY_10) as frozen:
        o = Office(app)
        o.clock = frozen
        yield o


def _at(office: Office, when: str) -> None:
    office.clock.at = local(when)


def _working_days_between(app, after: datetime, upto: datetime) -> int:
    """Working days of HQ after ``after``'s day up to ``upto``'s day (local)."""
    with app.app_context():
        hall = get_hall(db.session, "HQ")
        cal = calendar.load(db.session, hall.id, fresh=True)
    day, end, n = after.astimezone(ZONE).date(), upto.astimezone(ZONE).date(), 0
    while day < end:
        day += timedelta(days=1)
        n += cal.is_working_day(day)
    return n


def _local_days(app, office, days: dict[str, str]) -> None:
    admin = actor(app, "admin")
    with app.app_context():
        hall = get_hall(db.session, "HQ")
        for day, kind in days.items():
            calendar_admin.set_local_day(db.session, hall, date.fromisoformat(day), kind,
                                         "测试", actor=admin)


def _unit(app, unit: str) -> None:
    with app.app_context():
        db.session.execute(sa.update(Hall).where(Hall.code == "HQ").values(notice_unit=unit))
        db.session.commit()


# -- the notice is the lawful pause of the clock: a table ----------------------------------------

# (put up at, days, unit, local days of the hall) -> (ends at, working days the clock stood)
NOTICE_TABLE = [
    # Friday, 3 working days over a weekend and a local holiday on Tuesday: Mon, Wed, Thu.
    ("2026-11-27 10:00", 3, "working", {"2026-12-01": "holiday"}, "2026-12-03 17:00", 3),
    # Wednesday, 3 working days: Thu, Fri, Mon.
    ("2026-11-25 10:00", 3, "working", {}, "2026-11-30 17:00", 3),
    # a make-up Saturday (调休) counts: Sat, Mon, Tue.
    ("2026-11-27 10:00", 3, "working", {"2026-11-28": "workday"}, "2026-12-01 17:00", 3),
    # calendar days: Sat, Sun, Mon; the clock stood on Friday only (a working day).
    ("2026-11-27 10:00", 3, "calendar", {}, "2026-11-30 17:00", 1),
    # calendar days ending on a Sunday end on Monday (Civil Code art. 203): Thu, Fri stood.
    ("2026-11-26 10:00", 3, "calendar", {}, "2026-11-30 17:00", 2),
    # one working day, put up on Tuesday: ends Wednesday; Tuesday stood.
    ("2026-11-24 11:00", 1, "working", {}, "2026-11-25 17:00", 1),
    # put up on the day of acceptance, which does not count anyway (hall.calendar.deadline):
    # the pause takes out one working day less than the notice ran.
    ("2026-11-23 11:00", 1, "working", {}, "2026-11-24 17:00", 0),
]


@pytest.mark.parametrize("put_at, days, unit, local_days, ends, paused", NOTICE_TABLE)
def test_a_notice_moves_the_deadline_by_exactly_the_working_days_it_paused(
        app, office, put_at, days, unit, local_days, ends, paused):
    _local_days(app, office, local_days)
    _unit(app, unit)
    case_id = office.case("TITLE")  # accepted Monday 2026-11-23 10:00, 20 working days
    due_before = office.get(case_id).due_at
    _at(office, put_at)
    notice = office.notice(case_id, days=days)
    assert notice.ends_at == local(ends)
    assert office.get(case_id).state == "special_procedure"
    assert office.get(case_id).due_at is None  # the clock is stopped

    # the job, a minute early: nothing ends
    office.clock.at = local(ends) - timedelta(minutes=1)
    assert office.do(notices_public.end_due) == []
    assert office.get(case_id).state == "special_procedure"
    # at the instant: it ends, the clock runs again, the deadline moved by the pause
    office.clock.at = local(ends)
    assert [n.id for n in office.do(notices_public.end_due)] == [notice.id]
    after = office.get(case_id)
    assert after.state == "in_progress" and after.pause_kind is None
    assert _working_days_between(app, due_before, after.due_at) == paused
    assert after.due_at.astimezone(ZONE).time() == due_before.astimezone(ZONE).time()
    assert office.do(notices_public.end_due) == []  # once


def test_the_notice_job_is_also_a_command_on_the_halls_clock(app, office):
    case_id = office.case("TITLE")
    notice = office.notice(case_id, days=3)
    runner = app.test_cli_runner()
    office.clock.at = notice.ends_at - timedelta(seconds=1)
    assert "0 public notices ended" in runner.invoke(args=["notices", "end-due"]).output
    listed = runner.invoke(args=["notices", "list", "--hall", "HQ"]).output
    assert office.case_no(case_id) in listed and "0 objections" in listed
    office.clock.at = notice.ends_at
    out = runner.invoke(args=["notices", "end-due"]).output
    assert f"Ended notice {notice.id}" in out and "1 public notices ended" in out
    assert office.get(case_id).state == "in_progress"


def test_the_timeline_says_public_notice_from_and_to_in_citizen_words(app, office):
    case_id = office.case("TITLE")
    with app.app_context():
        service_no = db.session.get(Case, case_id).ticket.service_no
    _at(office, "2026-11-27 10:00")
    notice = office.notice(case_id, days=3)
    client = app.test_client()
    page = client.get(f"/track/{service_no}").get_data(as_text=True)
    assert "公示期自 2026-11-27 10:00 至 2026-12-02 17:00" in page, page
    office.clock.at = notice.ends_at
    office.do(notices_public.end_due)
    page = client.get(f"/track/{service_no}").get_data(as_text=True)
    assert "公示期满，无异议" in page


# -- who may put a case under notice, in the domain ----------------------------------------------

@pytest.mark.parametrize("username", ["hrb-manager", "clerk05", "division02", "admin"])
def test_only_a_manager_of_the_cases_hall_may_put_it_under_notice(app, office, username):
    case_id = office.case("TITLE")
    with pytest.raises(NotANoticeManager):
        office.notice(case_id, by=actor(app, username))
    assert office.get(case_id).state == "in_progress"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PublicNotice)) == 0


def test_the_provincial_manager_may(app, office):
    case_id = office.case("TITLE")
    notice = office.notice(case_id)
    assert notice.days == 3 and notice.unit == "working"


def test_the_web_refuses_other_people_before_the_domain_does(app, office):
    case_id = office.case("TITLE")
    for username in ("division02", "clerk05", "hrb-manager"):
        client = app.test_client()
        sign_in(client, username)
        r = client.post(f"/hall/HQ/cases/{case_id}/notice",
                        data={"csrf_token": csrf(client, "/track"), "text": "拟通过：欧**芒"})
        assert r.status_code == 403, username
    assert office.get(case_id).state == "in_progress"


def test_a_manager_puts_a_case_under_notice_from_its_page(app, office):
    case_id = office.case("TITLE")
    client = app.test_client()
    sign_in(client, "manager")
    page = client.get(f"/hall/HQ/cases/{case_id}").get_data(as_text=True)
    assert "拟通过专业技术职务任职资格（职称）评审申报：欧**芒" in page  # the suggestion, masked
    token = csrf(client, f"/hall/HQ/cases/{case_id}")
    r = client.post(f"/hall/HQ/cases/{case_id}/notice",
                    data={"csrf_token": token, "text": "拟通过职称评审：欧**芒，高级",
                          "days": "5"})
    assert r.status_code == 302
    page = client.get(f"/hall/HQ/cases/{case_id}").get_data(as_text=True)
    assert "data-notice-running" in page and 'data-action="end_special"' not in page
    assert office.get(case_id).state == "special_procedure"
    # the division sees it too, without the manager's buttons
    civil = app.test_client()
    sign_in(civil, "division02")
    page = civil.get(f"/hall/HQ/cases/{case_id}").get_data(as_text=True)
    assert "data-notice-running" in page and "action-end-notice" not in page


@pytest.mark.parametrize("text, field", [
    ("", "text"), ("拟" * 201, "text"),
    ("拟通过职称评审：欧阳锋芒，高级", "text_personal"),            # the full name
    ("拟通过：欧**芒 230103198503121001", "text_personal"),      # an ID number
    ("拟通过：欧**芒 139-1234-5678", "text_personal"),           # a mobile number
])
def test_the_public_text_is_short_and_names_nobody_in_full(app, office, text, field):
    case_id = office.case("TITLE")
    with pytest.raises(InvalidNoticeField) as refused:
        office.notice(case_id, text=text)
    assert refused.value.field == field
    assert office.get(case_id).state == "in_progress"


@pytest.mark.parametrize("days", [0, 31, "x", -1])
def test_the_days_are_from_1_to_30(office, days):
    case_id = office.case("TITLE")
    with pytest.raises(InvalidNoticeField):
        office.notice(case_id, days=days)


def test_only_a_case_in_progress_goes_under_notice(app, office):
    case_id = office.case("TITLE", take=False)
    with pytest.raises(cases.IllegalCaseMove):
        office.notice(case_id)


# -- ending a notice ------------------------------------------------------------------------------

def test_the_division_cannot_end_it_as_a_special_procedure(app, office):
    case_id = office.case("TITLE")
    office.notice(case_id)
    with pytest.raises(NoticeStillRunning):
        office.do(cases.end_special, case_id, actor=office.worker(case_id))


def test_a_manager_cuts_it_short_only_saying_why(app, office):
    case_id = office.case("TITLE")
    notice = office.notice(case_id)
    with pytest.raises(NoticeStillRunning):
        office.do(notices_public.end_notice, notice.id, actor=office.manager, reason=" ")
    with pytest.raises(NotANoticeManager):
        office.do(notices_public.end_notice, notice.id, actor=office.worker(case_id),
                  reason="公示内容有误")
    ended = office.do(notices_public.end_notice, notice.id, actor=office.manager,
                      reason="公示内容有误，重新公示")
    assert ended.outcome == "cut_short" and office.get(case_id).state == "in_progress"
    with pytest.raises(NoticeNotRunning):
        office.do(notices_public.end_notice, notice.id, actor=office.manager, reason="再次")
    # and it may be put up again
    again = office.notice(case_id)
    assert again.id != notice.id


def test_a_withdrawn_case_ends_its_notice_without_restarting_anything(app, office):
    case_id = office.case("TITLE")
    notice = office.notice(case_id)
    office.do(cases.withdraw, case_id, reason="申请人撤回", actor=office.worker(case_id))
    client = app.test_client()
    assert "data-notice" not in client.get("/results/HQ/notices").get_data(as_text=True)
    office.clock.at = notice.ends_at
    [ended] = office.do(notices_public.end_due)
    assert ended.outcome == "case_closed" and office.get(case_id).state == "withdrawn"


# -- objections ----------------------------------------------------------------------------------

def _object(client, notice_id: int, **fields):
    data = {"csrf_token": csrf(client, f"/results/HQ/notices/{notice_id}"), "name": "赵大勇",
            "phone": "13712345678", "body": "申请人任职年限不足五年。", "declared": "1",
            **fields}
    return client.post(f"/results/HQ/notices/{notice_id}", data=data)


def _codes(html: str) -> tuple[str, str]:
    number = re.search(r"data-complaint-no>([^<]+)<", html).group(1).replace("-", "")
    return number, re.search(r"data-access-code>([^<]+)<", html).group(1)


def test_an_objection_opens_a_complaint_linked_to_the_case_for_its_division(app, office):
    case_id = office.case("TITLE")
    notice = office.notice(case_id)
    public = app.test_client()
    r = _object(public, notice.id)
    assert r.status_code == 200, r.get_data(as_text=True)
    html = r.get_data(as_text=True)
    assert r.headers["Cache-Control"] == "no-store"
    service_no, access_code = _codes(html)
    with app.app_context():
        complaint = db.session.scalar(sa.select(Enquiry))
        assert (complaint.kind, complaint.service_no, complaint.access_code) == (
            "complaint", service_no, access_code)
        assert complaint.related_case_no == office.case_no(case_id)
        assert complaint.division.code == "TITLE" and complaint.topic_id is None
        assert (complaint.name, complaint.phone) == ("赵大勇", "13712345678")
        assert not complaint.anonymous
        objection = db.session.scalar(sa.select(NoticeObjection))
        assert (objection.complaint_id, objection.case_id) == (complaint.id, case_id)
    # the objector follows it with the codes, as any complaint
    tracked = public.get(f"/track/{service_no}?c={access_code}").get_data(as_text=True)
    assert "申请人任职年限不足五年。" in tracked
    # the division sees it on the case's page, with who objected
    civil = app.test_client()
    sign_in(civil, "division02")
    page = civil.get(f"/hall/HQ/cases/{case_id}").get_data(as_text=True)
    assert 'data-objections="1"' in page and "申请人任职年限不足五年。" in page
    assert "赵大勇" in page
    # the notice ends counting it: not "no objection"
    office.clock.at = notice.ends_at
    [ended] = office.do(notices_public.end_due)
    assert ended.objections == 1
    with app.app_context():
        data = db.session.scalar(sa.select(Event.data).where(
            Event.case_id == case_id, Event.kind == "case.notice_ended"))
        kinds = list(db.session.scalars(sa.select(Event.kind).where(Event.case_id == case_id)))
    assert data["objections"] == 1 and data["ending"] == "objections"
    assert "case.objection_received" in kinds
    # after its end no objection is taken: the page says so, a form sent anyway is refused
    page = public.get(f"/results/HQ/notices/{notice.id}").get_data(as_text=True)
    assert "此公示已结束，不再受理异议" in page and 'name="body"' not in page
    r = public.post(f"/results/HQ/notices/{notice.id}", data={
        "csrf_token": csrf(public, "/track"), "name": "赵大勇", "phone": "13712345678",
        "body": "迟到的异议", "declared": "1"})
    assert r.status_code == 409 and "data-complaint-no" not in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(NoticeObjection)) == 1


def test_an_objection_after_the_end_is_refused_in_the_domain(app, office):
    case_id = office.case("TITLE")
    notice = office.notice(case_id)
    office.clock.at = notice.ends_at  # over, even before the job ran
    with pytest.raises(NoticeNotRunning):
        office.do(notices_public.object_to, "HQ", notice.id, name="赵大勇",
                  phone="13712345678", body="异议", declared=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Enquiry)) == 0


@pytest.mark.parametrize("fields, field", [
    ({"name": ""}, "name"), ({"name": "赵" * 41}, "name"),
    ({"phone": "12345"}, "phone"), ({"phone": ""}, "phone"), ({"email": "a@"}, "email"),
    ({"body": ""}, "body"), ({"body": "异" * 1001}, "body"),
    ({"declared": ""}, "declaration"),
])
def test_a_bad_objection_is_said_beside_its_field_and_nothing_is_written(app, office, fields,
                                                                        field):
    case_id = office.case("TITLE")
    notice = office.notice(case_id)
    r = _object(app.test_client(), notice.id, **fields)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="form-error"' in html
    assert re.search(rf'name="{"declared" if field == "declaration" else field}"[^>]*'
                     r'aria-invalid="true"', html)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(NoticeObjection)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Enquiry)) == 0


def test_an_objection_over_the_api(app, office):
    case_id = office.case("TITLE")
    notice = office.notice(case_id)
    client = app.test_client()
    body = {"name": "赵大勇", "phone": "13712345678", "body": "异议理由", "declared": True}
    r = client.post(f"/api/v1/halls/HQ/notices/{notice.id}/objections", json=body)
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    assert made["case_no"] == office.case_no(case_id)
    complaint = made["complaint"]
    assert complaint["track_url"].endswith(f"/track/{complaint['service_no']}")
    read = client.get(f"/api/v1/enquiries/{complaint['service_no']}",
                      headers={"X-Access-Code": complaint["access_code"]})
    assert read.status_code == 200 and read.get_json()["kind"] == "complaint"
    r = client.post(f"/api/v1/halls/HQ/notices/{notice.id}/objections",
                    json={**body, "declared": False})
    assert r.status_code == 422 and r.get_json()["field"] == "declaration"
    r = client.post("/api/v1/halls/HQ/notices/999/objections", json=body)
    assert r.status_code == 404 and r.get_json()["code"] == "unknown-notice"
    r = client.post(f"/api/v1/halls/HRB/notices/{notice.id}/objections", json=body)
    assert r.status_code == 404  # another hall's address
    office.clock.at = notice.ends_at
    r = client.post(f"/api/v1/halls/HQ/notices/{notice.id}/objections", json=body)
    assert r.status_code == 409 and r.get_json()["code"] == "notice-ended"


# -- results in the open -------------------------------------------------------------------------

def _decided_hall(office) -> dict:
    """Decided cases of public items (TITLE, EXAM) and of one that is not (TRANSFER), one
    rejected with a reason naming someone, one under notice."""
    made = {}
    made["title"] = office.case("TITLE", 0)
    made["exam"] = office.case("EXAM", 2)
    made["hidden"] = office.case("TRANSFER", 3)
    made["rejected"] = office.case("TITLE", 1)
    made["noticed"] = office.case("TITLE", 1)
    office.clock.advance(hours=2)
    office.decide(made["title"])
    office.decide(made["exam"])
    office.decide(made["hidden"])
    office.decide(made["rejected"], "rejected", reason="张三丰的论文系抄袭")
    notice = office.notice(made["noticed"], text="拟通过职称评审：张*丰，中级")
    office.do(notices_public.object_to, "HQ", notice.id, name=OBJECTOR[0], phone=OBJECTOR[1],
              body=OBJECTOR[2], declared=True)
    return made


OBJECTOR = ("钱多多", "13566667777", "钱多多认为张三丰的论文有问题")


def _pages(client, notice_id: int) -> str:
    paths = ["/results/HQ", "/results/HQ/TITLE", "/results/HQ/EXAM", "/results/HQ/notices",
             f"/results/HQ/notices/{notice_id}", "/results/HQ?lang=en",
             "/api/v1/halls/HQ/results", "/api/v1/halls/HQ/results?item=TITLE",
             "/api/v1/halls/HQ/notices"]
    bodies = []
    for path in paths:
        r = client.get(path)
        assert r.status_code == 200, (path, r.get_data(as_text=True))
        bodies.append(r.get_data(as_text=True))
    return "\n".join(bodies)


@pytest.fixture
def any_office(any_app):
    with clock.frozen(MONDAY_10) as frozen:
        o = Office(any_app)
        o.clock = frozen
        yield o


def test_the_public_pages_show_nobody_in_full(any_app, any_office):
    made = _decided_hall(any_office)
    with any_app.app_context():
        notice_id = db.session.scalar(sa.select(PublicNotice.id))
    text = _pages(any_app.test_client(), notice_id)
    text = text.replace("\\u", "")  # JSON keeps Chinese as it is (ensure_ascii off)
    for number, (name, phone, subject) in enumerate(PEOPLE):
        assert name not in text, name
        assert phone not in text and phone[-8:] not in text, phone
        assert subject not in text, subject
        assert id_no(number) not in text and id_no(number)[-6:] not in text
    assert "论文系抄袭" not in text  # a decision's reason: the applicant's only
    for value in OBJECTOR:  # nor who objected, nor what they said
        assert value not in text, value
    assert "欧**芒" in text and "张*丰" in text and "李*兰" in text  # masked
    # only items public by law
    assert any_office.case_no(made["title"]) in text
    assert any_office.case_no(made["exam"]) in text
    assert any_office.case_no(made["hidden"]) not in text


def test_only_items_public_by_law_are_listed(app, office):
    made = _decided_hall(office)
    client = app.test_client()
    r = client.get("/results/HQ/TRANSFER")
    assert r.status_code == 404 and "results-not-public" in r.get_data(as_text=True)
    r = client.get("/api/v1/halls/HQ/results?item=TRANSFER")
    assert r.status_code == 404 and r.get_json()["code"] == "results-not-public"
    body = client.get("/api/v1/halls/HQ/results").get_json()
    listed = {r["case_no"]: r for r in body["results"]}
    assert set(listed) == {office.case_no(made[k]) for k in ("title", "exam", "rejected")}
    assert listed[office.case_no(made["rejected"])]["decision"] == "rejected"
    assert {f["item"] for f in body["figures"]} == {"EXAM", "TITLE", "ARMY"}
    assert set(listed[office.case_no(made["title"])]) == {
        "case_no", "item", "item_name", "item_name_en", "decision", "accepted_on",
        "decided_on", "on_time", "applicant"}


def test_a_late_decision_is_said_late_and_the_figures_count_it(app, office):
    on_time = office.case("EXAM", 0)
    late = office.case("EXAM", 1)
    office.decide(on_time)
    office.clock.at = office.get(late).due_at + timedelta(hours=1)
    office.decide(late)
    body = app.test_client().get("/api/v1/halls/HQ/results?item=EXAM").get_json()
    assert [r["on_time"] for r in body["results"]] == [False, True]  # newest first
    [figures] = body["figures"]
    assert (figures["decided"], figures["on_time"], figures["on_time_percent"]) == (2, 1, 50)
    assert figures["month"] == "2026-11"
    page = app.test_client().get("/results/HQ/EXAM").get_data(as_text=True)
    assert 'data-decided="2"' in page and 'data-on-time="50"' in page


def test_results_are_filtered_by_month_and_paged_newest_first(app, office):
    ids = [office.case("EXAM", n) for n in range(3)]
    for case_id in ids:
        office.clock.advance(minutes=5)
        office.decide(case_id)
    client = app.test_client()
    numbers = [r["case_no"] for r in client.get(
        "/api/v1/halls/HQ/results?month=2026-11").get_json()["results"]]
    assert numbers == [office.case_no(i) for i in reversed(ids)]
    assert client.get("/api/v1/halls/HQ/results?month=2026-10").get_json()["results"] == []
    from hall import results
    results_page = results.PAGE_SIZE
    results.PAGE_SIZE = 2
    try:
        first = client.get("/api/v1/halls/HQ/results?page=1").get_json()
        second = client.get("/api/v1/halls/HQ/results?page=2").get_json()
    finally:
        results.PAGE_SIZE = results_page
    assert first["more"] and not second["more"]
    assert [r["case_no"] for r in first["results"] + second["results"]] == numbers


def test_public_reads_answer_304_until_something_is_decided(app, office):
    case_id = office.case("EXAM")
    client = app.test_client()
    for path in ("/results/HQ", "/results/HQ/EXAM", "/api/v1/halls/HQ/results",
                 "/results/HQ/notices", "/api/v1/halls/HQ/notices"):
        first = client.get(path)
        tag = first.headers["ETag"]
        assert first.headers["Cache-Control"] == "private, no-cache"
        again = client.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.data == b"", path
    tag = client.get("/results/HQ").headers["ETag"]
    office.decide(case_id)
    changed = client.get("/results/HQ", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag


@pytest.mark.parametrize("path, status, code", [
    ("/results/HQ?month=2026-13", 400, "invalid-month"),
    ("/results/HQ?month=abc", 400, "invalid-month"),
    ("/results/HQ?month=" + "9" * 5000, 400, "invalid-month"),
    ("/results/HQ?page=0", 400, "invalid-page"),
    ("/results/HQ?page=99999999999999999999999", 400, "invalid-page"),
    ("/results/HQ?page=-1", 400, "invalid-page"),
    ("/results/HQ/NOPE", 404, "unknown-service"),
    ("/results/NOPE", 404, "unknown-hall"),
    ("/results/HQ/notices/99999", 404, "unknown-notice"),
    ("/results/HQ/notices/99999999999999999999999", 404, "not-found"),
    ("/results/HQ?month=2026-11%00", 400, "nul-character"),
    ("/results/HQ/TI%00TLE", 400, "nul-character"),
    ("/api/v1/halls/HQ/results?month=2026-00", 400, "invalid-month"),
    ("/api/v1/halls/HQ/results?item=NOPE", 404, "unknown-service"),
    ("/api/v1/halls/HQ/results?item=" + "X" * 3000, 404, "unknown-service"),
    ("/api/v1/halls/HQ/results?page=abc", 400, "invalid-page"),
    ("/api/v1/halls/HQ/results?month=%00", 400, "nul-character"),
    ("/api/v1/halls/NOPE/notices", 404, "unknown-hall"),
])
def test_bad_input_on_the_public_reads_is_a_clear_refusal(app, office, path, status, code):
    r = app.test_client().get(path)
    assert r.status_code == status, r.get_data(as_text=True)
    if path.startswith("/api/"):
        assert r.mimetype == "application/problem+json" and r.get_json()["code"] == code
    else:
        assert code in r.get_data(as_text=True)


def test_bad_input_on_the_objection_is_a_clear_refusal(app, office):
    case_id = office.case("TITLE")
    notice = office.notice(case_id)
    client = app.test_client()
    r = _object(client, notice.id, body="异议\x00")
    assert r.status_code == 400 and "nul-character" in r.get_data(as_text=True)
    r = client.post(f"/api/v1/halls/HQ/notices/{notice.id}/objections",
                    json={"name": "赵", "phone": "13712345678", "body": "a\u0000",
                          "declared": True})
    assert r.status_code == 422
    r = client.post(f"/api/v1/halls/HQ/notices/{notice.id}/objections",
                    json={"name": "赵", "phone": "13712345678", "body": "异" * 1001,
                          "declared": True})
    assert r.status_code == 422 and r.get_json()["field"] == "body"
    r = client.post(f"/api/v1/halls/HQ/notices/{notice.id}/objections",
                    json={"name": "赵", "phone": "13712345678", "body": "异" * 5000,
                          "declared": True})
    assert r.status_code == 422  # past the schema's own limit
    r = client.post(f"/results/HQ/notices/{notice.id}", data={"name": "赵"})
    assert r.status_code == 400 and "csrf-failed" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(NoticeObjection)) == 0


def test_objections_spend_the_budget_of_complaints_per_address(app, office):
    app.config["ENQUIRY_RATE_LIMIT"] = "2 per hour"  # an objection is a complaint
    case_id = office.case("TITLE")
    notice = office.notice(case_id)
    client = app.test_client()
    body = {"name": "赵大勇", "phone": "13712345678", "body": "异议理由", "declared": True}
    path = f"/api/v1/halls/HQ/notices/{notice.id}/objections"
    assert [client.post(path, json=body).status_code for _ in range(3)] == [201, 201, 429]


# -- administration -------------------------------------------------------------------------------

def test_an_administrator_makes_an_items_results_public(app, office):
    client = app.test_client()
    sign_in(client, "admin")
    page = client.get("/admin/halls/HQ/services/TRANSFER").get_data(as_text=True)
    assert 'name="results_public"' in page and 'name="results_public" checked' not in page
    form = dict(re.findall(r'<input name="(\w+)" value="([^"]*)"', page))
    form.update({f: m for f, m in re.findall(
        r'<textarea name="(\w+)"[^>]*>([^<]*)</textarea>', page)})
    form.update({"csrf_token": csrf(client, "/admin/halls/HQ/services/TRANSFER"),
                 "prefix": "C", "division": "DEPLOY", "active": "on",
                 "results_public": "on"})
    r = client.post("/admin/halls/HQ/services/TRANSFER", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)
    assert app.test_client().get("/results/HQ/TRANSFER").status_code == 200


def test_an_administrator_sets_the_unit_of_notice_days(app, office):
    from hall import admin

    with app.app_context():
        admin.edit_hall(db.session, "HQ", actor=actor(app, "admin"), name_zh="总厅",
                        name_en="HQ", level="province", parent=None, notice_unit="calendar")
        assert get_hall(db.session, "HQ").notice_unit == "calendar"
        with pytest.raises(InvalidNoticeField):
            admin.edit_hall(db.session, "HQ", actor=actor(app, "admin"), name_zh="总厅",
                            name_en="HQ", level="province", parent=None, notice_unit="weeks")


def test_the_pages_in_chinese_have_chinese_punctuation(app, office):
    from test_kinds import ascii_punctuation, visible_text

    made = _decided_hall(office)
    with app.app_context():
        notice_id = db.session.scalar(sa.select(PublicNotice.id))
    public = app.test_client()
    pages = [public.get(p).get_data(as_text=True) for p in (
        "/results/HQ", "/results/HQ/TITLE", "/results/HQ/notices",
        f"/results/HQ/notices/{notice_id}")]
    pages.append(_object(public, notice_id).get_data(as_text=True))
    manager = app.test_client()
    sign_in(manager, "manager")
    for key in ("noticed", "title"):
        pages.append(manager.get(f"/hall/HQ/cases/{made[key]}").get_data(as_text=True))
    assert [p for html in pages for p in ascii_punctuation(visible_text(html))] == []


def test_the_servers_scheduler_ends_a_notice_whose_period_is_over(app, office, monkeypatch):
    import time

    from hall.web import scheduler

    case_id = office.case("TITLE")
    notice = office.notice(case_id)
    office.clock.at = notice.ends_at + timedelta(seconds=1)
    app.config.update(SCHEDULER_ENABLED=True, SCHEDULER_INTERVAL=3600)
    stops: list = []
    monkeypatch.setattr(scheduler.atexit, "register", stops.append)  # stopped here instead
    jobs = scheduler.start(app)
    try:
        assert jobs.get_job("public-notices") is not None
        for _ in range(100):  # its first run is at once
            if office.get(case_id).state == "in_progress":
                break
            time.sleep(0.05)
    finally:
        stops[0]()
    assert office.get(case_id).state == "in_progress"
    with app.app_context():
        assert db.session.get(PublicNotice, notice.id).outcome == "period_over"
