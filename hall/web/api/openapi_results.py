"""The OpenAPI description of results in the open (办理结果公开) and public notice (公示)."""
from __future__ import annotations

from .results import ObjectionRequest

_STR = {"type": "string"}
_DATE = {"type": "string", "format": "date"}
_TIME = {"type": "string", "format": "date-time"}

RESULTS = {
    "type": "object",
    "required": ["hall", "item", "month", "page", "more", "results", "figures"],
    "properties": {
        "hall": _STR,
        "item": {"type": ["string", "null"], "description": "The item asked for, if one was"},
        "month": {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}$"},
        "page": {"type": "integer", "minimum": 1},
        "more": {"type": "boolean", "description": "Older results are on the next page"},
        "results": {"type": "array", "items": {
            "type": "object",
            "required": ["case_no", "item", "item_name", "item_name_en", "decision",
                         "accepted_on", "decided_on", "on_time", "applicant"],
            "properties": {
                "case_no": _STR, "item": _STR, "item_name": _STR, "item_name_en": _STR,
                "decision": {"enum": ["approved", "rejected"]},
                "accepted_on": _DATE, "decided_on": _DATE,
                "on_time": {"type": "boolean",
                            "description": "Decided by its deadline, which leaves out the days "
                                           "its clock was stopped (missing documents, public "
                                           "notice…)"},
                "applicant": {"type": "string", "description": "Masked, e.g. 张*丰"},
            }}},
        "figures": {"type": "array", "items": {
            "type": "object",
            "required": ["item", "month", "decided", "on_time", "on_time_percent"],
            "properties": {
                "item": _STR, "month": _STR,
                "decided": {"type": "integer", "minimum": 0},
                "on_time": {"type": "integer", "minimum": 0},
                "on_time_percent": {"type": ["integer", "null"], "minimum": 0, "maximum": 100},
            }}},
    },
}
NOTICES = {
    "type": "object", "required": ["hall", "notices"],
    "properties": {"hall": _STR, "notices": {"type": "array", "items": {
        "type": "object",
        "required": ["id", "case_no", "item", "text", "days", "unit", "started_at", "ends_at"],
        "properties": {
            "id": {"type": "integer"}, "case_no": _STR, "item": _STR, "item_name": _STR,
            "item_name_en": _STR,
            "text": {"type": "string", "description": "What is proposed, as the hall "
                                                      "published it"},
            "days": {"type": "integer", "minimum": 1, "maximum": 30},
            "unit": {"enum": ["working", "calendar"]},
            "started_at": _TIME,
            "ends_at": {"type": "string", "format": "date-time",
                        "description": "Objections are taken until then"},
        }}}},
}
OBJECTION = {
    "type": "object", "required": ["objection", "notice", "case_no", "received_at", "complaint"],
    "properties": {
        "objection": {"type": "integer"}, "notice": {"type": "integer"}, "case_no": _STR,
        "received_at": _TIME,
        "complaint": {"type": "object", "required": ["service_no", "access_code"],
                      "description": "The complaint the objection opened: follow it with "
                                     "its service number and access code (given only here) "
                                     "on the tracking page or GET /api/v1/enquiries/"
                                     "{service_no}",
                      "properties": {"service_no": _STR, "access_code": _STR,
                                     "track_url": _STR}},
    },
}


def _problem(description: str) -> dict:
    return {"description": description, "content": {"application/problem+json": {
        "schema": {"$ref": "#/components/schemas/Problem"}}}}


def _json(ref: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{ref}"}}}}


_READ_LIMIT = _problem("Too many reads from this address (PUBLIC_RATE_LIMIT)")
_NOT_MODIFIED = {"description": "Not modified: the reader's copy (If-None-Match) is current"}


def components() -> dict:
    return {"Results": RESULTS, "Notices": NOTICES, "Objection": OBJECTION,
            "ObjectionRequest": ObjectionRequest.model_json_schema()}


def paths(hall_param: dict) -> dict:
    return {
        "/api/v1/halls/{hall}/results": {"get": {
            "operationId": "hallResults",
            "summary": "Results in the open (办理结果公开): the decided cases of the items "
                       "whose results are public by law, newest first, 20 a page",
            "description": "Public, the same for every reader (ETag; 304 to If-None-Match). "
                           "The applicant masked; no reason, ID, phone or subject. Figures "
                           "per item for `month`, else for this month of the hall.",
            "parameters": [
                hall_param,
                {"name": "item", "in": "query", "required": False,
                 "schema": {"type": "string", "maxLength": 16},
                 "description": "One item's code (its results must be public)"},
                {"name": "month", "in": "query", "required": False,
                 "schema": {"type": "string", "pattern": r"^(\d{4}-\d{2})?$"},
                 "description": "Decided in this month of the hall's zone, e.g. 2026-11; "
                                "empty or left out: every month"},
                {"name": "page", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
            ],
            "responses": {"200": _json("Results", "A page of results and the figures"),
                          "304": _NOT_MODIFIED,
                          "400": _problem("`invalid-month`, `invalid-page`"),
                          "404": _problem("Unknown hall or item (`unknown-hall`, "
                                          "`unknown-service`), or `results-not-public`"),
                          "429": _READ_LIMIT},
        }},
        "/api/v1/halls/{hall}/notices": {"get": {
            "operationId": "hallNotices",
            "summary": "Public notices (公示) running now, the soonest to end first",
            "parameters": [hall_param],
            "responses": {"200": _json("Notices", "The notices objections are taken for"),
                          "304": _NOT_MODIFIED,
                          "404": _problem("Unknown hall"),
                          "429": _READ_LIMIT},
        }},
        "/api/v1/halls/{hall}/notices/{notice}/objections": {"post": {
            "operationId": "objectToNotice",
            "summary": "Object to a public notice: the objection opens a complaint",
            "description": "In the objector's name (a complaint gives its contact details). "
                           "Taken while the notice runs; the notice's end counts it.",
            "parameters": [hall_param,
                           {"name": "notice", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 1}}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ObjectionRequest"}}}},
            "responses": {
                "201": _json("Objection", "Received; the complaint's codes, once"),
                "400": _problem("Malformed JSON"), "413": _problem("Body too large"),
                "415": _problem("Body is not application/json"),
                "404": _problem("Unknown hall or notice"),
                "409": _problem("`notice-ended`: objections are no longer taken"),
                "422": _problem("Missing or invalid fields (`errors`, or `invalid-field` with "
                                "`field`: name, phone, email, body, declaration)"),
                "429": _problem("Too many complaints from this address "
                                "(ENQUIRY_RATE_LIMIT)"),
            }}},
    }
