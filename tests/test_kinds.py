"""Event kinds in words for every audience (#10.13): the registry is complete for every kind the
code records, the audit log and the case history speak words instead of codes and JSON, the
hall's own actors are named in Chinese, and Chinese text has Chinese punctuation."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po

from conftest import MONDAY_0930, actor
from hall import cases, clock, deadlines, issuing, kinds, progress, queue
from hall.models import Event
from hall.web.extensions import db
from test_auth import sign_in
from test_division_console import accept, act, as_user, at_window, frozen  # noqa: F401
from tracking_helpers import desk  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [p for d in ("hall", "tracking", "kiosk", "display") for p in (ROOT / d).rglob("*.py")]
KIND = re.compile(r"^[a-z]+\.[a-z_]+$")


# -- which kinds the code records, and with what -------------------------------------------------

def _strings(node) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant)
            and isinstance(n.value, str) and KIND.match(n.value)}


def _passed_to(tree, func, param: str) -> set[str]:
    """The kinds a wrapper such as ``cases._event(session, case, kind, …)`` is called with in
    its module: the literals given at the parameter's place."""
    names = [a.arg for a in func.args.args]
    if param not in names:
        return set()
    index = names.index(param)
    return {c.args[index].value for c in ast.walk(tree) if isinstance(c, ast.Call)
            and isinstance(c.func, ast.Name) and c.func.id == func.name and len(c.args) > index
            and isinstance(c.args[index], ast.Constant) and KIND.match(str(c.args[index].value))}


def recorded() -> dict[str, set[str]]:
    """Every kind passed to ``record(`` in the code, with the objects it is recorded with
    ("case", "ticket"): a literal, a literal chosen by an expression, or a name assigned
    from literals in the same function (or given as ``kind=`` to it). A kind the test cannot
    read is a failure: kinds are written out, so that this registry can be checked."""
    found: dict[str, set[str]] = {}
    unreadable = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        keyword_kinds = {kw.value.value for n in ast.walk(tree) if isinstance(n, ast.Call)
                         for kw in n.keywords if kw.arg == "kind"
                         and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str)}
        for func in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef,))]:
            for call in [n for n in ast.walk(func) if isinstance(n, ast.Call)]:
                name = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")
                if name != "record" or len(call.args) < 3:
                    continue
                arg = call.args[2]
                if isinstance(arg, ast.Name):
                    values = set().union(*[_strings(a.value) for a in ast.walk(func)
                                           if isinstance(a, ast.Assign)
                                           and any(isinstance(t, ast.Name) and t.id == arg.id
                                                   for t in a.targets)], set())
                    defaults = {d.value for d in func.args.defaults + func.args.kw_defaults
                                if isinstance(d, ast.Constant) and isinstance(d.value, str)}
                    values |= {v for v in defaults | keyword_kinds if KIND.match(v)}
                    values |= _passed_to(tree, func, arg.id)
                else:
                    values = _strings(arg)
                if not values or isinstance(arg, ast.JoinedStr):
                    unreadable.append(f"{path.relative_to(ROOT)}:{call.lineno}")
                    continue
                given = {kw.arg for kw in call.keywords}
                audiences = {"case"} if "case" in given else set()
                if given & {"ticket", "ticket_id"}:
                    audiences.add("ticket")
                for value in values:
                    found.setdefault(value, set()).update(audiences)
    assert unreadable == [], "write these kinds out as literals"
    return found


def test_the_code_records_the_kinds_we_expect_to_find():
    found = recorded()
    for kind in ("ticket.issued", "ticket.called", "ticket.resumed", "ticket.no_show_undone",
                 "window.opened", "window.resumed", "case.accepted", "case.yellow", "case.red",
                 "case.warning_lowered", "rating.followup_red", "admin.window_enabled",
                 "admin.staff_deactivated", "staff.signed_in", "day.closed"):
        assert kind in found, kind
    assert "case" in found["case.accepted"] and "ticket" in found["ticket.called"]


