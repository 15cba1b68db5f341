"""The administration pages: who may open them, what an administrator can change, and that a
wrong entry shows a message and writes nothing."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from conftest import MONDAY_0930, actor
from hall import cases, clock, deadlines, queue
from hall.issuing import issue_ticket
from hall.models import Case, Event, ServiceItem, Staff, Window
from hall.web.extensions import db
from test_auth import csrf_token, sign_in


def post(client, path: str, data: dict, form_page: str | None = None):
    data = {"csrf_token": csrf_token(client, form_page or path), **data}
    return client.post(path, data=data)


def event_count(app, prefix: str = "admin.") -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Event)
                                 .where(Event.kind.like(prefix + "%")))


def problem(html: str) -> str:
    found = re.search(r'data-problem>(.*?)</p>', html, re.S)
    return found.group(1).strip() if found else ""


@pytest.fixture
def admin_client(client):
    """The administrator, reading English: the messages are checked in their msgid form,
    which the Chinese catalogue translates (see test_admin_pages_speak_chinese)."""
    sign_in(client, "admin")
    client.get("/lang/en")
    return client


PAGES = ["/admin", "/admin/halls", "/admin/halls/HQ", "/admin/halls/HQ/windows",
         "/admin/halls/HQ/windows/3", "/admin/halls/HQ/services",
         "/admin/halls/HQ/services/EXAM", "/admin/halls/HQ/services/new",
         "/admin/halls/HQ/divisions", "/admin/halls/HQ/divisions/CIVIL",
         "/admin/halls/HQ/staff", "/admin/staff/clerk03", "/admin/audit", "/admin/calendar"]


# -- who may ---------------------------------------------------------------------------------

def test_strangers_are_sent_to_sign_in(client):
    for path in PAGES:
        r = client.get(path)
        assert r.status_code == 302 and r.headers["Location"].startswith("/login"), path


@pytest.mark.parametrize("username", ["clerk03", "manager", "division01", "hrb-manager"])
def test_clerks_and_managers_get_a_403_page(client, username):
    sign_in(client, username)
    own = "/hall/HRB/windows" if username.startswith("hrb") else "/hall/HQ/windows"
    for path in PAGES:
        r = client.get(path)
        assert r.status_code == 403, path
        assert "text/html" in r.content_type
    token = csrf_token(client, own)  # any page with a form
    r = client.post("/admin/halls/HQ/windows", data={"csrf_token": token, "no": "40"})
    assert r.status_code == 403


def test_every_admin_page_opens_for_an_administrator(admin_client):
    for path in PAGES:
        r = admin_client.get(path)
        assert r.status_code == 200, path


def test_the_home_page_lists_the_sections_and_reaches_the_calendar(admin_client):
    html = admin_client.get("/admin").get_data(as_text=True)
    for link in ("/admin/calendar", "/admin/audit", "/admin/halls/HQ/windows",
                 "/admin/halls/HQ/services", "/admin/halls/HQ/divisions",
                 "/admin/halls/HQ/staff", "/admin/halls/HRB/windows", "/guide/HQ"):
        assert f'href="{link}"' in html, link
    assert admin_client.get("/admin/calendar").status_code == 200


def test_admin_pages_speak_chinese_by_default(client):
    sign_in(client, "admin")
    html = client.get("/admin").get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "工作日" in client.get("/admin/calendar").get_data(
        as_text=True)


def test_forms_without_the_csrf_token_are_refused(admin_client, app):
    r = admin_client.post("/admin/halls/HQ/windows", data={"no": "40"})
    assert r.status_code == 400
    assert event_count(app) == 0


# -- windows ---------------------------------------------------------------------------------

def test_an_administrator_adds_a_window_and_it_is_audited(admin_client, app):
    r = post(admin_client, "/admin/halls/HQ/windows",
             {"no": "23", "name_zh": "综合窗口", "name_en": "General",
              "services": ["EXAM", "AGENCY"]})
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/halls/HQ/windows/23")
    with app.app_context():
        window = db.session.scalar(sa.select(Window).where(Window.no == 23))
        assert sorted(s.code for s in window.services) == ["AGENCY", "EXAM"]
        assert window.state == "closed"
    html = admin_client.get("/admin/audit?kind=admin.").get_data(as_text=True)
    assert 'data-kind="admin.window_added" data-actor="admin"' in html
    # the window is offered at once: the public guide lists it for the item
    guide = admin_client.get("/guide/HQ").get_data(as_text=True)
    assert re.search(r'data-service="EXAM".*?data-windows="3,4,21,23"', guide, re.S)


@pytest.mark.parametrize("no, expected", [("3", "already has"), ("0", "from 1"), ("abc", "from 1"),
                                          ("100000", "999"), ("", "from 1")])
def test_a_bad_window_number_is_explained_and_nothing_written(admin_client, app, no, expected):
    r = post(admin_client, "/admin/halls/HQ/windows", {"no": no, "services": ["EXAM"]})
    assert r.status_code == 422
    assert expected in problem(r.get_data(as_text=True))
    assert event_count(app) == 0


def test_a_window_is_given_other_items_and_taken_out_of_service(admin_client, app):
    r = post(admin_client, "/admin/halls/HQ/windows/5",
             {"name_zh": "五号", "name_en": "Five", "services": ["EXAM"]})
    assert r.status_code == 302
    r = post(admin_client, "/admin/halls/HQ/windows/5/disable", {},
             form_page="/admin/halls/HQ/windows/5")
    assert r.status_code == 302
    with app.app_context():
        window = db.session.scalar(sa.select(Window).where(Window.no == 5))
        assert window.services == [] and window.name_zh == "五号"
    assert "data-out-of-service" in admin_client.get("/admin/halls/HQ/windows/5").get_data(
        as_text=True)
    kinds = [e.kind for e in events(app)]
    assert kinds == ["admin.window_edited", "admin.window_services_set",
                     "admin.window_disabled"]


@pytest.mark.hall_open
def test_an_open_window_cannot_be_taken_out_of_service(admin_client, app):
    with app.app_context():
        queue.open_window(db.session, "HQ", 5, actor=actor(app, "clerk05"))
    r = post(admin_client, "/admin/halls/HQ/windows/5/disable", {},
             form_page="/admin/halls/HQ/windows/5")
    assert r.status_code == 422 and "closed" in problem(r.get_data(as_text=True))
    assert event_count(app) == 0


def events(app, prefix: str = "admin.") -> list[Event]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Event).where(Event.kind.like(prefix + "%"))
                                       .order_by(Event.id)))


# -- the catalogue ---------------------------------------------------------------------------

def service_form(client, code: str = "EXAM") -> dict:
    """The item's form as the page fills it in."""
    html = client.get(f"/admin/halls/HQ/services/{code}").get_data(as_text=True)
    values = dict(re.findall(r'<input name="(\w+)" value="([^"]*)"', html))
    values.update(re.findall(r'<textarea name="(\w+)" rows="\d+">([^<]*)</textarea>', html))
    values["prefix"] = re.search(r"<option selected>([A-Z])</option>", html).group(1)
    values["division"] = re.search(r'<option value="(\w+)" selected>', html).group(1)
    values["active"] = "on"
    import html as html_lib
    return {k: html_lib.unescape(v) for k, v in values.items()}


