"""The division console with plain forms: accepting at the window, the inbox by deadline and
its filters, every action on a case, refusals as messages, roles and CSRF."""
from __future__ import annotations

import re

import pytest

from conftest import MONDAY_0930
from hall import calendar, clock, deadlines
from hall.models import Case
from hall.numbers import grouped
from hall.web.extensions import db
from test_auth import csrf_token, sign_in
from test_cases import local, valid_id_no


@pytest.fixture
def frozen(app):
    """Monday 09:30 in the hall, the official calendar loaded."""
    with app.app_context():
        calendar.import_official(db.session)
        db.session.remove()
    with clock.frozen(MONDAY_0930) as at:
        yield at


def as_user(app, username: str):
    client = app.test_client()
    sign_in(client, username)
    return client


def at_window(clerk, service: str = "EXAM", window: int = 3) -> str:
    """A visitor takes a number and is called to the window; returns the number."""
    number = clerk.post("/api/v1/tickets", json={"hall": "HQ", "service": service}).get_json()["number"]
    token = csrf_token(clerk, f"/hall/HQ/windows/{window}")
    clerk.post(f"/hall/HQ/windows/{window}/open", data={"csrf_token": token})
    clerk.post(f"/hall/HQ/windows/{window}/call", data={"csrf_token": token, "number": number})
    return number


def accept(clerk, json: bool = True, window: int = 3, **fields):
    token = csrf_token(clerk, f"/hall/HQ/windows/{window}")
    data = {"csrf_token": token, "applicant_name": "张三丰", "subject": "资格复审", **fields}
    headers = {"Accept": "application/json"} if json else {}
    return clerk.post(f"/hall/HQ/windows/{window}/accept", data=data, headers=headers)


def new_case(clerk, **fields) -> int:
    at_window(clerk)
    r = accept(clerk, **fields)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["case"]["id"]


def act(client, case_id: int, action: str, json: bool = False, **fields):
    token = csrf_token(client, f"/hall/HQ/cases/{case_id}")
    headers = {"Accept": "application/json"} if json else {}
    return client.post(f"/hall/HQ/cases/{case_id}/{action}",
                       data={"csrf_token": token, **fields}, headers=headers)


def state_of(app, case_id: int) -> str:
    with app.app_context():
        return db.session.get(Case, case_id).state


def flashes(client, path: str) -> list[str]:
    return re.findall(r'class="flash flash-(\w+)"[^>]*>([^<]+)<', client.get(path).get_data(as_text=True))


@pytest.fixture
def clerk(app, frozen):
    return as_user(app, "clerk03")


@pytest.fixture
def civil(app, frozen):
    return as_user(app, "division01")


# -- accepting at the window ---------------------------------------------------------------------

def test_the_clerk_accepts_the_visitor_as_a_case_and_sees_its_deadline(app, clerk):
    at_window(clerk)
    page = clerk.get("/hall/HQ/windows/3").get_data(as_text=True)
    assert 'action="/hall/HQ/windows/3/accept"' in page
    r = accept(clerk, json=False, applicant_id_no=valid_id_no(), applicant_phone="0451-8888 6666")
    assert (r.status_code, r.headers["Location"]) == (302, "/hall/HQ/windows/3")
    [(kind, message)] = flashes(clerk, "/hall/HQ/windows/3")
    # EXAM, 5 working days from Monday 11-23: Monday 11-30 at 17:00.
    assert kind == "ok" and "2026-11-30 17:00" in message
    page = clerk.get("/hall/HQ/windows/3").get_data(as_text=True)
    assert 'href="/hall/HQ/cases/1/receipt.pdf"' in page
    with app.app_context():
        case = db.session.get(Case, 1)
        assert (case.state, case.applicant_id_no, case.first_owner.username) == (
            "accepted", valid_id_no(), "clerk03")


def test_accepting_answers_json_for_the_console_script(clerk):
    at_window(clerk)
    body = accept(clerk).get_json()
    assert body["case"]["receipt_url"] == "/hall/HQ/cases/1/receipt.pdf"
    assert body["case"]["due_at"].startswith("2026-11-30T09:00")
    assert "2026-11-30 17:00" in body["message"]
    assert body["window"]["current"] is None  # the visit is over


