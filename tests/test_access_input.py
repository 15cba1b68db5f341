"""What the hostile pass found besides access (issue 11.2, 11.12–11.14, 11.16): receipts behind
the case page's rule, redirects that stay on the site, no 500 for odd months, NUL or deep
JSON, CSV cells that never run as formulas, and names and matters never cut silently nor
carrying invisible characters onto a receipt."""
from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from conftest import MONDAY_0930, actor
from hall import admin, cases, clock, endofday, issuing, queue
from hall.errors import FieldTooLong
from hall.models import Case, ServiceItem
from hall.web.extensions import db
from test_auth import csrf_token, sign_in
from test_ticket_pdf import pdf_text


@pytest.fixture
def case_id(app) -> int:
    """A case accepted by clerk03 at window 3 (exam recruitment: the civil-service division,
    worked by division01)."""
    with app.app_context(), clock.frozen(MONDAY_0930):
        clerk = actor(app, "clerk03")
        issuing.issue_ticket(db.session, "HQ", "EXAM")
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        queue.call_next(db.session, "HQ", 3, actor=clerk)
        case = cases.accept(db.session, "HQ", 3, actor=clerk, applicant_name="欧阳芒",
                            subject="资格复审")
        return case.id


# -- 11.2 the receipt --------------------------------------------------------------------------

@pytest.mark.parametrize("username, status", [
    ("clerk03", 200), ("division01", 200), ("manager", 200),
    ("clerk04", 403), ("division02", 403), ("hrb-clerk01", 403),
])
def test_a_receipt_opens_only_for_who_may_open_its_case(client, case_id, username, status):
    sign_in(client, username)
    r = client.get(f"/hall/HQ/cases/{case_id}/receipt.pdf")
    assert r.status_code == status, username
    assert client.get(f"/hall/HQ/cases/{case_id}").status_code == status  # the same rule


# -- 11.12 redirects -------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["/%09/evil.example", "/%0a/evil.example", "/%5Cevil.example",
                                    "/%0d%0aSet-Cookie:x=1", "//evil.example", "/ /evil.example",
                                    "https://evil.example", "/\\evil.example"])
def test_choosing_a_language_never_leaves_the_site(client, target):
    r = client.get(f"/lang/en?next={target}")
    assert r.status_code == 302
    location = r.headers["Location"]
    assert location == "/track" and "evil" not in location


def test_choosing_a_language_goes_back_to_a_local_page(client):
    assert client.get("/lang/en?next=/guide/HQ").headers["Location"] == "/guide/HQ"


def test_signing_in_never_leaves_the_site(client):
    token = csrf_token(client)
    r = client.post("/login?next=/%09/evil.example", data={"csrf_token": token,
                                                         "username": "clerk03", "password": "demo"})
    assert r.status_code == 302 and r.headers["Location"] == "/hall/HQ/windows/3"


# -- 11.13 no 500 ----------------------------------------------------------------------------

@pytest.mark.parametrize("month", ["9999-12", "0000-01", "2026-13", "2026-00", "x", "2026-1-1",
                                   "-1-5", "99999999999999999999-01"])
def test_an_odd_month_is_not_found_not_a_500(client, month):
    sign_in(client, "manager")
    for page in ("statistics", "reports"):
        r = client.get(f"/hall/HQ/{page}?month={month}")
        assert r.status_code == 404 and r.mimetype == "text/html", (page, month)


def test_a_json_body_nested_5000_deep_is_a_400_problem(client, app):
    body = '{"hall": "HQ", "service": ' + "[" * 5000 + "]" * 5000 + "}"
    r = client.post("/api/v1/tickets", data=body, content_type="application/json")
    assert (r.status_code, r.mimetype) == (400, "application/problem+json")
    assert r.get_json()["code"] == "json-too-deep"


def test_brackets_inside_strings_do_not_count_as_nesting(client):
    body = json.dumps({"username": "[" * 100 + "{", "password": "]]"})
    r = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert r.status_code == 422  # an overlong username, not a 400 for depth


@pytest.mark.parametrize("body", [{"hall": "HQ", "service": "EX\u0000AM"},
                                  {"hall": "HQ", "service": "\ud800"},
                                  {"hall": "HQ", "service": "EXAM", "x\u0000": 1}])
