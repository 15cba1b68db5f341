"""The OpenAPI description of applying online (网上申报, issue 15)."""
from __future__ import annotations

_STR = {"type": "string"}
_TIME = {"type": ["string", "null"], "format": "date-time"}

APPLICATION = {
    "type": "object",
    "required": ["service_no", "hall", "item", "state", "submitted_at", "verified",
                 "track_url"],
    "properties": {
        "service_no": _STR, "hall": _STR, "item": _STR, "item_name": _STR,
        "item_name_en": _STR,
        "state": {"enum": ["submitted", "awaiting_documents", "accepted", "refused",
                           "withdrawn"]},
        "submitted_at": _TIME,
        "prereview_due_at": {**_TIME, "description": "The five working days of pre-review "
                                                     "end then; null while documents are "
                                                     "awaited or once decided"},
        "case_no": {"type": ["string", "null"], "description": "Once accepted"},
        "deemed_accepted": {"type": "boolean", "description": "Accepted after the five days: "
                                                              "its case counts from the day "
                                                              "it arrived"},
        "verified": {"type": "boolean"}, "track_url": _STR,
        "access_code": {"type": "string", "description": "Only in the answer to applying"},
        "private": {"type": "object", "description": "Only with the access code",
                    "properties": {
                        "name": _STR, "phone": _STR, "values": {"type": "object"},
                        "documents": {"type": "array", "items": {"type": "object"}},
                        "documents_asked": {"type": "array", "items": _STR},
                        "still_missing": {"type": "array", "items": _STR},
                        "asked_note": {"type": ["string", "null"]},
                        "refuse_reason": {"type": ["string", "null"]}}},
    },
}
APPLICATION_FORM = {
    "type": "object", "required": ["item", "name", "phone", "declared"],
    "properties": {
        "item": {"type": "string", "description": "An item the hall takes online"},
        "name": _STR, "phone": {"type": "string", "description": "Mainland mobile number"},
        "id_no": {"type": "string", "description": "Optional resident ID number"},
        "declared": {"type": "string", "enum": ["1", "true"],
                     "description": "The declaration that all is true and complete"},
    },
    "patternProperties": {
        "^field_[a-z_]+$": {"type": "string", "description": "The item's own form fields"},
        "^document_[0-9]+$": {"type": "string", "format": "binary",
                              "description": "One PDF, JPEG or PNG per required document, "
                                             "its type checked from its content"}},
}
DOCUMENT_FORM = {"type": "object", "required": ["file"],
                 "properties": {"file": {"type": "string", "format": "binary"}}}


def _problem(description: str) -> dict:
    return {"description": description, "content": {"application/problem+json": {
        "schema": {"$ref": "#/components/schemas/Problem"}}}}


def _json(description: str) -> dict:
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Application"}}}}


_CODE = {"name": "X-Access-Code", "in": "header", "required": False,
         "schema": {"type": "string", "maxLength": 16},
         "description": "The access code (or ?code=): opens the private part"}
_NUMBER = {"name": "service_no", "in": "path", "required": True,
           "schema": {"type": "string", "maxLength": 32}}
_FILE_REFUSED = ("A file refused: `file-type-refused`, `file-type-mismatch` (415), "
                 "`file-too-large`, `files-too-large-together` (413), `file-unsafe` (422), "
                 "`too-many-files` (409), `upload-daily-limit` (429)")


def components() -> dict:
    return {"Application": APPLICATION, "ApplicationForm": APPLICATION_FORM,
            "DocumentForm": DOCUMENT_FORM}


def paths(hall_param: dict) -> dict:
    return {
        "/api/v1/halls/{hall}/applications": {"post": {
            "operationId": "sendApplication",
            "summary": "Apply online (网上申报): the item's form, a file per required "
                       "document, the declaration",
            "description": "Checked whole before anything is written; a refusal names the "
                           "field and writes nothing. ENQUIRY_RATE_LIMIT and "
                           "UPLOAD_RATE_LIMIT per address.",
            "parameters": [hall_param],
            "requestBody": {"required": True, "content": {"multipart/form-data": {
                "schema": {"$ref": "#/components/schemas/ApplicationForm"}}}},
            "responses": {"201": _json("Applied: the service number and access code (once)"),
                          "400": _problem("A character no input may hold (`nul-character`)"),
                          "404": _problem("Unknown hall or item, or `not-applied-online`"),
                          "413": _problem(_FILE_REFUSED), "415": _problem(_FILE_REFUSED),
                          "422": _problem("A field wrong (`invalid-field`, with `field`)"),
                          "429": _problem("Too many applications or uploads from this "
                                          "address, or the day's limit")},
        }},
        "/api/v1/applications/{service_no}": {"get": {
            "operationId": "getApplication",
            "summary": "An application by its service number: its state; with the access "
                       "code, the documents and those asked for",
            "parameters": [_NUMBER, _CODE],
            "responses": {"200": _json("The application"),
                          "400": _problem("A mistyped service number"),
                          "404": _problem("Unknown number or wrong code (the same answer)"),
                          "429": _problem("Too many codes tried")},
        }},
        "/api/v1/applications/{service_no}/documents/{index}": {"post": {
            "operationId": "uploadApplicationDocument",
            "summary": "Upload a document asked for (补正), with the access code",
            "parameters": [_NUMBER, {**_CODE, "required": True},
                           {"name": "index", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 0},
                            "description": "Its place in `private.documents_asked`"}],
            "requestBody": {"required": True, "content": {"multipart/form-data": {
                "schema": {"$ref": "#/components/schemas/DocumentForm"}}}},
            "responses": {"201": _json("Uploaded; once all are in, pre-review again"),
                          "400": _problem("A mistyped service number, or a character no "
                                          "input may hold (`nul-character`)"),
                          "404": _problem("Unknown number or wrong code"),
                          "409": _problem("Not waiting for documents "
                                          "(`illegal-application-move`)"),
                          "413": _problem(_FILE_REFUSED), "415": _problem(_FILE_REFUSED),
                          "422": _problem("`invalid-field` (no such document)")},
        }},
    }