def test_editing_the_guide_and_time_limit_does_not_move_accepted_cases(admin_client, app):
    with clock.frozen(MONDAY_0930), app.app_context():
        clerk = actor(app, "clerk03")
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        issue_ticket(db.session, "HQ", "EXAM")
        queue.call_next(db.session, "HQ", 3, actor=clerk)
        case = cases.accept(db.session, "HQ", 3, actor=clerk, applicant_name="张三",
                            subject="资格复审")
        case_id, due_before = case.id, case.due_at
        db.session.remove()
    form = service_form(admin_client)
    assert form["time_limit_days"] == "5"
    form.update(time_limit_days="12", legal_limit_days="20",
                documents=form["documents"] + "\n近期免冠照片两张 | Two recent photos")
    r = post(admin_client, "/admin/halls/HQ/services/EXAM", form)
    assert r.status_code == 302, problem(r.get_data(as_text=True))
    with clock.frozen(MONDAY_0930), app.app_context():
        item = db.session.scalar(sa.select(ServiceItem).where(ServiceItem.code == "EXAM"))
        assert item.time_limit_days == 12
        assert item.documents[-1] == {"zh": "近期免冠照片两张", "en": "Two recent photos"}
        case = db.session.get(Case, case_id)
        deadlines.refresh(db.session, case, clock.now())  # as the job or a calendar change does
        assert case.due_at == due_before
    (edit,) = events(app, "admin.service_edited")
    assert edit.actor == "admin"
    assert edit.data["changed"]["time_limit_days"] == {"before": 5, "after": 12}
    guide = admin_client.get("/guide/HQ?lang=zh").get_data(as_text=True)
    assert "近期免冠照片两张" in guide and 'data-time-limit="12"' in guide