def test_refusals_at_acceptance_are_readable(clerk):
    at_window(clerk)
    r = accept(clerk, applicant_id_no="110105194912310021")
    assert (r.status_code, r.get_json()["code"]) == (422, "invalid-id-number")
    assert "身份证" in r.get_json()["message"]
    r = accept(clerk, applicant_name=" ")
    assert (r.status_code, r.get_json()["code"]) == (422, "case-field-required")
    token = csrf_token(clerk, "/hall/HQ/windows/3")
    clerk.post("/hall/HQ/windows/3/finish", data={"csrf_token": token})
    r = accept(clerk)
    assert (r.status_code, r.get_json()["code"]) == (409, "no-current-ticket")


def test_an_item_finished_at_the_window_offers_no_case(app, frozen):
    clerk = as_user(app, "clerk01")
    at_window(clerk, "CONSULT", window=1)  # policy consultation: answered at the window
    assert "/accept" not in clerk.get("/hall/HQ/windows/1").get_data(as_text=True)
    r = accept(clerk, window=1)
    assert (r.status_code, r.get_json()["code"]) == (409, "case-not-needed")


def test_accepting_needs_the_form_token(clerk):
    at_window(clerk)
    r = clerk.post("/hall/HQ/windows/3/accept", data={"applicant_name": "张三", "subject": "x"})
    assert r.status_code == 400


# -- the inbox -----------------------------------------------------------------------------------

def test_the_inbox_lists_open_cases_by_deadline_with_words_for_warnings(app, clerk, civil, frozen):
    first = new_case(clerk)
    frozen.advance(days=1)
    second = new_case(clerk)
    act(civil, first, "take")
    act(civil, first, "request_documents", documents="学历证明")
    page = civil.get("/hall/HQ/cases").get_data(as_text=True)
    order = [int(i) for i in re.findall(r'<tr class="warning-\w+" data-case="(\d+)"', page)]
    assert order == [second, first]  # a stopped clock comes last
    frozen.at = local("2026-12-01", 18)
    with app.app_context():
        deadlines.tick(db.session)
    page = civil.get("/hall/HQ/cases").get_data(as_text=True)
    assert f'class="warning-red" data-case="{second}"' in page
    assert "超期" in page or "Overdue" in page  # not colour alone


def test_inbox_filters(app, clerk, civil):
    one, two = new_case(clerk), new_case(clerk)
    act(civil, two, "take")
    ids = lambda query: [int(i) for i in re.findall(  # noqa: E731
        r'data-case="(\d+)"', civil.get(f"/hall/HQ/cases?{query}").get_data(as_text=True))]
    assert ids("state=in_progress") == [two]
    assert ids("mine=1") == [two]
    with app.app_context():
        service_no = db.session.get(Case, two).ticket.service_no
        case_no = db.session.get(Case, one).case_no
    # A case number goes straight to its case; read as typed, dashes and lower case too.
    r = civil.get(f"/hall/HQ/cases?q={grouped(case_no).lower()}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/hall/HQ/cases/{one}")
    spaced = " ".join(service_no[i:i + 5] for i in range(0, 15, 5))
    assert ids(f"q={spaced}") == [two]
    assert ids("warning=red") == []
    assert ids("state=bogus&warning=bogus") == [one, two]  # nonsense is ignored, not an error


def test_division_staff_see_only_their_division_managers_choose(app, clerk, civil):
    case = new_case(clerk)
    title = as_user(app, "division02")
    assert f'data-case="{case}"' not in title.get("/hall/HQ/cases").get_data(as_text=True)
    assert title.get(f"/hall/HQ/cases/{case}").status_code == 403
    assert title.get("/hall/HQ/cases?division=CIVIL").get_data(as_text=True).count("data-case=") == 0
    manager = as_user(app, "manager")
    assert f'data-case="{case}"' in manager.get("/hall/HQ/cases").get_data(as_text=True)
    assert f'data-case="{case}"' in manager.get("/hall/HQ/cases?division=CIVIL").get_data(as_text=True)
    assert f'data-case="{case}"' not in manager.get("/hall/HQ/cases?division=TITLE").get_data(as_text=True)


def test_the_inbox_is_for_division_staff_and_managers(app, clerk):
    assert clerk.get("/hall/HQ/cases").status_code == 403
    assert app.test_client().get("/hall/HQ/cases").status_code == 302  # to sign in
    assert as_user(app, "hrb-clerk01").get("/hall/HQ/cases").status_code == 403


# -- the case page and its actions ---------------------------------------------------------------