def test_every_kind_recorded_is_worded_for_every_audience_where_it_can_appear():
    problems = []
    for code, audiences in sorted(recorded().items()):
        kind = kinds.KINDS.get(code)
        if kind is None:
            problems.append(f"{code}: not in hall.kinds")
            continue
        if not kind.name or kind.name == code:
            problems.append(f"{code}: no words for the audit log")
        if "case" in audiences and not kind.name:
            problems.append(f"{code}: no words for the case history")
        # A citizen's sentence, or None on purpose; a dict must cover its values.
        if "ticket" in audiences and isinstance(kind.citizen, dict) and not kind.citizen_by:
            problems.append(f"{code}: a sentence by value, but no field to choose it")
        for words in (kind.citizen, kind.private):
            for sentence in (words.values() if isinstance(words, dict) else [words]):
                for param in re.findall(r"%\((\w+)\)s", sentence or ""):
                    if param not in kinds.FIELDS and param not in kind.fields:
                        problems.append(f"{code}: {param} is no known field")
    assert problems == []


def test_every_field_and_term_has_words_in_chinese():
    po = {m.id: m.string for m in read_po((ROOT / "translations/zh/LC_MESSAGES/messages.po")
                                           .open("rb")) if m.id}
    words = [k.name for k in kinds.KINDS.values()] + list(kinds.ACTORS.values())
    words += [f.label for f in kinds.FIELDS.values()] + list(kinds.FAMILIES.values())
    for table in (kinds.PRIORITIES, kinds.WARNINGS, kinds.OUTCOMES, kinds.PROCEDURES,
                  kinds.LEVELS, kinds.ROLES, kinds.CASE_STATES):
        words += list(table.values())
    assert [w for w in words if not po.get(w)] == []


# -- the audit log -----------------------------------------------------------------------------

def test_the_audit_log_speaks_words_not_codes_or_json(app, client):
    with app.app_context(), clock.frozen(MONDAY_0930):
        issuing.issue_ticket(db.session, "HQ", "EXAM")  # priority=None, source=kiosk
        db.session.remove()
    sign_in(client, "admin")  # staff.signed_in, via=page
    html = client.get("/admin/audit").get_data(as_text=True)
    cells = " ".join(re.findall(r"<td[^>]*>(.*?)</td>", html, re.S))
    text = re.sub(r"<[^>]+>", " ", cells)
    assert "登录" in text and "取号" in text and "登录页面" in text and "取号机" in text
    for raw in ("staff.signed_in", "ticket.issued", "null", "None", "priority=", "{", "via="):
        assert raw not in text, raw


def test_the_audit_log_is_filtered_by_a_kind_chosen_in_words(app, client):
    with app.app_context(), clock.frozen(MONDAY_0930):
        issuing.issue_ticket(db.session, "HQ", "EXAM")
        db.session.remove()
    sign_in(client, "admin")
    html = client.get("/admin/audit").get_data(as_text=True)
    select = re.search(r'<select name="kind">(.*?)</select>', html, re.S).group(1)
    assert '<option value="staff.signed_in">登录</option>' in select
    assert '<optgroup label="取号">' in select
    assert re.findall(r'data-kind="([^"]+)"', client.get(
        "/admin/audit?kind=ticket.issued").get_data(as_text=True)) == ["ticket.issued"]
    assert set(re.findall(r'data-kind="([^"]+)"', client.get(
        "/admin/audit?kind=staff.").get_data(as_text=True))) == {"staff.signed_in"}


# -- the case history --------------------------------------------------------------------------

