"""Questions, complaints and reports on the pages and the API (issue 15): the form per hall
and its confirmation, the tracking page (public and with the access code, writing to the
office), the division's inbox and enquiry page, the manager's extension requests, the
administrators' page; privacy of the public views; bad input, CSRF, NUL bytes and the rate
limit; the flow on both databases."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from conftest import actor
from enquiry_helpers import BODY, EMAIL, NAME, PHONE, SUBJECT, any_hall, hall  # noqa: F401
from hall import deadlines, enquiries
from hall.models import Enquiry, EnquiryRule
from hall.web.extensions import db
from test_auth import csrf_token, sign_in

FORM = {"kind": "consultation", "topic": "TITLE", "subject": SUBJECT, "body": BODY,
        "name": NAME, "phone": PHONE, "email": EMAIL}


def text_of(response) -> str:
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def send(client, hall_code: str = "HQ", **fields):
    token = csrf_token(client, f"/ask/{hall_code}?kind={fields.get('kind', 'consultation')}")
    return client.post(f"/ask/{hall_code}", data={"csrf_token": token, **FORM, **fields})


def sent_codes(client, response) -> tuple[str, str]:
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    number = re.search(r"data-service-no>([^<]+)<", html).group(1).replace("-", "")
    code = re.search(r"data-access-code>([^<]+)<", html).group(1)
    return number, code


def staff(app, username: str):
    client = app.test_client()
    sign_in(client, username)
    return client


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Enquiry))


# -- the form and its confirmation --------------------------------------------------------------

def test_a_question_is_sent_and_the_confirmation_says_the_codes_and_the_limit(hall, client):
    form = client.get("/ask/HQ")
    assert form.status_code == 200 and "在线咨询投诉" in text_of(form)
    assert "职称评审" in text_of(form) and "服务态度与工作作风" not in text_of(form)
    response = send(client)
    page = client.get(response.headers["Location"])
    words = text_of(page)
    number, code = sent_codes(client, response)
    assert "3个工作日内答复，即11月26日（星期四）17:00前" in words
    assert code in words and "专业技术人员管理处" in words
    assert page.headers["Cache-Control"] == "no-store"
    # The confirmation shows the code only to this browser; anyone else is sent to tracking.
    other = hall.app.test_client().get(response.headers["Location"])
    assert other.status_code == 303 and other.headers["Location"].endswith(f"/track/{number}")


def test_the_report_form_offers_anonymity_and_keeps_no_contact(hall, client):
    assert "匿名举报" in text_of(client.get("/ask/HQ?kind=report"))
    response = send(client, kind="report", topic="INSURE", anonymous="1")
    number, code = sent_codes(client, response)
    with hall.session() as s:
        made = s.scalar(sa.select(Enquiry).where(Enquiry.service_no == number))
        assert made.anonymous and (made.name, made.phone, made.email) == (None, None, None)
    assert "唯一凭据" in text_of(client.get(response.headers["Location"]))


@pytest.mark.parametrize("fields,words", [
    ({"body": ""}, "请填写具体内容"),
    ({"body": "字" * 4001}, "不超过4000"),
    ({"subject": ""}, "请填写简短的标题"),
    ({"topic": "NOSUCH"}, "请从列表中选择事项类别"),
    ({"topic": "CONDUCT"}, "该事项类别不受理咨询"),
    ({"phone": "12345"}, "手机号码"),
    ({"kind": "complaint", "topic": "TITLE", "name": ""}, "请填写姓名"),
])
def test_bad_input_shows_the_form_again_with_the_words_and_writes_nothing(hall, client, fields,
                                                                          words):
    response = send(client, **fields)
    assert response.status_code == 422
    assert words in text_of(response)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    if fields.get("body"):
        assert fields["body"][:100] in response.get_data(as_text=True)  # kept to correct
    assert count(hall.app) == 0


def test_no_form_without_its_csrf_token_and_no_nul_byte(hall, client):
    assert client.post("/ask/HQ", data=FORM).status_code == 400
    assert send(client, body="内容\x00").status_code == 400
    assert count(hall.app) == 0


def test_sending_is_limited_per_address(hall, client):
    hall.app.config["ENQUIRY_RATE_LIMIT"] = "2 per hour"
    assert send(client).status_code == 303
    assert send(client).status_code == 303
    assert send(client).status_code == 429
    assert count(hall.app) == 2


def test_an_unknown_hall_is_said_in_words(client):
    response = client.get("/ask/NOPE")
    assert response.status_code == 404 and "NOPE" in text_of(response)


# -- the tracking page ----------------------------------------------------------------------------

PERSONAL = (NAME, PHONE, EMAIL, SUBJECT, BODY, "138****", "139****")


def test_the_public_view_has_no_name_phone_email_or_text(hall, client):
    number, code = sent_codes(client, send(client))
    hall.do(enquiries.reply, _id(hall, number), body="答复：可以补交。", actor=hall.title)
    stranger = hall.app.test_client()
    views = [stranger.get(f"/track/{number}"),
             stranger.get(f"/api/v1/track/{number}"),
             stranger.get(f"/api/v1/enquiries/{number}")]
    for view in views:
        assert view.status_code == 200
        shown = view.get_data(as_text=True)
        assert not [p for p in (*PERSONAL, "答复：可以补交", code) if p in shown]
    public = text_of(views[0])
    assert "咨询" in public and "职称评审" in public and "已答复" in public
    assert "2026-11-23 09:30" in public and "正常" in public
    assert "private" not in views[2].get_json()


def _id(hall, number: str) -> int:
    with hall.session() as s:
        return s.scalar(sa.select(Enquiry.id).where(Enquiry.service_no == number))


def test_a_wrong_access_code_shows_no_text(hall, client):
    number, code = sent_codes(client, send(client))
    stranger = hall.app.test_client()
    wrong = stranger.post(f"/track/{number}", data={"code": "WRONG234"})
    assert wrong.status_code == 404
    assert not [p for p in PERSONAL if p in wrong.get_data(as_text=True)]
    api = stranger.get(f"/api/v1/enquiries/{number}", headers={"X-Access-Code": "WRONG234"})
    assert api.status_code == 404 and api.mimetype == "application/problem+json"
    unknown = stranger.get(f"/api/v1/enquiries/{number[:9]}900008")
    assert unknown.status_code in (400, 404)


def test_with_the_code_the_citizen_reads_the_thread_and_writes(hall, client):
    number, code = sent_codes(client, send(client))
    hall.do(enquiries.reply, _id(hall, number), body="可以补交，请于12月10日前。", actor=hall.title)
    citizen = hall.app.test_client()
    page = citizen.post(f"/track/{number}", data={"code": code})
    words = text_of(page)
    assert SUBJECT in words and BODY in words and "可以补交，请于12月10日前。" in words
    assert NAME in words and PHONE not in words and "139****5678" in words
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    written = citizen.post(f"/track/{number}/write",
                           data={"csrf_token": token, "code": code, "body": "补交到几号窗口？"})
    assert written.status_code == 200 and "您的留言已发送给办理部门" in text_of(written)
    assert "补交到几号窗口？" in text_of(written)
    # without the token, or with a wrong code: refused, nothing written
    assert citizen.post(f"/track/{number}/write",
                        data={"code": code, "body": "x"}).status_code == 400
    assert citizen.post(f"/track/{number}/write", data={
        "csrf_token": token, "code": "WRONG234", "body": "x"}).status_code == 404
    empty = citizen.post(f"/track/{number}/write",
                         data={"csrf_token": token, "code": code, "body": " "})
    assert empty.status_code == 422 and "请填写留言内容" in text_of(empty)
    with hall.session() as s:
        e = s.get(Enquiry, _id(hall, number))
        assert [m.body for m in enquiries.thread(s, e)][-1] == "补交到几号窗口？"


# -- the division's pages -------------------------------------------------------------------

def test_the_division_answers_from_its_inbox_and_others_cannot(hall, client):
    number, code = sent_codes(client, send(client))
    enquiry_id = _id(hall, number)
    title = staff(hall.app, "division02")
    inbox = title.get("/hall/HQ/enquiries")
    assert inbox.status_code == 200 and SUBJECT in text_of(inbox)
    assert 'data-enquiry-count>1<' in title.get("/hall/HQ/cases").get_data(as_text=True)
    civil = staff(hall.app, "division01")
    assert SUBJECT not in text_of(civil.get("/hall/HQ/enquiries"))
    assert civil.get(f"/hall/HQ/enquiries/{enquiry_id}").status_code == 403
    token = csrf_token(civil, "/hall/HQ/enquiries")
    assert civil.post(f"/hall/HQ/enquiries/{enquiry_id}/reply",
                      data={"csrf_token": token, "body": "x"}).status_code == 403
    assert staff(hall.app, "hrb-manager").get(
        f"/hall/HQ/enquiries/{enquiry_id}").status_code == 403
    page = title.get(f"/hall/HQ/enquiries/{enquiry_id}")
    assert NAME in text_of(page) and PHONE in text_of(page) and BODY in text_of(page)
    token = csrf_token(title, f"/hall/HQ/enquiries/{enquiry_id}")
    answered = title.post(f"/hall/HQ/enquiries/{enquiry_id}/reply",
                          data={"csrf_token": token, "body": "可以补交。"})
    assert answered.status_code == 302
    assert hall.get(enquiry_id).state == "answered"
    assert SUBJECT not in text_of(title.get("/hall/HQ/enquiries"))  # nothing owed any more


def test_a_refused_move_keeps_what_was_typed(hall, client):
    number, _code = sent_codes(client, send(client, kind="complaint"))
    enquiry_id = _id(hall, number)
    title = staff(hall.app, "division02")
    token = csrf_token(title, f"/hall/HQ/enquiries/{enquiry_id}")
    refused = title.post(f"/hall/HQ/enquiries/{enquiry_id}/decline",
                         data={"csrf_token": token, "reason": "不属于本处职责"})  # not confirmed
    assert refused.status_code == 422 and "不属于本处职责" in refused.get_data(as_text=True)
    assert hall.get(enquiry_id).state == "submitted"


def test_the_manager_grants_an_extension_on_the_extension_requests_page(hall, client):
    number, _code = sent_codes(client, send(client, kind="complaint"))
    enquiry_id = _id(hall, number)
    hall.do(enquiries.accept, enquiry_id, actor=hall.title)
    hall.do(enquiries.request_extension, enquiry_id, days=30, reason="需外调取证",
            actor=hall.title)
    manager = staff(hall.app, "manager")
    page = manager.get("/hall/HQ/extension-requests")
    assert "需外调取证" in text_of(page) and 'data-pending-enquiries>1<' in page.get_data(
        as_text=True)
    token = csrf_token(manager, "/hall/HQ/extension-requests")
    granted = manager.post(f"/hall/HQ/extension-requests/enquiries/{enquiry_id}",
                           data={"csrf_token": token, "approve": "1"})
    assert granted.status_code == 302 and hall.get(enquiry_id).extension_days == 30
    citizen = text_of(hall.app.test_client().get(f"/track/{number}"))
    assert "时限延长30日" in citizen and "需外调取证" not in citizen  # the reason is private


# -- administration -----------------------------------------------------------------------------

def test_the_administrator_sets_the_limits_and_a_topic_on_the_page(hall):
    admin = staff(hall.app, "admin")
    page = admin.get("/admin/halls/HQ/enquiries")
    assert page.status_code == 200 and "职称评审" in text_of(page)
    token = csrf_token(admin, "/admin/halls/HQ/enquiries")
    saved = admin.post("/admin/halls/HQ/enquiries/rules/complaint", data={
        "csrf_token": token, "respond_days": "10", "respond_unit": "working",
        "conclude_days": "30", "conclude_unit": "working", "extension_days": "0"})
    assert saved.status_code == 302
    with hall.session() as s:
        row = s.get(EnquiryRule, (hall.get(hall.ask().id).hall_id, "complaint"))
        assert (row.respond_days, row.respond_unit, row.extension_days) == (10, "working", 0)
    bad = admin.post("/admin/halls/HQ/enquiries/rules/complaint",
                     data={"csrf_token": token, "respond_days": "0"})
    assert bad.status_code == 422 and "答复或受理时限天数" in text_of(bad)
    topic = admin.post("/admin/halls/HQ/enquiries/topics", data={
        "csrf_token": token, "code": "retire", "name_zh": "退休审批", "name_en": "Retirement",
        "division": "WAGE", "kinds": ["consultation"], "active": "1"})
    assert topic.status_code == 302
    assert "退休审批" in text_of(hall.app.test_client().get("/ask/HQ"))
    assert staff(hall.app, "manager").get("/admin/halls/HQ/enquiries").status_code == 403


# -- the API ------------------------------------------------------------------------------------

def test_the_api_sends_reads_and_writes(hall, client):
    sent = client.post("/api/v1/halls/HQ/enquiries", json={
        "kind": "complaint", "topic": "CONDUCT", "subject": "窗口推诿", "body": "推诿三次",
        "name": NAME, "phone": PHONE})
    assert sent.status_code == 201, sent.get_json()
    body = sent.get_json()
    number, code = body["service_no"], body["access_code"]
    assert body["respond_due_at"] == "2026-12-08T17:00:00+08:00" and body["state"] == "submitted"
    assert sent.headers["Location"].endswith(f"/api/v1/enquiries/{number}")
    public = client.get(f"/api/v1/enquiries/{number}").get_json()
    assert "access_code" not in public and "private" not in public
    mine = client.get(f"/api/v1/enquiries/{number}", headers={"X-Access-Code": code}).get_json()
    assert mine["private"]["body"] == "推诿三次" and mine["private"]["phone"] == "139****5678"
    written = client.post(f"/api/v1/enquiries/{number}/messages", json={"body": "补充"},
                          headers={"X-Access-Code": code})
    assert written.status_code == 201
    assert written.get_json()["private"]["messages"][-1] == {
        "datetime": "2026-11-23T09:30:00+08:00", "from": "citizen", "body": "补充"}
    refused = client.post("/api/v1/halls/HQ/enquiries", json={
        "kind": "consultation", "topic": "CONDUCT", "subject": "x", "body": "y", "name": NAME,
        "phone": PHONE})
    assert refused.status_code == 422 and refused.get_json()["code"] == "topic-not-for-kind"
    assert refused.get_json()["field"] == "topic"
    nul = client.post("/api/v1/halls/HQ/enquiries", json={**FORM, "body": "a\x00b"})
    assert nul.status_code == 422
    topics = client.get("/api/v1/halls/HQ/enquiry-topics?kind=report").get_json()
    assert {t["code"] for t in topics["topics"]} == {"INSURE", "LABOUR", "CONDUCT"}
    assert count(hall.app) == 1


def test_the_openapi_document_describes_the_enquiry_calls(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/halls/{hall}/enquiries", "/api/v1/enquiries/{service_no}",
                 "/api/v1/enquiries/{service_no}/messages", "/api/v1/halls/{hall}/enquiry-topics"):
        assert path in paths


# -- the flow, on SQLite and PostgreSQL -----------------------------------------------------------

def test_sent_answered_written_to_and_concluded_over_the_pages(any_hall):
    h = any_hall
    citizen = h.app.test_client()
    number, code = sent_codes(citizen, send(citizen, kind="complaint", topic="TITLE"))
    enquiry_id = _id(h, number)
    title = staff(h.app, "division02")
    token = csrf_token(title, f"/hall/HQ/enquiries/{enquiry_id}")
    assert title.post(f"/hall/HQ/enquiries/{enquiry_id}/accept",
                      data={"csrf_token": token, "note": "已受理，正在核查。"}).status_code == 302
    page = citizen.post(f"/track/{number}", data={"code": code})
    assert "已受理，正在核查。" in text_of(page)
    ctoken = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    assert citizen.post(f"/track/{number}/write", data={
        "csrf_token": ctoken, "code": code, "body": "补充材料已寄出。"}).status_code == 200
    assert "群众有新留言" in text_of(title.get("/hall/HQ/enquiries"))
    assert title.post(f"/hall/HQ/enquiries/{enquiry_id}/conclude", data={
        "csrf_token": token, "note": "经核查，材料已补正。", "confirm": "1"}).status_code == 302
    done = citizen.post(f"/track/{number}", data={"code": code})
    words = text_of(done)
    assert "已办结" in words and "经核查，材料已补正。" in words and "此事项已结束" in words
    assert 'action="/track/' + number + '/write"' not in done.get_data(as_text=True)


def test_an_anonymous_report_is_followed_by_number_and_code_over_the_api(any_hall):
    h = any_hall
    client = h.app.test_client()
    sent = client.post("/api/v1/halls/HQ/enquiries", json={
        "kind": "report", "topic": "INSURE", "subject": "冒领养老金", "body": "某单位冒领",
        "anonymous": True, "name": "不应保存", "phone": PHONE})
    assert sent.status_code == 201
    number, code = sent.get_json()["service_no"], sent.get_json()["access_code"]
    assert sent.get_json()["private"]["name"] is None
    h.do(enquiries.decline, _id(h, number), reason="已移交市社保局稽核。",
         actor=actor(h.app, "division06"))
    mine = client.get(f"/api/v1/enquiries/{number}?code={code}").get_json()
    assert mine["state"] == "declined" and mine["private"]["messages"][-1]["body"] == \
        "已移交市社保局稽核。"
    public = client.get(f"/api/v1/enquiries/{number}").get_json()
    assert "已移交" not in str(public)


def test_yellow_and_red_show_in_the_inbox_and_on_the_tracking_page(hall, client):
    number, _code = sent_codes(client, send(client))
    with hall.session() as s:
        deadlines.tick(s, now=hall.clock.at + timedelta(days=3, hours=8))  # Thu 17:30
    hall.clock.advance(days=3, hours=8)
    inbox = staff(hall.app, "division02").get("/hall/HQ/enquiries").get_data(as_text=True)
    assert 'data-warning="red"' in inbox and "已超期" in inbox
    public = text_of(hall.app.test_client().get(f"/track/{number}"))
    assert "已超期" in public and "延误责任在办理部门" in public


# -- attachments (hall.files) ---------------------------------------------------------------------

def send_with_files(client, *files, **fields):
    token = csrf_token(client, "/ask/HQ")
    data = {"csrf_token": token, **FORM, **fields,
            "attachments": [(io.BytesIO(content), name) for name, content in files]}
    return client.post("/ask/HQ", data=data, content_type="multipart/form-data")


def test_attachments_are_kept_and_read_only_by_the_division_and_the_citizen(hall, client):
    from file_helpers import pdf, png

    response = send_with_files(client, ("证明.png", png()), ("评审表.pdf", pdf()))
    number, code = sent_codes(client, response)
    enquiry_id = _id(hall, number)
    with hall.session() as s:
        kept = enquiries.attachments_of(s, s.get(Enquiry, enquiry_id))
        ids = [f.id for f in kept]
        assert [(f.original_name, f.content_type) for f in kept] == [
            ("证明.png", "image/png"), ("评审表.pdf", "application/pdf")]
    title = staff(hall.app, "division02")
    page = title.get(f"/hall/HQ/enquiries/{enquiry_id}").get_data(as_text=True)
    assert "证明.png" in page
    shown = title.get(f"/hall/HQ/enquiries/{enquiry_id}/files/{ids[0]}")
    assert shown.status_code == 200 and shown.data == png()
    assert "sandbox" in shown.headers["Content-Security-Policy"]
    assert staff(hall.app, "division01").get(
        f"/hall/HQ/enquiries/{enquiry_id}/files/{ids[0]}").status_code == 403
    citizen = hall.app.test_client()
    assert "证明.png" in text_of(citizen.post(f"/track/{number}", data={"code": code}))
    mine = citizen.post(f"/track/{number}/files/{ids[1]}", data={"code": code})
    assert mine.status_code == 200 and mine.mimetype == "application/pdf"
    assert citizen.post(f"/track/{number}/files/{ids[1]}",
                        data={"code": "WRONG234"}).status_code == 404
    assert "证明.png" not in citizen.get(f"/track/{number}").get_data(as_text=True)
    # another enquiry's code opens none of these files
    other_number, other_code = sent_codes(client, send(client))
    assert citizen.post(f"/track/{other_number}/files/{ids[0]}",
                        data={"code": other_code}).status_code == 404


def test_a_renamed_program_is_refused_and_nothing_is_written(hall, client):
    response = send_with_files(client, ("证明.pdf", b"MZ\x90\x00" + bytes(200)))
    assert response.status_code == 415
    assert "请重新选择文件" in text_of(response) and BODY in response.get_data(as_text=True)
    assert count(hall.app) == 0
    with hall.session() as s:
        from hall.models import StoredFile

        assert s.scalar(sa.select(sa.func.count()).select_from(StoredFile).where(
            StoredFile.owner == "enquiry")) == 0


def test_at_most_three_attachments(hall, client):
    from file_helpers import png

    response = send_with_files(client, *[(f"{n}.png", png()) for n in range(4)])
    assert response.status_code == 422 and "最多可附3个文件" in text_of(response)
    assert count(hall.app) == 0


def test_the_answers_match_the_published_schemas(hall, client):
    import jsonschema

    from hall.web.api import openapi

    document = openapi.document()
    schemas = document["components"]["schemas"]
    resolver = {"components": {"schemas": schemas}}

    def check(body, name: str) -> None:
        jsonschema.validate(body, {**schemas[name], **resolver})

    sent = client.post("/api/v1/halls/HQ/enquiries", json={
        "kind": "report", "topic": "INSURE", "subject": "冒领", "body": "有人冒领",
        "anonymous": True})
    number, code = sent.get_json()["service_no"], sent.get_json()["access_code"]
    check(sent.get_json(), "Enquiry")
    check(client.get(f"/api/v1/enquiries/{number}").get_json(), "Enquiry")
    check(client.get(f"/api/v1/enquiries/{number}", headers={"X-Access-Code": code}).get_json(),
          "Enquiry")
    check(client.get(f"/api/v1/track/{number}").get_json(), "Tracked")
    check(client.get("/api/v1/halls/HQ/enquiry-topics").get_json(), "EnquiryTopics")
