"""The OpenAPI 3.1 document of the device API, served at /api/v1/openapi.json.

Request schemas come from the pydantic models that validate them; response schemas are
written here and checked against real responses by the tests.
"""
from __future__ import annotations

from flask import jsonify

from hall.numbers import ACCESS_CODE_LENGTH

from . import bp
from .schemas import TicketRequest

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
        "track_url": {"type": "string", "description": "Tracking page, encoded in the QR code."},
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
        "wait_minutes": {"type": ["integer", "null"], "minimum": 0},
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


def _problem_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _hall_param() -> dict:
    return {"name": "hall", "in": "path", "required": True,
            "schema": {"type": "string", "maxLength": 16, "pattern": r"^[A-Za-z0-9_-]+$"}}


def document() -> dict:
    request_schema = TicketRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    components = {"TicketRequest": request_schema, "Ticket": TICKET, "Queue": QUEUE,
                  "Problem": PROBLEM}
    components.update(request_schema.pop("$defs", {}))
    return {
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
                    "400": _problem_response("Malformed JSON or Idempotency-Key"),
                    "404": _problem_response("Unknown hall or service"),
                    "409": _problem_response("Service not offered now, or numbers exhausted"),
                    "413": _problem_response("Body too large"),
                    "415": _problem_response("Body is not application/json"),
                    "422": _problem_response("Missing or invalid fields"),
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
        "components": {"schemas": components},
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(document())