def test_the_case_history_names_the_system_in_chinese_and_its_facts_in_words(app, frozen):  # noqa: F811
    clerk = as_user(app, "clerk03")
    at_window(clerk)
    case_id = accept(clerk).get_json()["case"]["id"]
    civil = as_user(app, "division01")
    act(civil, case_id, "take")
    act(civil, case_id, "request_extension", days="3", reason="需专家会审")
    frozen.advance(days=10)
    with app.app_context():
        deadlines.tick(db.session)  # red, by the system
    page = civil.get(f"/hall/HQ/cases/{case_id}").get_data(as_text=True)
    history = re.search(r"<ol class=\"timeline\" data-timeline>(.*?)</ol>", page, re.S).group(1)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", history))
    assert "系统" in text and "system" not in text
    assert "红牌" in text and "3 号窗口" in text and "延期：3 个工作日；原因：需专家会审" in text
    assert "None" not in text and "null" not in text


# -- Chinese punctuation -----------------------------------------------------------------------

CJK = r"[\u3400-\u9fff\uff01-\uff5e\u3001-\u3011]"
# ASCII punctuation next to a Chinese character (placeholders such as %(name)s aside).
ASCII_NEXT_TO_CJK = re.compile(rf"{CJK}\s*[,:;!?()]|[,:;!?()]\s*{CJK}")


def ascii_punctuation(text: str) -> list[str]:
    text = re.sub(r"%\(\w+\)[sd]", "X", text)
    return [text[max(0, m.start() - 6):m.end() + 6] for m in ASCII_NEXT_TO_CJK.finditer(text)]


def test_chinese_translations_use_chinese_punctuation():
    po = read_po((ROOT / "translations/zh/LC_MESSAGES/messages.po").open("rb"))
    found = {m.id: ascii_punctuation(m.string) for m in po if m.id and m.string
             and "Authorization" not in m.string}  # an HTTP header, quoted as it is typed
    assert {k: v for k, v in found.items() if v} == {}


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&amp;", "&")


def test_staff_and_citizen_pages_in_chinese_have_chinese_punctuation(app, desk):  # noqa: F811
    ticket, case = desk.accept()
    desk.do(cases.take, case.id, actor=desk.civil)
    desk.do(cases.request_extension, case.id, actor=desk.civil, days=3, reason="需专家会审")
    desk.do(cases.decide_extension, case.id, actor=desk.manager, approve=True)
    desk.do(cases.decide, case.id, actor=desk.civil, outcome="rejected", reason="不符合条件")
    pages = []
    citizen = app.test_client()
    pages.append(citizen.get(f"/track/{ticket.service_no}").get_data(as_text=True))
    pages.append(citizen.get(f"/track/{ticket.service_no}?c={ticket.access_code}")
                 .get_data(as_text=True))
    staff = as_user(app, "division01")
    pages.append(staff.get(f"/hall/HQ/cases/{case.id}").get_data(as_text=True))
    pages.append(staff.get("/hall/HQ/cases").get_data(as_text=True))
    admin_client = as_user(app, "admin")
    pages.append(admin_client.get("/admin/audit").get_data(as_text=True))
    manager = as_user(app, "manager")
    for path in ("/hall/HQ/dashboard", "/hall/HQ/followups", "/hall/HQ/extension-requests"):
        pages.append(manager.get(path).get_data(as_text=True))
    pages.append(as_user(app, "clerk03").get("/hall/HQ/windows/3").get_data(as_text=True))
    problems = [p for html in pages for p in ascii_punctuation(visible_text(html))]
    assert problems == []


@pytest.mark.parametrize("label, words", [("system", "系统"), ("kiosk", "取号机"),
                                          ("visitor", "群众")])
def test_the_hall_s_own_actors_have_chinese_names(app, label, words):
    from flask_babel import force_locale

    from hall.web.event_words import actor_name
    with app.test_request_context(), force_locale("zh_CN"):
        assert actor_name(label) == words
        assert actor_name("clerk03", "张丽华") == "张丽华"


