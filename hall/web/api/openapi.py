"""The OpenAPI 3.1 document of the device API, served at /api/v1/openapi.json.

Request schemas come from the pydantic models that validate them; response schemas are
written here and checked against real responses by the tests.
"""
from __future__ import annotations

from flask import jsonify

from hall.numbers import ACCESS_CODE_LENGTH

from ..moves import MOVES, MoveRequest
from . import (
    openapi_applications,
    openapi_bookings,
    openapi_enquiries,
    openapi_qa,
    openapi_remote,
    openapi_results,
)
from .auth import TokenRequest
from .common import bp
from .guide import GUIDE
from .schemas import TicketRequest
from .track import TRACKED

SERVICE_NO = {"type": "string", "pattern": r"^\d{14}[\dX]$",
              "description": "15 characters: YYMMDD + hall node + visit of the day + "
                             "ISO 7064 MOD 11-2 check character."}

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details; `code` is stable and machine-readable.",
    "required": ["type", "code", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "code": {"type": "string", "examples": ["unknown-service", "window-not-open"]},
        "title": {"type": "string", "description": "Human-readable, in the request's language."},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {"type": "object", "required": ["field", "message"],
                      "properties": {"field": {"type": "string"},
                                     "message": {"type": "string"}}},
        },
        "next_opening": {"type": ["string", "null"], "format": "date-time",
                         "description": "hall-closed: when tickets are taken again "
                                        "(ISO 8601 with the hall's zone); null if never set."},
    },
}

TICKET = {
    "type": "object",
    "required": ["number", "service_no", "access_code", "track_url", "pdf_url", "hall",
                 "service", "status", "issued_at", "ahead"],
    "properties": {
        "number": {"type": "string", "pattern": r"^[A-Z]\d{3,4}$", "examples": ["A012"]},
        "service_no": SERVICE_NO,
        "service_no_display": {"type": "string", "examples": ["261122-001-00042-4"]},
        "access_code": {"type": "string", "minLength": ACCESS_CODE_LENGTH,
                        "description": "Opens the private tracking view; printed on the ticket."},
        "track_url": {"type": "string",
                      "description": "Tracking page: progress, cases, rating (with the code)."},
        "ticket_url": {"type": "string",
                       "description": "The live ticket on the phone (/t/<service_no>, with the "
                                      "code), encoded in the QR code; it follows the ticket "
                                      "over the /ticket Socket.IO namespace."},
        "pdf_url": {"type": "string", "description": "The printable 80 mm ticket (PDF)."},
        "hall": {"type": "string"},
        "service": {"type": "object", "required": ["code", "name", "prefix"],
                    "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                                   "name_en": {"type": "string"},
                                   "prefix": {"type": "string"}}},
        "priority": {"type": ["string", "null"]},
        "status": {"type": "string"},
        "issued_at": {"type": "string", "format": "date-time"},
        "ahead": {"type": "integer", "minimum": 0,
                  "description": "People of the same queue to be called first."},
        "wait_minutes": {"type": ["integer", "null"], "minimum": 0,
                         "description": "null while no open window serves the service."},
        "no_window_open": {"type": "boolean",
                           "description": "Waiting, and no open window serves the service "
                                          "yet: no wait is estimated."},
    },
}

QUEUE = {
    "type": "object",
    "required": ["hall", "services", "windows"],
    "properties": {
        "hall": {"type": "string"},
        "name": {"type": "string"},
        "name_en": {"type": "string"},
        "day": {"type": "string", "format": "date"},
        "waiting": {"type": "integer", "minimum": 0},
        "services": {"type": "array", "items": {
            "type": "object", "required": ["code", "name", "prefix", "waiting"],
            "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                           "name_en": {"type": "string"}, "prefix": {"type": "string"},
                           "waiting": {"type": "integer", "minimum": 0},
                           "windows": {"type": "array", "items": {"type": "integer"}}}}},
        "windows": {"type": "array", "items": {
            "type": "object", "required": ["no", "state", "serving"],
            "properties": {"no": {"type": "integer"},
                           "state": {"enum": ["open", "paused", "closed"]},
                           "serving": {"type": ["string", "null"]}}}},
    },
}