@pytest.mark.parametrize("change, words", [
    ({"time_limit_days": "-1"}, "from 0 to 250"),
    ({"time_limit_days": "99999"}, "from 0 to 250"),
    ({"time_limit_days": "x"}, "from 0 to 250"),
    ({"legal_limit_days": "2"}, "legal time limit"),
    ({"division": "NOPE"}, "NOPE"),
    ({"division": ""}, "division"),
    ({"name_zh": "  "}, "Chinese name"),
    ({"prefix": "I"}, "other than I and O"),
    ({"prefix": "O"}, "other than I and O"),
    ({"prefix": "AB"}, "one capital letter"),
    ({"standard_minutes": "0"}, "from 1 to 480"),
])
def test_a_wrong_item_entry_is_explained_and_nothing_written(admin_client, app, change, words):
    form = service_form(admin_client)
    form.update(change)
    r = post(admin_client, "/admin/halls/HQ/services/EXAM", form)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert words in problem(html), problem(html)
    with app.app_context():
        item = db.session.scalar(sa.select(ServiceItem).where(ServiceItem.code == "EXAM"))
        assert (item.time_limit_days, item.prefix, item.division.code) == (5, "A", "CIVIL")
    assert event_count(app) == 0


def test_a_new_item_is_created_with_its_guide(admin_client, app):
    r = post(admin_client, "/admin/halls/HQ/services/new", {
        "code": "seal", "prefix": "Z", "name_zh": "印章备案", "name_en": "Seal registration",
        "division": "CIVIL", "time_limit_days": "3", "legal_limit_days": "10",
        "standard_minutes": "8", "documents": "申请表 | Application form\n营业执照",
        "procedure": "提交 | Submit", "fees_zh": "", "fees_en": "", "active": "on"})
    assert r.status_code == 302
    with app.app_context():
        item = db.session.scalar(sa.select(ServiceItem).where(ServiceItem.code == "SEAL"))
        assert item.documents == [{"zh": "申请表", "en": "Application form"},
                                  {"zh": "营业执照", "en": ""}]
        assert item.fees_zh == "不收费"
    r = post(admin_client, "/admin/halls/HQ/services/new", {
        "code": "SEAL", "prefix": "Z", "name_zh": "x", "name_en": "x"},
        form_page="/admin/halls/HQ/services/new")
    assert r.status_code == 422 and "SEAL" in problem(r.get_data(as_text=True))


# -- divisions and staff ---------------------------------------------------------------------

