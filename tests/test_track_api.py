"""GET /api/v1/track/<service_no>: an Open311 service request, private only with the code."""
from __future__ import annotations

import json

from hall import cases
from tracking_helpers import NAME, PHONE, SUBJECT, desk, id_no  # noqa: F401

EN = {"Accept-Language": "en"}


def track(client, number, code=None, **headers):
    if code:
        headers["X-Access-Code"] = code
    return client.get(f"/api/v1/track/{number}", headers=headers)


def test_a_case_reads_as_an_open311_service_request(client, desk):
    ticket, case = desk.accept()
    r = track(client, ticket.service_no, **EN)
    # Public (nothing personal): revalidated with its ETag, never kept by a proxy.
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-cache"
    [request] = r.get_json()
    assert request["service_request_id"] == ticket.service_no
    assert (request["status"], request["detailed_status"]) == ("open", "accepted")
    assert request["service_code"] == "EXAM"
    assert request["agency_responsible"] == "Civil Service Administration Division"
    assert request["requested_datetime"] == "2026-11-23T09:30:00+08:00"
    assert request["expected_datetime"] == "2026-11-30T17:00:00+08:00"
    assert request["cases"][0]["applicant"] == "欧**芒"
    kinds = [n["kind"] for n in request["notes"]]
    assert kinds[0] == "ticket.issued" and "case.accepted" in kinds
    assert request["notes"][0]["type"] == "opened"
    assert all(n["datetime"].endswith("+08:00") for n in request["notes"])


def test_without_the_code_no_personal_field_is_in_the_answer(client, desk):
    ticket, case = desk.accept()
    desk.do(cases.take, case.id, actor=desk.civil)
    desk.do(cases.request_documents, case.id, actor=desk.civil, documents=["户口簿复印件"])
    r = track(client, ticket.service_no)
    for value in (NAME, id_no(), PHONE, PHONE[-8:], SUBJECT, ticket.access_code, "户口簿复印件"):
        assert value.encode() not in r.data and json.dumps(value)[1:-1].encode() not in r.data
    assert "private" not in r.get_json()[0]["cases"][0]
    assert r.get_json()[0]["cases"][0]["paused"] is True


def test_the_code_as_header_or_query_adds_the_private_part(client, desk):
    ticket, case = desk.accept()
    by_header = track(client, ticket.service_no, ticket.access_code).get_json()[0]
    by_query = client.get(f"/api/v1/track/{ticket.service_no}?code={ticket.access_code}").get_json()[0]
    assert by_header["verified"] and by_query["verified"]
    private = by_header["cases"][0]["private"]
    assert private["applicant_name"] == NAME and private["applicant_phone"] == "139****5678"
    assert private["subject"] == SUBJECT


def test_a_closed_case_is_closed_and_a_decision_carries_its_reason(client, desk):
    ticket, case = desk.accept()
    desk.close(case)
    [request] = track(client, ticket.service_no, **EN).get_json()
    assert (request["status"], request["detailed_status"]) == ("closed", "closed")
    assert request["cases"][0]["outcome"] == "approved"
    assert request["notes"][-1]["type"] == "closed"


def test_a_visit_without_a_case_is_tracked_too(client, desk):
    ticket = desk.ticket()
    [request] = track(client, ticket.service_no).get_json()
    assert (request["status"], request["detailed_status"], request["cases"]) == ("open", "waiting", [])
    assert request["agency_responsible"]  # the hall


def test_a_mistyped_number_is_a_400_problem(client):
    r = track(client, "261122001000425")
    assert r.status_code == 400 and r.mimetype == "application/problem+json"
    assert r.get_json()["code"] == "service-number-mistyped"


def test_an_unknown_number_and_a_wrong_code_get_the_same_404(client, desk):
    ticket, _ = desk.accept()
    unknown = track(client, "200101001000015", "ABCDEFGH")
    wrong = track(client, ticket.service_no, "ABCDEFGH")
    assert unknown.status_code == wrong.status_code == 404
    assert unknown.data == wrong.data
    assert wrong.get_json()["code"] == "track-not-found"


def test_the_route_is_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/api/v1/track/{service_no}"]["get"]
    assert {p["name"] for p in op["parameters"]} == {"service_no", "X-Access-Code", "code"}
    assert "Tracked" in doc["components"]["schemas"]
