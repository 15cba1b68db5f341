"""The device API as kiosks and outside clients meet it (SPEC §6)."""
from __future__ import annotations

import jsonschema
import pytest
import sqlalchemy as sa

from hall.models import Event, ServiceItem, Ticket
from hall.numbers import service_number
from hall.web.api.openapi import document
from hall.web.extensions import db

pytestmark = pytest.mark.hall_open  # tickets are taken and windows opened: in opening hours

SCHEMAS = document()["components"]["schemas"]


def conforms(body: dict, schema: str) -> None:
    jsonschema.validate(body, SCHEMAS[schema])


def written(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)),
                db.session.scalar(sa.select(sa.func.count()).select_from(Event)))


def test_take_a_number(client):
    r = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"})
    assert r.status_code == 201
    body = r.get_json()
    conforms(body, "Ticket")
    assert (body["number"], body["ahead"], body["hall"]) == ("A001", 0, "HQ")
    assert body["track_url"].endswith(f"/track/{body['service_no']}?c={body['access_code']}")
    assert r.headers["Location"] == f"/track/{body['service_no']}"
    assert r.headers["Cache-Control"] == "no-store"
    second = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"}).get_json()
    assert (second["number"], second["ahead"]) == ("A002", 1)


def test_a_tickets_addresses_follow_the_script_root_it_is_served_under(client):
    """The addresses are built once per script root (hall.web.api.tickets._addresses): a
    hall served under /hall and at / on the same process gives each its own."""
    number = {"hall": "HQ", "service": "EXAM"}
    under = client.post("/api/v1/tickets", json=number, base_url="http://localhost/hall")
    root = client.post("/api/v1/tickets", json=number)
    for answer, prefix in ((under, "/hall"), (root, "")):
        body = answer.get_json()
        no, code = body["service_no"], body["access_code"]
        assert answer.headers["Location"] == f"{prefix}/track/{no}"
        assert body["track_url"] == f"http://localhost{prefix}/track/{no}?c={code}"
        assert body["ticket_url"] == f"http://localhost{prefix}/t/{no}?c={code}"
        assert body["pdf_url"] == f"{prefix}/api/v1/tickets/{no}/ticket.pdf?code={code}"


def test_the_queue_counts_what_was_issued(client):
    for service in ("EXAM", "EXAM", "TITLE"):
        client.post("/api/v1/tickets", json={"hall": "HQ", "service": service})
    r = client.get("/api/v1/halls/HQ/queue")
    assert r.status_code == 200
    body = r.get_json()
    conforms(body, "Queue")
    waiting = {s["code"]: s["waiting"] for s in body["services"]}
    assert (waiting["EXAM"], waiting["TITLE"], waiting["INSURE"], body["waiting"]) == (2, 1, 0, 3)
    assert [w["no"] for w in body["windows"]] == list(range(1, 23))
    assert {w["state"] for w in body["windows"]} == {"closed"}
    exam = next(s for s in body["services"] if s["code"] == "EXAM")
    assert 3 in exam["windows"] and exam["prefix"] == "A"


