"""Following a case by its service number: stage, division, deadline, pauses, extension,
decision and timeline in plain words; nothing personal without the access code."""
from __future__ import annotations

import re
from datetime import UTC

import pytest

from conftest import make_config
from hall import cases
from tracking_helpers import NAME, PHONE, SUBJECT, csrf, desk, id_no  # noqa: F401


def get(client, path: str):
    r = client.get(path)
    return r, r.get_data(as_text=True)


def en(path: str) -> str:
    return path + ("&" if "?" in path else "?") + "lang=en"


def personal(ticket) -> list[str]:
    return [NAME, id_no(), PHONE, PHONE[-8:], SUBJECT, ticket.access_code]


def test_the_public_view_shows_stage_division_and_deadline_but_nothing_personal(client, desk):
    ticket, case = desk.accept()
    r, html = get(client, f"/track/{ticket.service_no}")
    # Public (nothing personal): the reader's browser may keep it, revalidating (ETag).
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-cache"
    assert r.headers["ETag"]
    assert "公务员管理处" in html            # the division, by name
    # the visit became a case: the page leads with it, and never says the matter is done
    assert "您的事项已受理为办件 BJ261123-001-0001-" in html and "已办结" not in html
    assert "2026-11-30 17:00" in html        # due: 5 working days, at close of business
    assert "欧**芒" in html                  # the applicant, masked
    for value in personal(ticket):
        assert value.encode() not in r.data, value
    assert "clerk03" not in html and "division01" not in html


def test_the_access_code_opens_the_private_view(client, desk):
    ticket, case = desk.accept()
    desk.do(cases.take, case.id, actor=desk.civil)
    desk.do(cases.request_documents, case.id, actor=desk.civil,
                            documents=["学历证书原件", "单位推荐函"], note="请于十日内补齐")
    r, html = get(client, f"/track/{ticket.service_no}?c={ticket.access_code}")
    assert r.status_code == 200
    assert NAME in html and "139****5678" in html and PHONE not in html
    assert "学历证书原件" in html and "单位推荐函" in html and "请于十日内补齐" in html
    # The public view says the clock stopped for documents, but not which ones.
    _, public = get(client, en(f"/track/{ticket.service_no}"))
    assert "waiting for missing documents" in public
    assert "学历证书原件" not in public and "请于十日内补齐" not in public


def test_the_code_in_the_body_gives_the_private_view_without_it_in_the_address(client, desk):
    ticket, _ = desk.accept()
    token = csrf(client)
    r = client.post(f"/track/{ticket.service_no}",
                    data={"csrf_token": token, "code": ticket.access_code.lower()})
    assert r.status_code == 200 and NAME in r.get_data(as_text=True)
    r = client.post("/track", data={"csrf_token": token, "service_no": ticket.service_no,
                                    "code": ticket.access_code})
    assert r.status_code == 200 and NAME in r.get_data(as_text=True)


def test_pause_extension_and_decision_are_told_in_plain_words(client, desk):
    ticket, case = desk.accept()
    desk.do(cases.take, case.id, actor=desk.civil)
    desk.do(cases.start_special, case.id, actor=desk.civil, kind="public_notice",
                        reason="公示三天")
    _, html = get(client, en(f"/track/{ticket.service_no}"))
    assert "public notice" in html and "Special procedure started (public notice)" in html
    desk.do(cases.end_special, case.id, actor=desk.civil)
    desk.do(cases.request_extension, case.id, actor=desk.civil, days=3,
                            reason="需专家会审")
    _, html = get(client, en(f"/track/{ticket.service_no}"))
    assert "需专家会审" not in html  # asked for, not yet granted: nothing to tell yet
    desk.do(cases.decide_extension, case.id, actor=desk.manager, approve=True)
    desk.do(cases.decide, case.id, actor=desk.civil, outcome="rejected",
                 reason="不符合申报条件")
    _, html = get(client, en(f"/track/{ticket.service_no}?c={ticket.access_code}"))
    assert "Time limit extended by 3 working days: 需专家会审" in html
    assert "Not approved" in html and "不符合申报条件" in html
    assert "Decided: not approved. Reason: 不符合申报条件" in html
    # Without the code: the hall's fixed words only, never the division's own (#11.5).
    _, public = get(client, en(f"/track/{ticket.service_no}"))
    assert "Time limit extended by 3 working days" in public and "Not approved" in public
    assert "需专家会审" not in public and "不符合申报条件" not in public


