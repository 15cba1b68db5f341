"""Blank forms to download (表格下载, issue 15 item 6): an administrator uploads them on the
item's page, the public guide lists them, anybody downloads them with safe headers; nobody
else may upload or remove one."""
from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from conftest import TEST_PASSWORD_HASH, actor
from file_helpers import hand_pdf, png
from file_helpers import pdf as make_pdf
from hall import forms
from hall.errors import NotAnAdministrator
from hall.events import Actor
from hall.file_errors import FileNotFound, FileTypeRefused
from hall.glyphs import MISSING
from hall.lookup import get_hall
from hall.models import Event, ServiceItem, StoredFile
from hall.staff import new_staff
from hall.web.extensions import db
from test_auth import csrf_token, sign_in


def _form_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-form="(\d+)"', html)]


def _item(code: str, hall: str = "HQ") -> ServiceItem:
    found = get_hall(db.session, hall)
    return db.session.scalar(sa.select(ServiceItem).where(ServiceItem.hall_id == found.id,
                                                          ServiceItem.code == code))


def _upload(client, item: str = "EXAM", *, label: str = "报名表", data: bytes | None = None,
            filename: str = "报名表.pdf", hall: str = "HQ"):
    page = f"/admin/halls/{hall}/services/{item}"
    return client.post(f"{page}/forms", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, page), "label": label,
        "file": (io.BytesIO(make_pdf() if data is None else data), filename)})


@pytest.fixture
def admin_client(client):
    sign_in(client, "admin")
    return client


# -- the demo ------------------------------------------------------------------------------------

def test_the_demo_offers_blank_forms_drawn_in_chinese(app, client):
    with app.app_context():
        demo = forms.forms_of(db.session, _item("TITLE"))
        assert [f.label for f in demo] == ["专业技术职务任职资格评审表", "职称评审诚信承诺书"]
        assert all(f.content_type == "application/pdf" for f in demo)
        first = demo[0].id
    r = client.get(f"/guide/HQ/TITLE/forms/{first}")
    assert r.status_code == 200 and r.data.startswith(b"%PDF-")
    text = PdfReader(io.BytesIO(r.data)).pages[0].extract_text()
    assert "专业技术职务任职资格评审表" in text and "公民身份号码" in text
    assert MISSING not in text


# -- uploading -----------------------------------------------------------------------------------

def test_an_administrator_uploads_a_form_the_guide_lists_it_and_anybody_downloads_it(
        app, admin_client):
    r = _upload(admin_client, label="公务员考试报名登记表", filename="../报名表.pdf")
    assert r.status_code == 302 and r.headers["Location"].endswith("/services/EXAM#forms")
    with app.app_context():
        form = forms.forms_of(db.session, _item("EXAM"))[-1]
        assert (form.label, form.original_name) == ("公务员考试报名登记表", "报名表.pdf")
        event = db.session.scalars(sa.select(Event).where(Event.kind == "file.stored")
                                   .order_by(Event.id.desc())).first()
        assert event.actor == "admin" and event.data["service"] == "EXAM"
        assert event.data["file"] == form.id
    page = admin_client.get("/admin/halls/HQ/services/EXAM").get_data(as_text=True)
    assert "公务员考试报名登记表" in page

    public = app.test_client()
    guide = public.get("/guide/HQ").get_data(as_text=True)
    assert form.id in _form_ids(guide)
    assert f"/guide/HQ/EXAM/forms/{form.id}" in guide and "公务员考试报名登记表" in guide
    r = public.get(f"/guide/HQ/EXAM/forms/{form.id}")
    assert r.status_code == 200 and r.data == make_pdf()
    assert r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E6%8A%A5%E5%90%8D%E8%A1%A8.pdf" in r.headers["Content-Disposition"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Security-Policy"].startswith("sandbox")
    assert int(r.headers["Content-Length"]) == len(make_pdf())

    api = public.get("/api/v1/halls/HQ/guide").get_json()
    listed = next(i for i in api["items"] if i["code"] == "EXAM")["forms"]
    assert listed[-1]["id"] == form.id and listed[-1]["label"] == "公务员考试报名登记表"
    assert listed[-1]["url"].endswith(f"/guide/HQ/EXAM/forms/{form.id}")
    assert listed[-1]["size"] == len(make_pdf())


def test_a_form_is_served_only_under_its_own_item_and_hall(app, client):
    with app.app_context():
        form_id = forms.forms_of(db.session, _item("TITLE"))[0].id
    assert client.get(f"/guide/HQ/EXAM/forms/{form_id}").status_code == 404
    assert client.get(f"/guide/HRB/TITLE/forms/{form_id}").status_code == 404
    assert client.get("/guide/HQ/TITLE/forms/999999").status_code == 404


def test_a_form_that_is_not_a_pdf_is_refused_on_the_page(app, admin_client):
    admin_client.get("/lang/en")
    r = _upload(admin_client, data=png(), filename="form.png")
    assert r.status_code == 422
    assert "A blank form is uploaded as a PDF file." in r.get_data(as_text=True)
    r = _upload(admin_client, data=b"MZ" + bytes(300), filename="form.pdf")
    assert r.status_code == 422 and "Only PDF, JPEG and PNG" in r.get_data(as_text=True)
    r = _upload(admin_client, data=hand_pdf(b"<< /OpenAction << /S /JavaScript /JS (x) >> >>"))
    assert r.status_code == 422
    with app.app_context():
        assert forms.forms_of(db.session, _item("EXAM")) == []