def test_a_retried_request_with_the_same_key_gets_the_same_ticket(client, app):
    headers = {"Idempotency-Key": "kiosk-3-7f9c"}
    first = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"}, headers=headers)
    again = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"}, headers=headers)
    assert again.get_json()["service_no"] == first.get_json()["service_no"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert written(app)[0] == 1


def test_the_ticket_pdf_needs_the_access_code(client):
    body = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"}).get_json()
    pdf = client.get(body["pdf_url"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    wrong = client.get(f"/api/v1/tickets/{body['service_no']}/ticket.pdf?code=AAAAAAAA")
    unknown_no = service_number(__import__("datetime").date(2020, 1, 1), 1, 1)
    unknown = client.get(f"/api/v1/tickets/{unknown_no}/ticket.pdf?code=AAAAAAAA")
    assert wrong.status_code == unknown.status_code == 404
    # A guess learns nothing: the same answer for a wrong code and for no such ticket.
    strip = lambda r: {k: v for k, v in r.get_json().items() if k != "instance"}  # noqa: E731
    assert strip(wrong) == strip(unknown)


BAD_TICKET_REQUESTS = [
    # (what, request kwargs, status, code)
    ("unknown hall", {"json": {"hall": "XX", "service": "EXAM"}}, 404, "unknown-hall"),
    ("unknown service", {"json": {"hall": "HQ", "service": "NOPE"}}, 404, "unknown-service"),
    ("missing service", {"json": {"hall": "HQ"}}, 422, "invalid-request"),
    ("wrong type", {"json": {"hall": "HQ", "service": 7}}, 422, "invalid-request"),
    ("a list body", {"json": ["HQ", "EXAM"]}, 422, "invalid-request"),
    ("a code too long", {"json": {"hall": "HQ", "service": "E" * 17}}, 422, "invalid-request"),
    ("a code with spaces", {"json": {"hall": "HQ", "service": "EX AM"}}, 422, "invalid-request"),
    ("unknown priority", {"json": {"hall": "HQ", "service": "EXAM", "priority": "vip"}}, 422,
     "invalid-request"),
    ("malformed JSON", {"data": "{\"hall\": ", "content_type": "application/json"}, 400,
     "malformed-json"),
    ("a form instead of JSON", {"data": {"hall": "HQ", "service": "EXAM"}}, 415,
     "unsupported-media-type"),
    ("an oversized body", {"json": {"hall": "HQ", "service": "EXAM", "pad": "x" * 70_000}},
     413, "body-too-large"),
    ("a bad idempotency key", {"json": {"hall": "HQ", "service": "EXAM"},
                               "headers": {"Idempotency-Key": "ä" * 3}}, 400,
     "invalid-idempotency-key"),
]


@pytest.mark.parametrize("what,kwargs,status,code", BAD_TICKET_REQUESTS,
                         ids=[case[0] for case in BAD_TICKET_REQUESTS])
def test_bad_ticket_requests_get_a_problem_and_write_nothing(client, app, what, kwargs, status, code):
    before = written(app)
    r = client.post("/api/v1/tickets", **kwargs)
    assert (r.status_code, r.mimetype) == (status, "application/problem+json")
    body = r.get_json()
    conforms(body, "Problem")
    assert (body["status"], body["code"]) == (status, code)
    assert body["title"]
    assert written(app) == before


def test_invalid_fields_are_named(client):
    body = client.post("/api/v1/tickets", json={"hall": "HQ"}).get_json()
    assert body["errors"] == [{"field": "service", "message": "Field required"}]


@pytest.mark.parametrize("method,path,status,code", [
    ("get", "/api/v1/tickets", 405, "method-not-allowed"),
    ("get", "/api/v1/halls/XX/queue", 404, "unknown-hall"),
    ("get", "/api/v1/no-such-thing", 404, "not-found"),
    ("get", "/api/v1/tickets/12345/ticket.pdf?code=X", 400, "invalid-service-number"),
    ("get", "/api/v1/tickets/261122001000425/ticket.pdf?code=X", 400, "service-number-mistyped"),
])
def test_other_bad_requests_get_a_problem(client, method, path, status, code):
    r = getattr(client, method)(path)
    assert (r.status_code, r.mimetype) == (status, "application/problem+json")
    assert r.get_json()["code"] == code


def test_a_service_not_offered_now_is_refused_with_its_name(client, app):
    with app.app_context():
        db.session.execute(sa.update(ServiceItem).where(ServiceItem.code == "EXAM")
                           .values(active=False))
        db.session.commit()
    r = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"})
    assert (r.status_code, r.get_json()["code"]) == (409, "service-not-offered")
    assert "公务员考试录用资格复审" in r.get_json()["title"]


def test_problems_speak_chinese_first_and_english_on_request(client):
    zh = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "NOPE"}).get_json()
    en = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "NOPE"},
                     headers={"Accept-Language": "en-GB,en;q=0.9"}).get_json()
    assert zh["title"] == "大厅 HQ 没有代码为 NOPE 的事项。"
    assert en["title"] == "Hall HQ has no service with the code NOPE."


def test_the_openapi_document_describes_every_api_route(client, app):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    documented = {path.replace("{", "<").replace("}", ">").replace("<no>", "<int:no>")
                  for path in doc["paths"]}
    served = {rule.rule for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and rule.rule != "/api/v1/openapi.json"}
    assert served == documented
    request_schema = doc["components"]["schemas"]["TicketRequest"]
    assert set(request_schema["required"]) == {"hall", "service"}