def test_the_timeline_shows_the_case_moves_and_never_the_warnings(client, desk):
    from hall import deadlines

    ticket, case = desk.accept()
    desk.clock.advance(days=10)
    desk.do(deadlines.tick)  # red by now
    desk.do(cases.take, case.id, actor=desk.civil)
    _, html = get(client, en(f"/track/{ticket.service_no}"))
    assert "Accepted at window 3 as case BJ261123-001-0001-" in html
    assert "Taken up by the division" in html
    assert "red" not in re.sub(r"<[^>]+>", " ", html).lower().split()


def test_a_provisional_deadline_is_marked(client, desk):
    from datetime import datetime

    desk.clock.at = datetime(2026, 12, 28, 2, tzinfo=UTC)  # 5 days reach into 2027
    ticket, case = desk.accept()
    assert case.due_provisional
    _, html = get(client, en(f"/track/{ticket.service_no}"))
    assert "2027-01-04 17:00" in html and "provisional" in html


def test_an_unknown_number_and_a_wrong_code_get_the_same_answer(client, desk):
    ticket, _ = desk.accept()
    unknown = "200101001000015"
    a = client.get(f"/track/{unknown}?c=ABCDEFGH")
    b = client.get(f"/track/{ticket.service_no}?c=ABCDEFGH")
    assert a.status_code == b.status_code == 404

    def text(r, number):
        body = r.get_data(as_text=True).replace(number, "NUMBER")
        return re.sub(r'name="csrf_token" value="[^"]+"', "", body)

    assert text(a, unknown) == text(b, ticket.service_no)
    assert NAME not in text(b, ticket.service_no)


def test_a_mistyped_check_character_is_a_400_with_a_helpful_message(client, desk):
    ticket, _ = desk.accept()
    typo = ticket.service_no[:-1] + ("0" if ticket.service_no[-1] != "0" else "1")
    r, html = get(client, f"/track/{typo}?c={ticket.access_code}")
    assert r.status_code == 400 and "校验位不符" in html
    assert r.headers["Cache-Control"] == "no-store"


def test_repeated_wrong_codes_lock_the_number_even_for_the_right_code(client, desk):
    ticket, _ = desk.accept()
    for _ in range(5):
        assert client.get(f"/track/{ticket.service_no}?c=WRONG234").status_code == 404
    r, html = get(client, en(f"/track/{ticket.service_no}?c={ticket.access_code}"))
    assert r.status_code == 404 and "try again in 15 minutes" in html and NAME not in html
    # The number alone still shows where the matter stands.
    assert client.get(f"/track/{ticket.service_no}").status_code == 200
    # A number never issued locks the same way: a lock tells nothing about existence.
    unknown = "200101001000015"
    for _ in range(5):
        client.get(f"/track/{unknown}?c=WRONG234")
    assert "try again" in client.get(en(f"/track/{unknown}?c=X")).get_data(as_text=True)


@pytest.fixture
def strict_app(sqlite_template, tmp_path):
    import shutil

    from hall.web import create_app, shutdown

    path = tmp_path / "hall.db"
    shutil.copy(sqlite_template, path)
    app = create_app(make_config(f"sqlite:///{path}", TRACK_RATE_LIMIT="3 per minute"))
    yield app
    shutdown(app)


@pytest.mark.hall_open
def test_lookups_are_rate_limited_per_address(strict_app):
    client = strict_app.test_client()
    number = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"}).get_json()["service_no"]
    statuses = [client.get(f"/track/{number}").status_code for _ in range(3)]
    # The page and the API share one budget.
    limited = client.get(f"/api/v1/track/{number}")
    page = client.get(f"/track/{number}")
    assert statuses == [200, 200, 200] and limited.status_code == page.status_code == 429
    assert page.headers["Cache-Control"] == "no-store"
    assert limited.mimetype == "application/problem+json"


def test_the_public_page_follows_every_move_at_once_and_per_language(client, desk):
    """The public page is kept rendered between moves (hall.web.cache): each move of the case
    must show on the very next lookup, and the English page is never the Chinese one."""
    ticket, case = desk.accept()
    page, api = f"/track/{ticket.service_no}", f"/api/v1/track/{ticket.service_no}"
    assert "等待业务处室承办" in get(client, page)[1]
    assert client.get(api).get_json()[0]["cases"][0]["detailed_status"] == "accepted"
    assert "English" in get(client, page)[1] and "中文" in get(client, en(page))[1]
    desk.do(cases.take, case.id, actor=desk.civil)
    assert "业务处室办理中" in get(client, page)[1]
    assert client.get(api).get_json()[0]["cases"][0]["detailed_status"] == "in_progress"
    desk.do(cases.request_documents, case.id, actor=desk.civil, documents=["学历证书原件"])
    assert "等待补正材料" in get(client, page)[1]
    assert "Waiting for missing documents" in get(client, en(page))[1]