TICKET_CARD = {
    "type": "object",
    "required": ["number", "service_no", "status", "service", "call_count"],
    "properties": {
        "number": {"type": "string"}, "service_no": SERVICE_NO, "status": {"type": "string"},
        "service": {"type": "string"}, "service_name": {"type": "string"},
        "service_name_en": {"type": "string"}, "priority": {"type": ["string", "null"]},
        "issued_at": {"type": ["string", "null"]}, "called_at": {"type": ["string", "null"]},
        "serving_at": {"type": ["string", "null"]}, "finished_at": {"type": ["string", "null"]},
        "call_count": {"type": "integer"},
    },
}
_CARDS = {"type": "array", "items": {"$ref": "#/components/schemas/TicketCard"}}
WINDOW_VIEW = {
    "type": "object",
    "required": ["hall", "no", "state", "clerk", "current", "held", "services"],
    "properties": {
        "hall": {"type": "string"}, "no": {"type": "integer"},
        "name": {"type": ["string", "null"]}, "name_en": {"type": ["string", "null"]},
        "state": {"enum": ["open", "paused", "closed"]},
        "pause_reason": {"type": ["string", "null"]},
        "clerk": {"type": ["object", "null"], "properties": {
            "username": {"type": "string"}, "name": {"type": "string"}}},
        "current": {"oneOf": [{"$ref": "#/components/schemas/TicketCard"}, {"type": "null"}]},
        "held": _CARDS, "sent_here": _CARDS, "served_today": _CARDS,
        "services": {"type": "array", "items": {"type": "object", "properties": {
            "code": {"type": "string"}, "name": {"type": "string"},
            "name_en": {"type": "string"}, "prefix": {"type": "string"},
            "waiting": {"type": "integer"}}}},
        "waiting_here": {"type": "integer"},
    },
}
CALLED = {"allOf": [{"$ref": "#/components/schemas/TicketCard"}, {
    "type": "object", "required": ["window"],
    "properties": {"window": {"$ref": "#/components/schemas/WindowView"}}}]}
TOKEN = {
    "type": "object", "required": ["username", "hall", "roles", "expires_at"],
    "properties": {"token": {"type": "string"}, "token_type": {"const": "Bearer"},
                   "username": {"type": "string"}, "name": {"type": "string"},
                   "hall": {"type": "string"},
                   "roles": {"type": "array", "items": {"type": "string"}},
                   "expires_at": {"type": "string", "format": "date-time"}},
}
_STAFF: list[dict[str, list[str]]] = [{"bearer": []}]