def test_unstorable_json_strings_are_named(client, body):
    r = client.post("/api/v1/tickets", data=json.dumps(body), content_type="application/json")
    assert (r.status_code, r.get_json()["code"]) == (422, "invalid-request")
    assert r.get_json()["errors"]


# -- 11.14 CSV ---------------------------------------------------------------------------------

def test_a_formula_in_a_service_name_is_text_in_the_csv(client, app):
    with app.app_context():
        item = db.session.scalar(sa.select(ServiceItem).where(ServiceItem.code == "EXAM"))
        item.name_zh = '=HYPERLINK("http://evil.example","点此")'
        item.name_en = "@SUM(1+1)"
        db.session.commit()
        with clock.frozen(MONDAY_0930) as frozen:
            issuing.issue_ticket(db.session, "HQ", "EXAM")
            frozen.advance(hours=9)
            endofday.close_day(db.session, "HQ")
    sign_in(client, "manager")
    got = client.get("/hall/HQ/reports/2026-11-23.csv")
    rows = list(csv.reader(io.StringIO(got.data.decode("utf-8-sig"))))
    exam = next(row for row in rows if row[0] == "EXAM")
    assert exam[1] == "'" + '=HYPERLINK("http://evil.example","点此")' and exam[2] == "'@SUM(1+1)"
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@")), cell


# -- 11.16 names and matters ---------------------------------------------------------------------

def accept_form(client, **fields):
    token = csrf_token(client, "/hall/HQ/windows/3")
    return client.post("/hall/HQ/windows/3/accept", headers={"Accept": "application/json"},
                       data={"csrf_token": token, "applicant_name": "欧阳芒", "subject": "复审",
                             **fields})


@pytest.fixture
def at_window(app):
    with app.app_context(), clock.frozen(MONDAY_0930):
        clerk = actor(app, "clerk03")
        issuing.issue_ticket(db.session, "HQ", "EXAM")
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        queue.call_next(db.session, "HQ", 3, actor=clerk)


def count_cases(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Case))


@pytest.mark.parametrize("field, size", [("applicant_name", 41), ("subject", 201)])
def test_an_overlong_name_or_matter_is_refused_not_cut(client, app, at_window, field, size):
    sign_in(client, "clerk03")
    client.get("/lang/en")
    with clock.frozen(MONDAY_0930):
        r = accept_form(client, **{field: "长" * size})
    assert (r.status_code, r.get_json()["code"]) == (422, "field-too-long")
    assert f"at most {size - 1} characters" in r.get_json()["message"]
    assert count_cases(app) == 0


def test_the_domain_refuses_an_overlong_name(app, at_window):
    with app.app_context(), clock.frozen(MONDAY_0930):
        with pytest.raises(FieldTooLong):
            cases.accept(db.session, "HQ", 3, actor=actor(app, "clerk03"),
                         applicant_name="x" * 41, subject="复审")


def test_invisible_characters_never_reach_a_receipt(client, app, at_window):
    sign_in(client, "clerk03")
    # "张三" with a right-to-left override and zero-width spaces: the receipt would print it
    # reversed or with hidden gaps.
    with clock.frozen(MONDAY_0930):
        r = accept_form(client, applicant_name="张\u202e三\u200b", subject="复\u2066审\ufeff")
    assert r.status_code == 200, r.get_json()
    with app.app_context():
        case = db.session.scalar(sa.select(Case))
        assert (case.applicant_name, case.subject) == ("张三", "复审")
        case.applicant_name = "李\u202e四"  # as if stored before the rule
        db.session.commit()
    receipt = client.get(r.get_json()["case"]["receipt_url"])
    text = pdf_text(receipt.data)
    assert "李四" in text and "\u202e" not in text


def test_invisible_characters_are_dropped_from_administrators_texts(app):
    with app.app_context():
        item = admin.edit_service(db.session, "HQ", "EXAM", actor=actor(app, "admin"),
                                  name_zh="公务员\u202e考试录用\u200d")
        assert item.name_zh == "公务员考试录用"
