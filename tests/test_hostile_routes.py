"""The hostile pass, kept as tests (issue 11): every route of the URL map × every kind of
person, with what each may get declared in one table, so that a new route without an entry
fails here instead of going out unchecked; and NUL bytes and oversized input on every route,
on SQLite and PostgreSQL, never a 500."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import MONDAY_0930, actor
from file_helpers import png
from hall import applications, cases, clock, enquiries, issuing, queue
from hall.models import ServiceItem, Ticket
from hall.web.extensions import db

ROOT = Path(__file__).resolve().parents[1]

# Who asks: a browser signed in as (or a bearer token of) these accounts, and a stranger.
ROLES = {"anonymous": None, "clerk": "clerk03", "division": "division01", "manager": "manager",
         "admin": "admin", "other-clerk": "hrb-clerk01", "other-manager": "hrb-manager"}

# What each kind of route lets each kind of person do. "ok": anything but a refusal of who
# they are (a 404 for sample data, a 422 for an empty form are fine); "login": a page sends
# them to sign in; "401": the API wants a token; "403": refused.
_ = "ok"
ACCESS = {
    #                 anonymous  clerk  division manager admin  other-clerk other-manager
    "public":        (_,         _,     _,       _,      _,     _,          _),
    "signed-in":     ("login",   _,     _,       _,      _,     _,          _),
    "sign-out":      ("login",   "login", "login", "login", "login", "login", "login"),
    "staff":         ("login",   _,     _,       _,      _,     "403",      "403"),
    "clerk":         ("login",   _,     "403",   "403",  "403", "403",      "403"),
    "supervisor":    ("login",   "403", "403",   _,      _,     "403",      "403"),
    "inbox":         ("login",   "403", _,       _,      "403", "403",      "403"),
    "case":          ("login",   _,     _,       _,      "403", "403",      "403"),
    "case-work":     ("login",   "403", _,       _,      "403", "403",      "403"),
    "manager":       ("login",   "403", "403",   _,      "403", "403",      "403"),
    "any-manager":   ("login",   "403", "403",   _,      "403", "403",      _),
    "admin":         ("login",   "403", "403",   "403",  _,     "403",      "403"),
    "api-staff":     ("401",     _,     _,       _,      _,     _,          _),
    "api-hall":      ("401",     _,     _,       _,      _,     "403",      "403"),
    "api-clerk":     ("401",     _,     "403",   "403",  "403", "403",      "403"),
    "api-supervisor": ("401",    "403", "403",   _,      _,     "403",      "403"),
}

# Every endpoint of the app and its kind; static files are public and not listed.
ROUTES = {
    "admin.home": "admin", "admin.audit": "admin", "admin.calendar_page": "admin",
    "admin.set_local_day": "admin", "admin.remove_local_day": "admin",
    "admin.enter_notice": "admin", "admin.halls": "admin", "admin.create_hall": "admin",
    "admin.edit_hall": "admin", "admin.save_hall": "admin", "admin.divisions": "admin",
    "admin.create_division": "admin", "admin.division": "admin", "admin.save_division": "admin",
    "admin.services": "admin", "admin.service": "admin", "admin.save_service": "admin",
    "admin.new_service": "admin", "admin.create_service": "admin", "admin.staff_list": "admin",
    "admin.create_staff": "admin", "admin.windows": "admin", "admin.add_window": "admin",
    "admin.window": "admin", "admin.save_window": "admin", "admin.set_window_clerks": "admin",
    "admin.disable_window": "admin", "admin.staff": "admin", "admin.save_staff": "admin",
    "admin.set_active": "admin", "admin.reset_password": "admin",
    "admin.set_staff_windows": "admin",
    "admin.devices_page": "admin", "admin.register_device": "admin",
    "admin.device_page": "admin", "admin.lock_device": "admin", "admin.unlock_device": "admin",
    "admin.revoke_device": "admin", "admin.device_hours": "admin",
    "admin.enrolment_link": "admin",
    "admin.hours_page": "admin", "admin.save_week": "admin", "admin.set_exception": "admin",
    "admin.remove_exception": "admin", "reports.rerun": "manager",
    "admin.booking_page": "admin", "admin.save_booking_rules": "admin",
    "admin.save_places": "admin",
    "device_enrolment.page": "public", "device_enrolment.enrol": "public",
    "api.create_token": "public", "api.token_info": "api-staff", "api.revoke_token": "api-staff",
    "api.hall_guide": "public", "api.hall_queue": "public", "api.window_state": "api-hall",
    "api.window_call": "api-clerk", "api.window_close": "api-clerk",
    "api.window_finish": "api-clerk", "api.window_hold": "api-clerk",
    "api.window_no_show": "api-clerk", "api.window_open": "api-clerk",
    "api.window_pause": "api-clerk", "api.window_recall": "api-clerk",
    "api.window_resume": "api-clerk", "api.window_start": "api-clerk",
    "api.window_transfer": "api-clerk", "api.window_force_close": "api-supervisor",
    "api.window_reassign": "api-supervisor", "api.window_undo_no_show": "api-clerk",
    "extension_requests.index": "manager", "extension_requests.decide": "manager", "api.openapi_json": "public",
    "api.take_ticket": "public", "api.ticket_pdf": "public", "api.track": "public",
    "dashboard.overview": "any-manager", "dashboard.hall_dashboard": "manager",
    "display.board": "public", "guide.page": "public", "console.home": "signed-in",
    "division.cases_inbox": "inbox", "division.case_page": "case", "division.act": "case-work",
    "division.receipt": "case", "followups.index": "manager", "followups.close": "manager",
    "reports.index": "manager", "reports.csv": "manager", "reports.pdf": "manager",
    "reports.statistics": "manager", "console.windows": "staff", "console.window": "staff",
    "console.window_state": "staff", "console.move": "clerk", "console.accept": "clerk",
    "console.force_close": "supervisor", "console.reassign": "supervisor",
    "health.healthz": "public", "health.readyz": "public", "kiosk.home": "public",
    "kiosk.take": "public", "kiosk.appointment": "public", "kiosk.check_in": "public",
    "i18n.choose": "public", "auth.login": "public",
    "auth.logout": "sign-out", "rating_device.show": "public", "rating_device.rate": "public",
    "tracking.lookup": "public", "tracking.lookup_submit": "public", "tracking.ticket": "public",
    "tracking.ticket_private": "public", "tracking.rate": "public",
    "ticket.show": "public", "ticket.show_private": "public",
    "api.free_slots": "public", "api.make_booking": "public", "api.get_booking": "public",
    "api.cancel_booking": "public", "api.check_in": "public", "api.move_booking": "public",
    "booking.halls": "public", "booking.services": "public", "booking.slots_page": "public",
    "booking.form": "public", "booking.book": "public", "booking.show": "public",
    "booking.unlock": "public", "booking.pdf": "public", "booking.cancel_page": "public",
    "booking.cancel": "public", "booking.move_page": "public", "booking.move": "public",
    "notifications.index": "manager", "notifications.retry": "manager",
    "remote.queues": "public", "remote.join": "public", "remote.here": "public",
    "remote.arrive": "public", "api.join_remotely": "public", "api.arrive": "public",
    "door.page": "manager",
    # uploaded files and blank forms (issue 15)
    "admin.add_form": "admin", "admin.remove_form": "admin", "guide.form_download": "public",
    # questions, complaints and reports online (issue 15)
    "ask.halls": "public", "ask.form": "public", "ask.send": "public", "ask.sent": "public",
    "tracking.write": "public", "tracking.enquiry_file": "public",
    "api.enquiry_topics": "public", "api.send_enquiry": "public", "api.get_enquiry": "public",
    "api.write_enquiry": "public",
    # applying online (issue 15): the public form, the tracking page's moves with the code;
    # the division's pre-review, which the hall's clerks may read (the window's lookup)
    "apply.items": "public", "apply.form": "public", "apply.send": "public",
    "apply.sent": "public", "apply.receipt": "public", "tracking.reupload": "public", "tracking.withdraw": "public",
    "tracking.application_file": "public", "api.send_application": "public",
    "api.get_application": "public", "api.upload_application_document": "public",
    "division.applications_inbox": "inbox", "division.application_act": "case-work",
    "division.application_page": "case", "division.application_find": "case",
    "division.application_file": "case",
    "division.enquiries_inbox": "inbox", "division.enquiry_page": "case-work",
    "division.enquiry_act": "case-work", "division.enquiry_file": "case-work",
    "extension_requests.decide_enquiry": "manager",
    "admin.enquiries_page": "admin", "admin.save_enquiry_rule": "admin",
    "admin.save_enquiry_topic": "admin",
    # results in the open and public notice (issue 15)
    "results.hall_results": "public", "results.item_results": "public",
    "results.notices": "public", "results.notice": "public", "results.object_to": "public",
    "api.hall_results": "public", "api.hall_notices": "public",
    "api.object_to_notice": "public",
    "division.put_under_notice": "manager", "division.end_notice": "manager",
    # the public Q&A (issue 15)
    "qa.search": "public", "qa.answer": "public", "api.qa_search": "public",
    "api.qa_answer": "public",
}
STATIC = {"static", "display.static", "kiosk.static", "tracking.static", "console.static",
          "division.static", "dashboard.static", "booking.static", "ask.static",
          "results.static", "qa.static"}
# Moves that end what the matrix signs in with: made last.
LAST = {"auth.logout", "api.revoke_token"}


@pytest.fixture
def sample(app) -> dict:
    return make_sample(app)


def make_sample(app) -> dict:
    """Values for every placeholder of the URL map: a case accepted by clerk03 (so that its
    page is theirs), its ticket, HQ window 3, a clerk whose account may be changed."""
    with app.app_context(), clock.frozen(MONDAY_0930):
        clerk = actor(app, "clerk03")
        issuing.issue_ticket(db.session, "HQ", "EXAM")
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        queue.call_next(db.session, "HQ", 3, actor=clerk)
        case = cases.accept(db.session, "HQ", 3, actor=clerk, applicant_name="欧阳芒",
                            subject="资格复审")
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.id == case.ticket_id))
        # a question to the Civil Service Administration Division (division01's)
        asked = enquiries.submit(db.session, "HQ", kind="consultation", topic="EXAM",
                                 subject="报考条件", body="应届生能否报考？", name="欧阳芒",
                                 phone="13900139000")
        # an application online for EXAM, which the Civil Service Division pre-reviews
        exam = db.session.scalar(sa.select(ServiceItem).where(ServiceItem.code == "EXAM",
                                                               ServiceItem.hall.has(code="HQ")))
        exam.apply_online = True
        db.session.commit()
        applied = applications.submit(
            db.session, "HQ", "EXAM", name="欧阳芒", phone="13900139000", declared=True,
            documents=[(i, f"{i}.png", png()) for i in range(len(exam.documents))])
        return {"application_id": applied.id, "index": 0, "enquiry_id": asked.id, "kind": "complaint", "hall": "HQ", "no": 3, "window_no": 3, "case_id": case.id, "rating_id": 1,
                "service_no": ticket.service_no, "username": "clerk22", "code": "CIVIL",
                "day": "2026-11-23", "move": "call", "action": "take", "filename": "x.css",
                "device_id": 1, "version": 1, "booking_code": "ZZZZZZZZ", "service": "EXAM",
                "notification_id": 1, "door_code": "ZZZZZZZZZZ", "item": "TITLE",
                "file_id": 1, "notice_id": 1, "notice": 1, "answer_id": 1, "answer": 1}


def rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in STATIC:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def path_of(rule, sample: dict, **override) -> str:
    values = {name: override.get(name, sample[name]) for name in rule.arguments}
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), rule.rule)


class Person:
    """A browser and, for the API, a bearer token."""

    def __init__(self, app, username: str | None) -> None:
        self.client = app.test_client()
        self.token = None
        page = self.client.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        if username:
            r = self.client.post("/login", data={"csrf_token": csrf, "username": username,
                                                 "password": "demo"})
            assert r.status_code == 302, username
            token = self.client.post("/api/v1/auth/token",
                                     json={"username": username, "password": "demo"})
            self.token = token.get_json()["token"]
            page = self.client.get("/login").get_data(as_text=True)
            csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                             page).group(1)
        self.csrf = csrf

    def ask(self, method: str, path: str, **kwargs):
        # A plausible body, so that a move gets past its form and meets the access rules.
        body = {"reason": "hostile pass", "clerk": "clerk22", "note": "hostile pass"}
        if path.startswith("/api/"):
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            return self.client.open(path, method=method, headers=headers,
                                    json=body if method in ("POST", "DELETE") else None,
                                    **kwargs)
        data = {"csrf_token": self.csrf, **body} if method == "POST" else None
        return self.client.open(path, method=method, data=data, **kwargs)


def outcome(response) -> str:
    status = response.status_code
    if status >= 500:
        return f"500 ({status})"
    if status == 302 and response.headers["Location"].startswith("/login"):
        return "login"
    if status in (401, 403):
        return str(status)
    return "ok"


def test_every_route_has_an_entry_in_the_table(app):
    served = {rule.endpoint for rule, _method in rules(app)}
    assert served - ROUTES.keys() == set(), "routes without an entry in ROUTES"
    assert ROUTES.keys() - served == set(), "entries in ROUTES for routes that are gone"
    assert set(ROUTES.values()) <= ACCESS.keys()


@pytest.mark.slow
def test_every_route_for_every_kind_of_person(app, sample):
    people = {role: Person(app, username) for role, username in ROLES.items()}
    wrong = []
    # The moves that end a session or token come last.
    for rule, method in sorted(rules(app), key=lambda rm: rm[0].endpoint in LAST):
        expected = ACCESS[ROUTES[rule.endpoint]]
        path = path_of(rule, sample)
        for (role, person), wanted in zip(people.items(), expected, strict=False):
            got = outcome(person.ask(method, path))
            if got != wanted:
                wrong.append(f"{method} {path} as {role}: {got}, expected {wanted}")
    assert wrong == [], "\n".join(wrong)


# -- NUL bytes and oversized input, everywhere ---------------------------------------------------

def _form_fields() -> set[str]:
    names = set()
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" not in template.parts:
            names.update(re.findall(r'name="([a-z_]+)"', template.read_text(encoding="utf-8")))
    return names - {"csrf_token"}


FIELDS = sorted(_form_fields() | {"service", "hall", "number", "reason", "window", "clerk",
                                  "label", "priority", "username", "password"})
QUERY = ("q", "month", "state", "warning", "division", "handler", "mine", "lang", "next",
         "windows", "kind", "actor", "from", "to", "hall", "c", "code", "page", "year", "on",
         "days", "sound", "all")
BIG = "长" * 3000  # 9 KB as UTF-8: inside the 64 KiB body limit, past every field


def hostile_requests(rule, method: str, sample: dict):
    """(what, path, request kwargs): NUL and oversized text in the path, the query and the
    body."""
    strings = [a for a in rule.arguments if a not in rule._converters
               or type(rule._converters[a]).__name__ == "UnicodeConverter"]
    for name in strings:
        yield f"NUL in <{name}>", path_of(rule, sample, **{name: "A%00B"}), {}, 400
        yield f"long <{name}>", path_of(rule, sample, **{name: "A" * 3000}), {}, None
    path = path_of(rule, sample)
    yield "NUL in the query", path + "?" + "&".join(f"{q}=x%00y" for q in QUERY), {}, 400
    yield "long query", path + "?" + "&".join(f"{q}={BIG[:600]}" for q in QUERY), {}, None
    if method in ("POST", "DELETE"):
        if path.startswith("/api/"):
            yield ("NUL in JSON", path, {"json": {f: "x\u0000y" for f in FIELDS}}, 422)
            yield ("long JSON", path, {"json": {f: BIG[:200] for f in FIELDS}}, None)
        else:
            yield "NUL in the form", path, {"data": {f: "x\x00y" for f in FIELDS}}, 400
            yield "long form", path, {"data": {f: BIG[:300] for f in FIELDS}}, None


def _hostile(app, people: dict[str, Person], sample: dict) -> list[str]:
    wrong = []
    for rule, method in sorted(rules(app), key=lambda rm: rm[0].endpoint in LAST):
        if rule.endpoint in LAST:
            continue
        for what, path, kwargs, wanted in hostile_requests(rule, method, sample):
            for role, person in people.items():
                if "data" in kwargs:
                    kwargs = {"data": {**kwargs["data"], "csrf_token": person.csrf}}
                headers = {"Authorization": f"Bearer {person.token}"} if person.token else {}
                r = person.client.open(path, method=method, headers=headers, **kwargs)
                if r.status_code >= 500 or b"Traceback" in r.get_data():
                    wrong.append(f"{method} {rule.rule} {what} as {role}: {r.status_code}")
                elif wanted is not None and r.status_code != wanted:
                    wrong.append(f"{method} {rule.rule} {what} as {role}: {r.status_code}, "
                                 f"expected {wanted}")
    return wrong


@pytest.mark.slow
def test_nul_and_oversized_input_on_every_route(any_app, caplog):
    sample = make_sample(any_app)
    people = {role: Person(any_app, ROLES[role]) for role in ("anonymous", "manager", "admin",
                                                              "clerk")}
    wrong = _hostile(any_app, people, sample)
    assert wrong == [], "\n".join(wrong)
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert tracebacks == [], [r.getMessage() for r in tracebacks][:5]