def _json(ref: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _move_path(move) -> dict:
    responses = {
        "200": (_json("WindowView", "The window after the move") if not move.moves_ticket else
                {"description": "The ticket moved, with the window after the move",
                 "content": {"application/json": {
                     "schema": {"$ref": "#/components/schemas/Called"}}}}),
        "401": _problem_response("No valid staff token"),
        "403": _problem_response("Not a clerk, or not this clerk's window"),
        "404": _problem_response("Unknown hall, window or number"),
        "409": _problem_response("Not possible now (window not open, busy, wrong ticket state…)"),
        **_body_problems(),
    }
    if move.name == "call":
        responses["204"] = {"description": "Nobody waits for this window"}
    return {"post": {
        "operationId": "window" + move.name.title().replace("-", ""),
        "summary": move.summary,
        "security": _STAFF,
        "parameters": [_hall_param(), _window_param()],
        "requestBody": {"required": False, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/MoveRequest"}}}},
        "responses": responses,
    }}


def _body_problems() -> dict:
    """What any operation that reads a JSON body may answer about the body itself."""
    return {"400": _problem_response("Malformed JSON"),
            "413": _problem_response("Body larger than MAX_CONTENT_LENGTH (64 KiB by default)"),
            "415": _problem_response("Body is not application/json"),
            "422": _problem_response("Missing or invalid fields (each named in `errors`)")}


def _problem_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"}}}}


def _window_param() -> dict:
    return {"name": "no", "in": "path", "required": True, "example": 3,
            "schema": {"type": "integer", "minimum": 0, "maximum": 999},
            "description": "Window number; above 999 no window exists (404)."}


def _hall_param() -> dict:
    return {"name": "hall", "in": "path", "required": True, "example": "HQ",
            "schema": {"type": "string", "maxLength": 16, "pattern": r"^[A-Za-z0-9_-]+$"}}


def document() -> dict:
    request_schema = TicketRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    components = {"TicketRequest": request_schema, "Ticket": TICKET, "Queue": QUEUE,
                  "Problem": PROBLEM, "TicketCard": TICKET_CARD, "WindowView": WINDOW_VIEW,
                  "Called": CALLED, "Token": TOKEN, "Tracked": TRACKED, "Guide": GUIDE,
                  "TokenRequest": TokenRequest.model_json_schema(),
                  "MoveRequest": MoveRequest.model_json_schema()}
    components.update(request_schema.pop("$defs", {}))
    components.update(openapi_bookings.components())
    components.update(openapi_remote.components())
    components.update(openapi_enquiries.components())
    components.update(openapi_results.components())  # issue 15
    components.update(openapi_qa.components())  # issue 15: the public Q&A
    components.update(openapi_applications.components())  # issue 15: applying online
    moves = {f"/api/v1/halls/{{hall}}/windows/{{no}}/{name}": _move_path(move)
             for name, move in MOVES.items()}
    return _device_contract({
        "openapi": "3.1.0",
        "info": {
            "title": "Service Hall device API",
            "version": "1.0.0",
            "description": "Kiosks, wall displays and outside clients of the service hall. "
                           "Errors are application/problem+json with a stable `code`.",
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/tickets": {"post": {
                "operationId": "takeTicket",
                "summary": "Take a number",
                "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                                "description": "Repeat a request safely: the same key returns "
                                               "the same ticket.",
                                "schema": {"type": "string", "pattern": r"^[\x21-\x7e]{1,64}$"}}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/TicketRequest"}}}},
                "responses": {
                    "201": {"description": "Ticket issued (or replayed for a repeated key)",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/Ticket"}}}},
                    **_body_problems(),
                    "400": _problem_response("Malformed JSON or Idempotency-Key"),
                    "404": _problem_response("Unknown hall or service"),
                    "409": _problem_response("hall-closed outside opening hours (with "
                                             "next_opening), service not offered now, or "
                                             "numbers exhausted; nothing is written"),
                },
            }},
            "/api/v1/tickets/{service_no}/ticket.pdf": {"get": {
                "operationId": "ticketPdf",
                "summary": "The printable 80 mm ticket",
                "parameters": [
                    {"name": "service_no", "in": "path", "required": True, "schema": SERVICE_NO},
                    {"name": "code", "in": "query", "required": True,
                     "schema": {"type": "string", "maxLength": 32}},
                ],
                "responses": {
                    "200": {"description": "PDF", "content": {"application/pdf": {
                        "schema": {"type": "string", "format": "binary"}}}},
                    "400": _problem_response("Malformed or mistyped service number"),
                    "404": _problem_response("No ticket with this number and access code"),
                },
            }},
            "/api/v1/track/{service_no}": {"get": {
                "operationId": "trackServiceRequest",
                "summary": "Where a visit and its case stand (Open311 GeoReport v2 shape)",
                "description": "Public. Without the access code the applicant appears only "
                               "masked and no other personal field is returned; with it, "
                               "each case carries `private`. Send the code as the "
                               "X-Access-Code header (preferred: it stays out of logs) or as "
                               "?code=. Rate-limited per address; repeated wrong codes lock "
                               "the number for a while, answered like a wrong code.",
                "parameters": [
                    {"name": "service_no", "in": "path", "required": True, "schema": SERVICE_NO},
                    {"name": "X-Access-Code", "in": "header", "required": False,
                     "schema": {"type": "string", "maxLength": 32}},
                    {"name": "code", "in": "query", "required": False,
                     "schema": {"type": "string", "maxLength": 32}},
                ],
                "responses": {
                    "200": _json("Tracked", "The service request (a list of one)"),
                    "400": _problem_response("Malformed or mistyped service number"),
                    "404": _problem_response("No visit with this number (and access code); "
                                             "the same answer for both"),
                    "429": _problem_response("Too many lookups from this address"),
                },
            }},
            "/api/v1/auth/token": {
                "post": {
                    "operationId": "createToken", "summary": "A staff token for a device",
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/TokenRequest"}}}},
                    "responses": {"200": _json("Token", "The token, once; keep it secret"),
                                  **_body_problems(),
                                  "401": _problem_response("Wrong username or password"),
                                  "429": _problem_response("Too many failed attempts")},
                },
                "get": {"operationId": "tokenInfo", "summary": "Who the token belongs to",
                        "security": _STAFF,
                        "responses": {"200": _json("Token", "The token's owner and expiry"),
                                      "401": _problem_response("No valid staff token")}},
                "delete": {"operationId": "revokeToken", "summary": "End the token now",
                           "security": _STAFF,
                           "responses": {"204": {"description": "Revoked"},
                                         "401": _problem_response("No valid staff token")}},
            },
            "/api/v1/halls/{hall}/windows/{no}": {"get": {
                "operationId": "windowState", "summary": "A window as its console shows it",
                "security": _STAFF, "parameters": [_hall_param(), _window_param()],
                "responses": {"200": _json("WindowView", "The window"),
                              "401": _problem_response("No valid staff token"),
                              "403": _problem_response("Another hall"),
                              "404": _problem_response("Unknown hall or window")},
            }},
            **moves,
            **_supervision_paths(),
            **openapi_bookings.paths(_hall_param()),
            **openapi_remote.paths(),
            **openapi_enquiries.paths(_hall_param()),
            **openapi_results.paths(_hall_param()),
            **openapi_qa.paths(_hall_param()),
            **openapi_applications.paths(_hall_param()),
            "/api/v1/halls/{hall}/guide": {"get": {
                "operationId": "hallGuide",
                "summary": "The hall's service guide: every item offered, its documents, "
                           "procedure, time limits, fees and windows (Chinese and English)",
                "parameters": [_hall_param()],
                "responses": {"200": _json("Guide", "The published guide"),
                              "404": _problem_response("Unknown hall")},
            }},
            "/api/v1/halls/{hall}/queue": {"get": {
                "operationId": "hallQueue",
                "summary": "Waiting counts per service and the state of every window",
                "parameters": [_hall_param()],
                "responses": {
                    "200": {"description": "The hall's queue now", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Queue"}}}},
                    "404": _problem_response("Unknown hall"),
                },
            }},
        },
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "POST /api/v1/auth/token"}},
        },
    })