@pytest.mark.hall_open
def test_an_administrator_adds_a_division_and_a_clerk_who_works_a_window(admin_client, app):
    r = post(admin_client, "/admin/halls/HQ/divisions",
             {"code": "audit", "name_zh": "审计处", "name_en": "Audit Division"})
    assert r.status_code == 302
    r = post(admin_client, "/admin/halls/HQ/divisions",
             {"code": "AUDIT", "name_zh": "审计处", "name_en": "Audit Division"})
    assert r.status_code == 422 and "AUDIT" in problem(r.get_data(as_text=True))
    r = post(admin_client, "/admin/halls/HQ/staff",
             {"username": "clerk23", "name": "王芳", "password": "window23go",
              "roles": ["clerk"]})
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/staff/clerk23")
    kinds = [e.kind for e in events(app)]
    assert kinds == ["admin.division_created", "admin.staff_created"]
    assert "window23go" not in str([e.data for e in events(app)])

    clerk = app.test_client()
    r = sign_in(clerk, "clerk23", "window23go")
    assert r.status_code == 302
    assert clerk.get("/hall/HQ/windows/7").status_code == 200
    r = clerk.post("/hall/HQ/windows/7/open", headers={"Accept": "application/json"},
                   data={"csrf_token": csrf_token(clerk, "/hall/HQ/windows/7")})
    assert (r.status_code, r.get_json()["code"]) == (403, "window-not-assigned")
    r = post(admin_client, "/admin/staff/clerk23/windows", {"windows": ["7"]},
             form_page="/admin/staff/clerk23")
    assert r.status_code == 302
    r = clerk.post("/hall/HQ/windows/7/open",
                   data={"csrf_token": csrf_token(clerk, "/hall/HQ/windows/7")})
    assert r.status_code in (200, 302)
    with app.app_context():
        window = db.session.scalar(sa.select(Window).where(Window.no == 7))
        assert window.state == "open" and window.clerk.username == "clerk23"