def test_an_upload_too_large_for_a_request_is_a_readable_413(app, admin_client):
    app.config["UPLOAD_REQUEST_MAX_BYTES"] = 200 * 1024
    r = _upload(admin_client, data=make_pdf() + b"%" * (300 * 1024))
    assert r.status_code == 413
    assert "<html" in r.get_data(as_text=True).lower()
    app.config["UPLOAD_MAX_BYTES"] = 50 * 1024
    r = _upload(admin_client, data=make_pdf() + b"%" * (100 * 1024))
    assert r.status_code == 422  # the page again, saying the limit
    with app.app_context():
        assert forms.forms_of(db.session, _item("EXAM")) == []


def test_other_pages_keep_the_small_body_limit(app, admin_client):
    page = "/admin/halls/HQ/services/EXAM"
    r = admin_client.post(page, data={"csrf_token": csrf_token(admin_client, page),
                                      "documents": "x" * (100 * 1024)})
    assert r.status_code == 413


def test_an_administrator_removes_a_form_and_it_is_audited(app, admin_client):
    with app.app_context():
        form = forms.forms_of(db.session, _item("TITLE"))[0]
        form_id, key = form.id, form.storage_key
    page = "/admin/halls/HQ/services/TITLE"
    r = admin_client.post(f"{page}/forms/{form_id}/remove",
                          data={"csrf_token": csrf_token(admin_client, page)})
    assert r.status_code == 302
    with app.app_context():
        assert form_id not in [f.id for f in forms.forms_of(db.session, _item("TITLE"))]
        row = db.session.get(StoredFile, form_id)
        assert row.deleted_at is not None
        from hall import files
        assert not files.settings_of(db.session).storage.exists(key)
        event = db.session.scalars(sa.select(Event).where(Event.kind == "file.removed")).one()
        assert event.data["file"] == form_id and event.actor == "admin"
    assert form_id not in _form_ids(app.test_client().get("/guide/HQ").get_data(as_text=True))
    assert app.test_client().get(f"/guide/HQ/TITLE/forms/{form_id}").status_code == 404


# -- who may -------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["clerk01", "manager", "division01"])
def test_staff_who_are_not_administrators_cannot_upload_or_remove(app, username):
    who = actor(app, username)
    with app.app_context():
        form_id = forms.forms_of(db.session, _item("TITLE"))[0].id
        with pytest.raises(NotAnAdministrator):
            forms.add_form(db.session, "HQ", "EXAM", label="表", filename="a.pdf",
                           data=make_pdf(), actor=who)
        with pytest.raises(NotAnAdministrator):
            forms.remove_form(db.session, "HQ", form_id, actor=who)
        with pytest.raises(NotAnAdministrator):
            forms.add_form(db.session, "HQ", "EXAM", label="表", filename="a.pdf",
                           data=make_pdf(), actor=Actor("visitor"))


def test_the_page_refuses_a_clerk(app, client):
    sign_in(client, "clerk01")
    r = client.post("/admin/halls/HQ/services/EXAM/forms", content_type="multipart/form-data",
                    data={"csrf_token": csrf_token(client, "/hall/HQ/windows"), "label": "x",
                          "file": (io.BytesIO(make_pdf()), "a.pdf")})
    assert r.status_code == 403
    with app.app_context():
        assert forms.forms_of(db.session, _item("EXAM")) == []


def _hrb_admin(app) -> Actor:
    with app.app_context():
        db.session.add(new_staff(hall=get_hall(db.session, "HRB"), username="hrb-admin",
                                 name="哈市管理员", password_hash=TEST_PASSWORD_HASH,
                                 roles={"admin"}))
        db.session.commit()
    return actor(app, "hrb-admin")


def test_another_hall_s_administrator_cannot_touch_this_hall_s_forms(app, client):
    hrb = _hrb_admin(app)
    with app.app_context():
        form_id = forms.forms_of(db.session, _item("TITLE"))[0].id
        with pytest.raises(NotAnAdministrator):
            forms.add_form(db.session, "HQ", "EXAM", label="表", filename="a.pdf",
                           data=make_pdf(), actor=hrb)
        with pytest.raises(NotAnAdministrator):
            forms.remove_form(db.session, "HQ", form_id, actor=hrb)
        with pytest.raises(FileNotFound):  # through their own hall: not theirs either
            forms.remove_form(db.session, "HRB", form_id, actor=hrb)
        own = forms.add_form(db.session, "HRB", "TITLE", label="哈市表", filename="a.pdf",
                             data=make_pdf(), actor=hrb)
        assert own.hall_id == get_hall(db.session, "HRB").id
    sign_in(client, "hrb-admin")
    assert client.get("/admin/halls/HQ/services/EXAM").status_code == 403


def test_the_domain_refuses_what_is_no_file(app):
    who = actor(app, "admin")
    with app.app_context(), pytest.raises(FileTypeRefused):
        forms.add_form(db.session, "HQ", "EXAM", label="表", filename="a.pdf",
                       data=b"hello", actor=who)



def test_forms_are_added_listed_and_removed_on_both_databases(any_app):
    admin = actor(any_app, "admin")
    with any_app.app_context():
        form = forms.add_form(db.session, "HQ", "EXAM", label="登记表", filename="a.pdf",
                              data=make_pdf(), actor=admin)
        hall = get_hall(db.session, "HQ")
        assert form in forms.forms_by_item(db.session, hall)[_item("EXAM").id]
        assert forms.public_form(db.session, hall, "EXAM", form.id) is form
        forms.remove_form(db.session, "HQ", form.id, actor=admin)
        assert form.id not in [f.id for f in forms.forms_of(db.session, _item("EXAM"))]
        with pytest.raises(FileNotFound):
            forms.public_form(db.session, hall, "EXAM", form.id)
        with pytest.raises(FileNotFound):
            forms.remove_form(db.session, "HQ", form.id, actor=admin)