PUBLIC_READS = ("/api/v1/halls/{hall}/queue", "/api/v1/halls/{hall}/guide",
                "/api/v1/tickets/{service_no}/ticket.pdf")


def _device_contract(doc: dict) -> dict:
    """SPEC §7: who may take a number. A kiosk device sends ``Authorization: Device <token>``
    (a client on a trusted network sends nothing); anyone else gets 401 device-required. The
    Idempotency-Key is scoped per device (or address) and day; public reads are limited per
    address."""
    doc["components"]["securitySchemes"]["device"] = {
        "type": "apiKey", "in": "header", "name": "Authorization",
        "description": "`Authorization: Device <token>`: the token shown once when the device "
                       "was registered (`flask device add`, /admin/devices). Not needed from "
                       "TRUSTED_DEVICE_NETWORKS."}
    take = doc["paths"]["/api/v1/tickets"]["post"]
    take["security"] = [{"device": []}, {}]
    take["description"] = ("For kiosk devices of the hall: a registered kiosk with its token, "
                           "or a client on a trusted network. Limited per address "
                           "(ISSUE_ADDRESS_LIMIT) and per device (DEVICE_ISSUE_LIMIT).")
    take["parameters"][0]["description"] = (
        "Repeat a request safely: the same key from the same device (or address) on the same "
        "day returns the same ticket; the same key with another body is a 422 "
        "`idempotency-key-reused`. Use a new random key (a UUID) for every ticket.")
    take["responses"].update({
        "401": _problem_response("`device-required`: not a device of the hall (no valid "
                                 "token, not on a trusted network)"),
        "403": _problem_response("`device-locked`, `device-not-allowed` (another hall or "
                                 "kind), `device-outside-hours`"),
        "422": _problem_response("Missing or invalid fields (each named in `errors`), or "
                                 "`idempotency-key-reused`"),
        "429": _problem_response("Too many requests from this address, or `device-too-fast` "
                                 "(see Retry-After)"),
    })
    for path in PUBLIC_READS:
        doc["paths"][path]["get"]["responses"]["429"] = _problem_response(
            "Too many reads from this address (PUBLIC_RATE_LIMIT)")
    return doc


# -- a manager's moves on a window (issue 11) ----------------------------------------------------

def _supervision_paths() -> dict:
    from .windows import SupervisionRequest

    def path(operation: str, summary: str) -> dict:
        return {"post": {
            "operationId": operation, "summary": summary, "security": _STAFF,
            "parameters": [_hall_param(), _window_param()],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": SupervisionRequest.model_json_schema()}}},
            "responses": {"200": _json("WindowView", "The window after the move"),
                          **_body_problems(),
                          "401": _problem_response("No valid staff token"),
                          "403": _problem_response("Not a manager or administrator of this "
                                                   "hall"),
                          "404": _problem_response("Unknown hall, window or clerk"),
                          "409": _problem_response("The window is closed, or the clerk may "
                                                   "not work it or works another")}}}

    return {
        "/api/v1/halls/{hall}/windows/{no}/force-close": path(
            "windowForceClose", "Close a window for its clerk (managers, administrators); "
            "whoever is at it or held there goes back to waiting, place kept"),
        "/api/v1/halls/{hall}/windows/{no}/reassign": path(
            "windowReassign", "Hand an open window, with whoever is at it, to another clerk "
            "who may work it (`clerk`)"),
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(document())