@pytest.mark.parametrize("fields, words", [
    ({"username": "clerk03"}, "already taken"),
    ({"username": "a b"}, "3 to 40"),
    ({"username": ""}, "the username"),
    ({"password": ""}, "at least 8"),
    ({"password": "short1"}, "at least 8"),
    ({"password": "onlyletters"}, "letters and digits"),
    ({"password": "newclerk1x"}, "username"),
    ({"password": "password1"}, "guessed first"),
    ({"name": ""}, "name"),
    ({"roles": []}, "role"),
    ({"roles": ["bogus"]}, "bogus"),
    ({"roles": ["division"]}, "division"),
    ({"roles": ["division"], "division": "NOPE"}, "NOPE"),
])
def test_a_wrong_account_is_explained_and_nothing_written(admin_client, app, fields, words):
    form = {"username": "newclerk", "name": "新人", "password": "good4password",
            "roles": ["clerk"], **fields}
    r = post(admin_client, "/admin/halls/HQ/staff", form)
    assert r.status_code == 422
    assert words in problem(r.get_data(as_text=True)), problem(r.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(sa.select(Staff).where(Staff.username == "newclerk")) is None
    assert event_count(app) == 0


def test_roles_password_reset_and_deactivation(admin_client, app):
    r = post(admin_client, "/admin/staff/clerk04",
             {"name": "四号", "roles": ["clerk", "division"], "division": "CIVIL"})
    assert r.status_code == 302
    r = post(admin_client, "/admin/staff/clerk04/password",
             {"password": "fresh4start", "confirm": "fresh4start"},
             form_page="/admin/staff/clerk04")
    assert r.status_code == 302
    other = app.test_client()
    assert sign_in(other, "clerk04", "demo").status_code == 401
    assert sign_in(other, "clerk04", "fresh4start").status_code == 302
    r = post(admin_client, "/admin/staff/clerk04/active", {"active": "0"},
             form_page="/admin/staff/clerk04")
    assert r.status_code == 302
    assert other.get("/hall/HQ/windows").status_code == 302  # signed out: sent to sign in
    assert sign_in(app.test_client(), "clerk04", "fresh4start").status_code == 401
    kinds = [e.kind for e in events(app)]
    assert kinds == ["admin.staff_edited", "admin.password_reset", "admin.staff_deactivated"]
    assert events(app)[0].data["changed"]["roles"] == {"before": ["clerk"],
                                                       "after": ["clerk", "division"]}


def test_an_administrator_cannot_lock_themselves_out(admin_client, app):
    r = post(admin_client, "/admin/staff/admin/active", {"active": "0"},
             form_page="/admin/staff/admin")
    assert r.status_code == 422 and problem(r.get_data(as_text=True))
    r = post(admin_client, "/admin/staff/admin", {"name": "管理员", "roles": ["manager"]})
    assert r.status_code == 422
    r = post(admin_client, "/admin/staff/clerk04/password",
             {"password": "fresh4start", "confirm": "other4start"},
             form_page="/admin/staff/clerk04")
    assert r.status_code == 422
    assert event_count(app) == 0


def test_hall_details_are_edited_but_code_and_node_stay(admin_client, app):
    r = post(admin_client, "/admin/halls/HRB", {"name_zh": "哈尔滨市人才服务大厅",
                                                 "name_en": "Harbin Talent Service Hall",
                                                 "level": "city", "parent": "HQ",
                                                 "phone": "0451-12345678"})
    assert r.status_code == 302
    r = post(admin_client, "/admin/halls/HQ", {"name_zh": "x", "name_en": "x",
                                                "level": "province", "parent": "HRB"})
    assert r.status_code == 422
    r = post(admin_client, "/admin/halls", {"code": "QQHR", "node_no": "1", "name_zh": "齐齐哈尔",
                                             "name_en": "Qiqihar", "level": "city",
                                             "parent": "HQ"})
    assert r.status_code == 422 and "HQ" in problem(r.get_data(as_text=True))
    r = post(admin_client, "/admin/halls", {"code": "QQHR", "node_no": "31", "name_zh": "齐齐哈尔",
                                             "name_en": "Qiqihar", "level": "city",
                                             "parent": "HQ", "timezone": "Asia/Shanghai"})
    assert r.status_code == 302
    assert [e.kind for e in events(app)] == ["admin.hall_edited", "admin.hall_created"]


def test_a_city_administrator_runs_only_their_hall(app):
    with app.app_context():
        from hall import admin
        admin.create_staff(db.session, "HRB", username="hrb-admin", name="市管理员",
                           password="cityadmin9", roles=["admin"], actor=actor(app, "admin"))
    client = app.test_client()
    sign_in(client, "hrb-admin", "cityadmin9")
    assert client.get("/admin/halls/HRB/windows").status_code == 200
    assert client.get("/admin/halls/HQ/windows").status_code == 403
    assert client.get("/admin/staff/clerk03").status_code == 403
    r = client.post("/admin/halls", data={"csrf_token": csrf_token(client, "/admin/halls"),
                                          "code": "X1", "node_no": "77"})
    assert r.status_code == 403


def test_an_item_taken_online_keeps_its_uploaded_documents_when_edited(admin_client, app):
    """The documents uploaded online are the lines marked ``*``: an edit keeps the marks, can
    add one, and switches applying online on and off (hall.applications reads both)."""
    with app.app_context():
        item = db.session.scalar(sa.select(ServiceItem).where(ServiceItem.code == "EXAM"))
        before = [dict(d) for d in item.documents]
    form = service_form(admin_client)
    assert "* " not in form["documents"] and "apply_online" not in form
    lines = form["documents"].splitlines()
    lines[0] = "* " + lines[0]
    form.update(documents="\n".join(lines + ["＊学历证书扫描件 | Diploma scan"]),
                apply_online="on")
    assert post(admin_client, "/admin/halls/HQ/services/EXAM", form).status_code == 302
    with app.app_context():
        item = db.session.scalar(sa.select(ServiceItem).where(ServiceItem.code == "EXAM"))
        assert item.apply_online is True
        assert item.documents == [{**before[0], "upload": True}, *before[1:],
                                  {"zh": "学历证书扫描件", "en": "Diploma scan", "upload": True}]
    page = admin_client.get("/admin/halls/HQ/services/EXAM").get_data(as_text=True)
    assert 'name="apply_online" checked' in page
    form = service_form(admin_client)  # edited again without touching the documents
    assert form["documents"].splitlines()[0].startswith("* ")
    form.pop("apply_online", None)
    assert post(admin_client, "/admin/halls/HQ/services/EXAM", form).status_code == 302
    with app.app_context():
        item = db.session.scalar(sa.select(ServiceItem).where(ServiceItem.code == "EXAM"))
        assert item.apply_online is False
        assert [d.get("upload", False) for d in item.documents] == (
            [True] + [False] * (len(before) - 1) + [True])
    (first, second) = events(app, "admin.service_edited")
    assert first.data["changed"]["apply_online"] == {"before": False, "after": True}
    assert second.data["changed"]["apply_online"] == {"before": True, "after": False}
