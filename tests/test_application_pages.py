"""Applying online on the web: the form with its fields and uploads, refusals shown beside
the field with nothing written, the confirmation with the codes, the tracking page (nothing
personal without the code; the documents asked for re-uploaded; withdrawing), the files read
only with the code, the division's pre-review inbox and moves, and the window finding an
application by its service number."""
from __future__ import annotations

import io
import re

import pytest

from application_helpers import NAME, PHONE, hall  # noqa: F401
from file_helpers import jpeg, pdf
from hall import applications
from test_auth import csrf_token, sign_in
from test_enquiry_pages import sent_codes, text_of


def form_data(token: str, **change) -> dict:
    data = {"csrf_token": token, "name": NAME, "phone": PHONE, "field_purpose": "出国政审",
            "field_copies": "2", "declared": "1",
            "document_0": (io.BytesIO(jpeg()), "身份证.jpg"),
            "document_1": (io.BytesIO(pdf("agreement")), "协议书.pdf")}
    data.update(change)
    return {k: v for k, v in data.items() if v is not None}


def apply(client, **change):
    token = csrf_token(client, "/apply/HQ/ARCHPROOF")
    return client.post("/apply/HQ/ARCHPROOF", data=form_data(token, **change),
                       content_type="multipart/form-data")


def staff(app, username: str):
    client = app.test_client()
    sign_in(client, username)
    return client


def test_the_hall_lists_its_items_and_the_form_asks_for_fields_and_documents(hall, client):
    listing = client.get("/apply/HQ")
    assert listing.status_code == 200 and 'data-item="ARCHPROOF"' in listing.get_data(as_text=True)
    page = client.get("/apply/HQ/ARCHPROOF")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="field_purpose"' in html and 'name="document_1"' in html
    assert client.get("/apply/HQ/CONSULT").status_code == 404


def test_apply_then_follow_reupload_and_withdraw_on_the_tracking_page(hall, client):
    number, code = sent_codes(client, apply(client))
    public = text_of(client.get(f"/track/{number}"))
    assert "待预审" in public and NAME not in public and "身份证.jpg" not in public
    private = client.post(f"/track/{number}", data={"code": code})
    assert "身份证.jpg" in text_of(private)
    file_id = int(re.search(r"/applied/(\d+)", private.get_data(as_text=True)).group(1))
    seen = client.post(f"/track/{number}/applied/{file_id}", data={"code": code})
    assert seen.status_code == 200 and seen.headers["Content-Type"] == "image/jpeg"
    assert "sandbox" in seen.headers["Content-Security-Policy"]
    assert client.post(f"/track/{number}/applied/{file_id}",
                       data={"code": "WRONG234"}).status_code == 404

    with hall.session() as s:
        made = applications.by_service_no(s, number)
        app_id = made.id
    hall.do(applications.request_documents, app_id, documents=["身份证反面"], actor=hall.talent)
    asked = client.post(f"/track/{number}", data={"code": code})
    assert "身份证反面" in text_of(asked)
    token = csrf_token(client, "/apply/HQ/ARCHPROOF")
    done = client.post(f"/track/{number}/documents/0", content_type="multipart/form-data",
                       data={"csrf_token": token, "code": code,
                             "file": (io.BytesIO(pdf("back")), "反面.pdf")})
    assert done.status_code == 200 and hall.get(app_id).state == "submitted"
    gone = client.post(f"/track/{number}/withdraw",
                       data={"csrf_token": token, "code": code, "confirm": "1"})
    assert gone.status_code == 200 and hall.get(app_id).state == "withdrawn"


@pytest.mark.parametrize("change, status", [
    ({"declared": None}, 422),
    ({"field_copies": "two"}, 422),
    ({"document_1": None}, 422),
    ({"document_0": (io.BytesIO(b"MZ\x90\x00" + bytes(300)), "photo.jpg")}, 415),
    ({"document_0": (io.BytesIO(b"%PDF-1.7\n" + bytes(11 * 1024 * 1024)), "big.pdf")}, 413),
])
def test_refusals_come_back_on_the_form_and_write_nothing(hall, client, change, status):
    before = hall.count()
    response = apply(client, **change)
    assert response.status_code == status
    assert 'role="alert"' in response.get_data(as_text=True)
    assert hall.count() == before


def test_a_refusal_names_the_field_and_the_documents_in_the_readers_language(hall, client):
    """An English page says "Number of copies", not 份数; a Chinese one the other way."""
    zh = apply(client, field_copies="two").get_data(as_text=True)
    assert "份数" in zh and "Number of copies" not in zh
    missing = apply(client, document_1=None).get_data(as_text=True)
    assert "Please upload" not in missing
    client.get("/lang/en")
    en = apply(client, field_copies="two").get_data(as_text=True)
    assert "Please fill in Number of copies correctly: a whole number." in en
    assert "份数" not in en.split('role="alert"')[1].split("</")[0]
    en_missing = apply(client, document_1=None).get_data(as_text=True)
    alert = en_missing.split('role="alert"')[1].split("</")[0]
    assert "Please upload every required document:" in alert and not re.search(r"[\u4e00-\u9fff]", alert)


