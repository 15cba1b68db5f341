"""What the citizen reads first (#10.11) and what the public may read at all (#11.5).

The tracking page leads with where the matter stands in one sentence: a visit that became a
case says so and points to the case; an overdue case says 已超期, with its deadline and that
the delay is the office's; a stopped clock says why; a poor rating is told who follows it up.
Without the access code only the hall's fixed words appear: never the division's own reasons
(they may name people), on the page or in the API."""
from __future__ import annotations

import re

from hall import cases, deadlines
from tracking_helpers import csrf, desk  # noqa: F401

SECRET = "申请人王小明（身份证230110196505051232，电话13912345678）材料不全"


def page(client, path: str) -> str:
    r = client.get(path)
    assert r.status_code == 200
    return r.get_data(as_text=True)


def headline(html: str) -> str:
    """The first card's text: where the matter stands, before anything else."""
    card = re.search(r'<section class="card now"[^>]*>(.*?)</section>', html, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card)).strip()


def test_a_visit_that_became_a_case_leads_with_the_case(client, desk):  # noqa: F811
    ticket, case = desk.accept()
    html = page(client, f"/track/{ticket.service_no}")
    top = headline(html)
    assert "您的事项已受理为办件 BJ261123-001-0001-" in top
    assert "等待公务员管理处承办" in top and "2026-11-30 17:00" in top
    assert "进度见下方" not in html and "已办结" not in top
    anchor = re.search(r'<p class="headline-case"><a href="#(case-[^"]+)"', html).group(1)
    assert f'id="{anchor}"' in html  # the link goes to the case's card
    # The timeline says where it went, never "finished at window 3".
    assert "已在 3 号窗口受理为办件 BJ261123-001-0001-" in html
    assert "在 3 号窗口办结" not in html


def test_an_overdue_case_says_so_with_its_deadline_and_whose_delay_it_is(client, desk):  # noqa: F811
    ticket, case = desk.accept()
    desk.do(cases.take, case.id, actor=desk.civil)
    desk.clock.advance(days=10)
    desk.do(deadlines.tick)
    top = headline(page(client, f"/track/{ticket.service_no}"))
    assert "已超期" in top and "办结时限为 2026-11-30 17:00" in top
    assert "超期责任在承办单位（公务员管理处），不在您" in top
    assert "0451" in top  # the division's telephone, to ask
    assert "办理中" not in top
    api = client.get(f"/api/v1/track/{ticket.service_no}").get_json()[0]
    assert api["cases"][0]["overdue"] is True and "已超期" in api["status_notes"]


def test_a_stopped_clock_says_why(client, desk):  # noqa: F811
    ticket, case = desk.accept()
    desk.do(cases.take, case.id, actor=desk.civil)
    desk.do(cases.start_special, case.id, actor=desk.civil, kind="public_notice",
            reason="公示三天")
    top = headline(page(client, f"/track/{ticket.service_no}"))
    assert "办理时限暂停：公示" in top and "不计入承诺时限" in top
    desk.do(cases.end_special, case.id, actor=desk.civil)
    desk.do(cases.request_documents, case.id, actor=desk.civil, documents=["学历证书"])
    top = headline(page(client, f"/track/{ticket.service_no}"))
    assert "等待您补正材料" in top and "暂停" in top


def test_the_public_view_has_only_fixed_words_for_decisions_and_extensions(client, desk):  # noqa: F811
    ticket, case = desk.accept()
    desk.do(cases.take, case.id, actor=desk.civil)
    desk.do(cases.request_extension, case.id, actor=desk.civil, days=3, reason=SECRET)
    desk.do(cases.decide_extension, case.id, actor=desk.manager, approve=True)
    desk.do(cases.decide, case.id, actor=desk.civil, outcome="rejected", reason=SECRET)
    public = page(client, f"/track/{ticket.service_no}")
    api = client.get(f"/api/v1/track/{ticket.service_no}")
    for leaked in (SECRET, "王小明", "230110196505051232", "13912345678"):
        assert leaked not in public, leaked
        assert leaked not in api.get_data(as_text=True), leaked
    assert "办理时限延长 3 个工作日" in public and "不予许可" in public
    assert "理由见决定书" in public  # where the reason is, in fixed words
    body = api.get_json()[0]["cases"][0]
    assert body["decision_reason"] is None and body["extension_reason"] is None
    # With the code: the division's words, on the page and in the API.
    private = page(client, f"/track/{ticket.service_no}?c={ticket.access_code}")
    assert private.count(SECRET) >= 2
    body = client.get(f"/api/v1/track/{ticket.service_no}",
                      headers={"X-Access-Code": ticket.access_code}).get_json()[0]["cases"][0]
    assert body["decision_reason"] == SECRET == body["extension_reason"]


def test_a_poor_rating_is_told_who_follows_it_up_and_by_when(client, desk):  # noqa: F811
    ticket, case = desk.accept()
    desk.close(case)
    token = csrf(client, f"/track/{ticket.service_no}?c={ticket.access_code}")
    r = client.post(f"/track/{ticket.service_no}/rate",
                    data={"csrf_token": token, "code": ticket.access_code, "level": "1",
                          "case": str(case.id), "comment": "太慢"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "感谢您对本次服务的评价" in html
    assert "大厅管理人员将核实处理" in html and "15 个工作日内" in html
    assert "2026-12-14" in html  # 15 working days after Monday 23 November
    ticket2 = desk.ticket()
    desk.finish(ticket2)
    token = csrf(client, f"/track/{ticket2.service_no}?c={ticket2.access_code}")
    r = client.post(f"/track/{ticket2.service_no}/rate",
                    data={"csrf_token": token, "code": ticket2.access_code, "level": "5"})
    assert "管理人员" not in r.get_data(as_text=True)  # a good rating: no follow-up