def test_a_case_worked_from_take_to_close_through_forms(app, clerk, civil):
    case = new_case(clerk, applicant_id_no=valid_id_no())
    page = civil.get(f"/hall/HQ/cases/{case}").get_data(as_text=True)
    assert valid_id_no() in page and "张三丰" in page and "2026-11-30 17:00" in page
    assert 'data-action="take"' in page and 'data-action="decide"' not in page
    steps = [("take", {}, "in_progress"),
             ("request_documents", {"documents": "学历证明\n\n 身份证复印件 \n"}, "awaiting_documents"),
             ("supply_documents", {"note": "已补齐"}, "in_progress"),
             ("start_special", {"kind": "public_notice", "reason": "公示三天"}, "special_procedure"),
             ("end_special", {}, "in_progress"),
             ("decide", {"outcome": "approved", "confirm": "1"}, "decided"),
             ("mark_ready", {}, "ready"),
             ("close", {"note": "已领取"}, "closed")]
    for action, fields, state in steps:
        r = act(civil, case, action, **fields)
        assert r.status_code == 302, (action, r.status_code)
        assert state_of(app, case) == state, action
        if action == "request_documents":
            with app.app_context():
                assert db.session.get(Case, case).missing_documents == ["学历证明", "身份证复印件"]
    page = civil.get(f"/hall/HQ/cases/{case}").get_data(as_text=True)
    kinds = re.findall(r'<li data-kind="([\w.]+)"', page)
    assert kinds[0] == "case.accepted" and kinds[-1] == "case.closed" and len(kinds) == 9
    assert "division01" in page or "公务员" in page  # staff see who acted


def test_route_extension_withdraw(app, clerk, civil):
    case = new_case(clerk)
    assert act(civil, case, "request_extension", days="3", reason="材料需核实").status_code == 302
    page = civil.get(f"/hall/HQ/cases/{case}").get_data(as_text=True)
    assert 'data-action="request_extension"' not in page and 'data-action="decide_extension"' not in page
    manager = as_user(app, "manager")
    assert 'data-action="decide_extension"' in manager.get(f"/hall/HQ/cases/{case}").get_data(as_text=True)
    act(manager, case, "decide_extension", approve="1")
    with app.app_context():
        c = db.session.get(Case, case)
        assert (c.extension_days, c.due_at) == (3, local("2026-12-03"))
    r = act(civil, case, "route", division="TITLE", reason="属职称事项")
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Case, case).division.code == "TITLE"
    assert civil.get(f"/hall/HQ/cases/{case}").status_code == 403  # no longer theirs
    title = as_user(app, "division02")
    act(title, case, "withdraw", reason="申请人撤回", confirm="1")
    assert state_of(app, case) == "withdrawn"


def test_refusals_are_messages_on_the_case_page_not_errors(app, clerk, civil):
    case = new_case(clerk)
    r = act(civil, case, "decide", json=True, outcome="approved", confirm="1")
    assert (r.status_code, r.get_json()["code"]) == (409, "illegal-case-move")
    act(civil, case, "take")
    r = act(civil, case, "decide", json=True, outcome="rejected", confirm="1")
    assert (r.status_code, r.get_json()["code"]) == (422, "case-field-required")
    r = act(civil, case, "decide", json=True, outcome="maybe")
    assert (r.status_code, r.get_json()["code"]) == (422, "choose-outcome")
    r = act(civil, case, "request_documents", json=True, documents="\n \n")
    assert r.get_json()["code"] == "case-field-required"
    r = act(civil, case, "request_extension", json=True, days="many", reason="x")
    assert r.get_json()["code"] == "case-field-required"
    r = act(civil, case, "decide_extension", json=True, approve="1")
    assert r.status_code == 403  # not a manager: the error page, not a message
    r = act(civil, case, "take")  # the page without script
    assert r.status_code == 302
    [(kind, message)] = flashes(civil, f"/hall/HQ/cases/{case}")
    assert kind == "refused" and "不能" in message
    assert act(civil, case, "dance").status_code == 404
    assert civil.get("/hall/HQ/cases/999").status_code == 404


def test_actions_need_the_form_token_and_the_right_division(app, clerk, civil):
    case = new_case(clerk)
    assert civil.post(f"/hall/HQ/cases/{case}/take").status_code == 400
    title = as_user(app, "division02")
    token = csrf_token(title, "/hall/HQ/cases")
    r = title.post(f"/hall/HQ/cases/{case}/take", data={"csrf_token": token})
    assert r.status_code == 403
    assert state_of(app, case) == "accepted"


def test_division_staff_start_at_their_inbox(app, frozen):
    client = app.test_client()
    assert sign_in(client, "division01").headers["Location"] == "/hall/HQ/cases"