def test_the_division_pre_reviews_and_accepts_it_into_a_case(hall, app, client):
    number, _code = sent_codes(client, apply(client))
    talent = staff(app, "division04")
    inbox = talent.get("/hall/HQ/applications")
    html = inbox.get_data(as_text=True)
    assert inbox.status_code == 200 and number in html.replace("-", "")
    app_id = int(re.search(r"/hall/HQ/applications/(\d+)", html).group(1))
    page = talent.get(f"/hall/HQ/applications/{app_id}")
    assert page.status_code == 200 and "身份证.jpg" in page.get_data(as_text=True)
    file_id = int(re.search(r"/files/(\d+)", page.get_data(as_text=True)).group(1))
    assert talent.get(f"/hall/HQ/applications/{app_id}/files/{file_id}").status_code == 200
    assert staff(app, "division01").get(f"/hall/HQ/applications/{app_id}").status_code == 403
    assert staff(app, "hrb-clerk01").get(
        f"/hall/HQ/applications/{app_id}/files/{file_id}").status_code in (403, 404)
    token = csrf_token(talent, f"/hall/HQ/applications/{app_id}")
    moved = talent.post(f"/hall/HQ/applications/{app_id}/accept", data={"csrf_token": token})
    assert moved.status_code == 302 and hall.get(app_id).state == "accepted"


def test_the_window_finds_an_application_by_its_service_number(hall, app, client):
    number, _code = sent_codes(client, apply(client))
    clerk = staff(app, "clerk10")
    found = clerk.get(f"/hall/HQ/applications/find?service_no={number[:6]}-{number[6:]}")
    html = found.get_data(as_text=True)
    assert found.status_code == 200 and NAME in html and "身份证.jpg" in html
    file_id = int(re.search(r"/files/(\d+)", html).group(1))
    app_id = int(re.search(r"/hall/HQ/applications/(\d+)/files", html).group(1))
    assert clerk.get(f"/hall/HQ/applications/{app_id}/files/{file_id}").status_code == 200
    other = staff(app, "hrb-clerk01")
    assert other.get(f"/hall/HQ/applications/find?service_no={number}").status_code in (403,
                                                                                          404)


# -- the API ----------------------------------------------------------------------------------

def test_the_api_applies_reads_with_the_code_and_takes_a_document_asked_for(hall, client):
    data = {"item": "ARCHPROOF", "name": NAME, "phone": PHONE, "declared": "1",
            "field_purpose": "出国政审", "field_copies": "2",
            "document_0": (io.BytesIO(jpeg()), "id.jpg"),
            "document_1": (io.BytesIO(pdf()), "agreement.pdf")}
    made = client.post("/api/v1/halls/HQ/applications", data=data,
                       content_type="multipart/form-data")
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    number, code = body["service_no"], body["access_code"]
    public = client.get(f"/api/v1/applications/{number}").get_json()
    assert public["state"] == "submitted" and "private" not in public
    assert NAME not in str(public)
    wrong = client.get(f"/api/v1/applications/{number}", headers={"X-Access-Code": "WRONG234"})
    assert wrong.status_code == 404 and wrong.content_type == "application/problem+json"
    mine = client.get(f"/api/v1/applications/{number}", headers={"X-Access-Code": code})
    assert len(mine.get_json()["private"]["documents"]) == 2
    with hall.session() as s:
        app_id = applications.by_service_no(s, number).id
    hall.do(applications.request_documents, app_id, documents=["身份证反面"], actor=hall.talent)
    bad = client.post(f"/api/v1/applications/{number}/documents/0",
                      headers={"X-Access-Code": code}, content_type="multipart/form-data",
                      data={"file": (io.BytesIO(b"MZ\x90\x00" + bytes(300)), "back.pdf")})
    assert bad.status_code == 415 and bad.content_type == "application/problem+json"
    done = client.post(f"/api/v1/applications/{number}/documents/0",
                       headers={"X-Access-Code": code}, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(pdf("back")), "back.pdf")})
    assert done.status_code == 201 and done.get_json()["state"] == "submitted"
    refused = client.post("/api/v1/halls/HQ/applications", content_type="multipart/form-data",
                          data={**{k: v for k, v in data.items() if not k.startswith("doc")},
                                "declared": ""})
    assert refused.status_code == 422 and refused.get_json()["field"] == "declaration"


def test_the_receipt_is_a_pdf_for_this_browser_with_every_glyph(hall, client, app):
    from test_pdf_glyphs import missing_glyphs

    sent = apply(client)
    number, _code = sent_codes(client, sent)
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="([^"]+receipt.pdf[^"]*)"', page).group(1).replace("&amp;", "&")
    receipt = client.get(link)
    assert receipt.status_code == 200 and receipt.mimetype == "application/pdf"
    assert missing_glyphs(receipt.data) == []
    stranger = app.test_client()  # another browser: no code in its session
    assert stranger.get(link).status_code == 303


def test_once_accepted_the_same_number_tracks_the_case(hall, client):
    number, code = sent_codes(client, apply(client))
    with hall.session() as s:
        app_id = applications.by_service_no(s, number).id
    hall.do(applications.accept, app_id, actor=hall.talent)
    case_no = hall.get(app_id).case_id
    public = text_of(client.get(f"/track/{number}"))
    assert "您的申报已受理" in public and NAME not in public, public[:800]
    private = text_of(client.post(f"/track/{number}", data={"code": code}))
    assert "BJ" in private and case_no