def test_a_no_show_taken_back_leaves_no_trace_in_the_citizen_s_timeline(app, desk):  # noqa: F811
    ticket = desk.ticket()
    desk.serve(ticket)
    desk.do(queue.mark_no_show, "HQ", 3, actor=desk.clerk)
    desk.do(queue.undo_no_show, "HQ", 3, ticket.number, actor=desk.clerk)
    html = app.test_client().get(f"/track/{ticket.service_no}").get_data(as_text=True)
    assert "未应答" not in html and "过号" not in html
    with app.app_context():
        found = list(db.session.scalars(sa.select(Event.kind).where(
            Event.ticket_id == ticket.id).order_by(Event.id)))
    assert found[-2:] == ["ticket.no_show", "ticket.no_show_undone"]  # audited all the same
    assert actor(app, "clerk03").label == "clerk03"


# -- the case workflow: its moves, states and procedures, worded once for every audience -------

def _kinds_written_by(function_name: str) -> set[str]:
    tree = ast.parse((ROOT / "hall" / "cases.py").read_text(encoding="utf-8"))
    function = next(n for n in ast.walk(tree)
                    if isinstance(n, ast.FunctionDef) and n.name == function_name)
    return _strings(function)


def test_every_case_move_writes_the_kinds_the_registry_says_and_each_is_worded_everywhere():
    from hall.errors import IllegalCaseMove
    from hall.web.division import case_actions

    problems = []
    for move, words in kinds.CASE_MOVES.items():
        written = _kinds_written_by(move)
        if written != set(words.writes):
            problems.append(f"{move}: writes {sorted(written)}, the registry says "
                            f"{sorted(words.writes)}")
        for code in words.writes:
            kind = kinds.KINDS.get(code)
            if kind is None or not kind.name or kind.name == code:
                problems.append(f"{move}: {code} has no words for the audit log and history")
        if not words.term or IllegalCaseMove.MOVES.get(move) != words.term:
            problems.append(f"{move}: no word for a refusal")
        if move not in case_actions.ACTIONS or move not in case_actions.DONE:
            problems.append(f"{move}: not offered on the division's case page, or no words "
                            f"for its being done")
    assert problems == []
    assert set(case_actions.ACTIONS) == set(kinds.CASE_MOVES)


def test_every_case_state_is_worded_for_every_audience():
    from hall.errors import IllegalCaseMove
    from hall.models import CaseState
    from hall.web.division import case_actions

    assert set(kinds.CASE_STATE_WORDS) == {s.value for s in CaseState}
    for state, words in kinds.CASE_STATE_WORDS.items():
        assert words.term and words.title and words.stage, state
        assert IllegalCaseMove.STATES[state] == kinds.FIELDS["state"].terms[state] == words.term
        assert case_actions.STATE_NAMES[state] == words.title
        assert progress.STAGES[state] == words.stage and state in progress.HEADLINES


def test_the_special_procedures_are_listed_once_and_worded_for_every_audience():
    from hall import printing, timeline
    from hall.web.division import case_actions

    assert cases.SPECIAL_KINDS is kinds.SPECIAL_PROCEDURES
    assert set(kinds.SPECIAL_PROCEDURES) < set(kinds.PROCEDURE_WORDS)
    for code, words in kinds.PROCEDURE_WORDS.items():
        zh, en = words.printed
        assert words.term and words.title and en and re.search("[\u4e00-\u9fff]", zh), code
        assert printing.SPECIAL_PAUSES[code] == words.printed
        assert case_actions.SPECIAL_NAMES[code] == words.title
        assert progress.PAUSES[code] == kinds.FIELDS["procedure"].terms[code] == words.term
    assert set(timeline.PROCEDURES) == set(kinds.SPECIAL_PROCEDURES)
    assert set(kinds.CLOCK_STOPS) == {"case.documents_requested", "case.special_started",
                                      "case.notice_started"}  # public notice (issue 15)
    assert all(code in kinds.KINDS for code in (*kinds.CLOCK_STOPS, *kinds.CLOCK_STARTS))
