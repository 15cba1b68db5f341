"""The OpenAPI description of questions, complaints and reports online (issue 15): a hall's
topics, sending one, reading it, and writing to the office."""
from __future__ import annotations

from .enquiries import EnquiryMessageRequest, EnquiryRequest

_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
_TIME = {"type": ["string", "null"], "format": "date-time"}
_NBOOL = {"type": ["boolean", "null"]}
SERVICE_NO = {"type": "string", "pattern": r"^\d{14}[\dX]$"}

ENQUIRY = {
    "type": "object",
    "required": ["service_no", "hall", "kind", "topic", "state", "status_notes",
                 "submitted_at", "respond_due_at", "due_at", "overdue", "verified", "notes"],
    "properties": {
        "service_no": SERVICE_NO,
        "access_code": {"type": "string", "description": "Only in the answer that created it: "
                                                         "keep it, it is not given again"},
        "hall": _STR,
        "kind": {"enum": ["consultation", "complaint", "report"]},
        "topic": {"type": ["object", "null"], "properties": {
            "code": _STR, "name": _STR, "name_en": _STR}},
        "related_case_no": _NSTR,
        "state": {"enum": ["open", "answered", "closed", "submitted", "accepted", "declined",
                           "concluded"], "description": (
            "A question: open → answered → closed. A complaint or a report: submitted → "
            "accepted or declined; accepted → concluded.")},
        "status_notes": {"type": "string", "description": "Where it stands, in words"},
        "submitted_at": {"type": "string", "format": "date-time"},
        "respond_due_at": {"type": "string", "format": "date-time",
                           "description": "By when it is answered (a question) or accepted "
                                          "or declined (a complaint, a report)"},
        "responded_at": _TIME, "responded_on_time": _NBOOL,
        "accepted_at": _TIME,
        "conclude_due_at": {**_TIME, "description": "By when an accepted complaint or report "
                                                    "is concluded, extension included"},
        "concluded_at": _TIME, "concluded_on_time": _NBOOL,
        "due_at": {**_TIME, "description": "The time limit running now; null when none runs"},
        "due_provisional": {"type": "boolean"},
        "overdue": {"type": "boolean", "description": "Running past its limit: the office's "
                                                      "delay"},
        "extension_days": {"type": "integer", "minimum": 0},
        "closed_at": _TIME,
        "verified": {"type": "boolean", "description": "The access code was given"},
        "track_url": _STR,
        "notes": {"type": "array", "items": {"type": "object",
                                             "required": ["datetime", "description", "kind"],
                                             "properties": {"datetime": _STR,
                                                            "description": _STR,
                                                            "kind": _STR}}},
        "private": {"type": "object", "description": "Only with the access code",
                    "required": ["subject", "body", "messages", "may_write"],
                    "properties": {
                        "subject": _STR, "body": _STR, "name": _NSTR,
                        "phone": {"type": "string", "description": "Masked: 139****5678"},
                        "anonymous": {"type": "boolean"},
                        "may_write": {"type": "boolean",
                                      "description": "Not over yet: messages are taken"},
                        "messages": {"type": "array", "items": {
                            "type": "object", "required": ["datetime", "from", "body"],
                            "properties": {"datetime": _STR,
                                           "from": {"enum": ["citizen", "office"]},
                                           "body": _STR}}}}},
    },
}
TOPICS = {
    "type": "object", "required": ["hall", "topics"],
    "properties": {"hall": _STR, "topics": {"type": "array", "items": {
        "type": "object", "required": ["code", "name", "kinds"],
        "properties": {"code": _STR, "name": _STR, "name_en": _STR, "division": _STR,
                       "kinds": {"type": "array", "items": {
                           "enum": ["consultation", "complaint", "report"]}}}}}},
}


def _problem(description: str) -> dict:
    return {"description": description, "content": {"application/problem+json": {
        "schema": {"$ref": "#/components/schemas/Problem"}}}}


def _enquiry(description: str) -> dict:
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Enquiry"}}}}


_BODY = {"400": _problem("Malformed JSON"), "413": _problem("Body too large"),
         "415": _problem("Body is not application/json")}
_NUMBER = {"name": "service_no", "in": "path", "required": True, "schema": SERVICE_NO}
_LIMIT = _problem("Too many requests from this address (TRACK_RATE_LIMIT, "
                  "ENQUIRY_RATE_LIMIT)")


def components() -> dict:
    return {"Enquiry": ENQUIRY, "EnquiryTopics": TOPICS,
            "EnquiryRequest": EnquiryRequest.model_json_schema(),
            "EnquiryMessageRequest": EnquiryMessageRequest.model_json_schema()}


def paths(hall_param: dict) -> dict:
    return {
        "/api/v1/halls/{hall}/enquiry-topics": {"get": {
            "operationId": "enquiryTopics",
            "summary": "What one may ask or complain about in a hall, and the kinds each takes",
            "parameters": [hall_param, {"name": "kind", "in": "query", "required": False,
                                        "schema": {"enum": ["consultation", "complaint",
                                                            "report"]}}],
            "responses": {"200": {"description": "The hall's topics", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/EnquiryTopics"}}}},
                "400": _problem("`invalid-kind`"),
                "404": _problem("Unknown hall"),
                "429": _problem("Too many reads from this address (PUBLIC_RATE_LIMIT)")},
        }},
        "/api/v1/halls/{hall}/enquiries": {"post": {
            "operationId": "sendEnquiry",
            "summary": "Ask a question, make a complaint or a report (在线咨询、投诉、举报)",
            "description": "It gets a service number (the hall's daily visit counter) and an "
                           "access code, goes to the division owning the topic, and runs "
                           "against the hall's time limit for its kind. Nothing is written "
                           "when a field is refused.",
            "parameters": [hall_param],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/EnquiryRequest"}}}},
            "responses": {
                "201": _enquiry("Sent: the enquiry with its `access_code` (given once)"),
                **_BODY,
                "404": _problem("Unknown hall"),
                "422": _problem("Missing or invalid fields (`errors`), or `invalid-field`, "
                                "`unknown-topic`, `topic-not-for-kind`, each with `field`"),
                "429": _problem("Too many from this address (ENQUIRY_RATE_LIMIT)"),
            }}},
        "/api/v1/enquiries/{service_no}": {"get": {
            "operationId": "getEnquiry",
            "summary": "Where a question, complaint or report stands",
            "description": "Public by the number: kind, topic, state, dates, whether its "
                           "limits were kept; never a name, a contact or a text. With the "
                           "access code (X-Access-Code header, or ?code=), also `private`: the "
                           "text and the messages. Wrong codes are limited as for tracking.",
            "parameters": [_NUMBER,
                           {"name": "X-Access-Code", "in": "header", "required": False,
                            "schema": {"type": "string", "maxLength": 32}},
                           {"name": "code", "in": "query", "required": False,
                            "schema": {"type": "string", "maxLength": 32}}],
            "responses": {"200": _enquiry("The enquiry"),
                          "400": _problem("Malformed or mistyped service number"),
                          "404": _problem("No enquiry with this number (and access code); "
                                          "the same answer for both"),
                          "429": _LIMIT}}},
        "/api/v1/enquiries/{service_no}/messages": {"post": {
            "operationId": "writeEnquiry",
            "summary": "The citizen writes to the office about their enquiry",
            "parameters": [_NUMBER, {"name": "X-Access-Code", "in": "header", "required": True,
                                     "schema": {"type": "string", "maxLength": 32}}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/EnquiryMessageRequest"}}}},
            "responses": {
                "201": _enquiry("Written: the enquiry with its messages"),
                **_BODY,
                "404": _problem("No enquiry with this number and access code"),
                "409": _problem("`enquiry-finished`: the matter is over"),
                "422": _problem("Missing or invalid fields (`errors`), or `invalid-field` "
                                "with `field`: reply"),
                "429": _LIMIT,
            }}},
    }
