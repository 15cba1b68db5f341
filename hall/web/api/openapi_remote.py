"""The OpenAPI description of queueing from home (远程取号): joining, and arriving."""
from __future__ import annotations

from .schemas import ArrivalRequest, RemoteTicketRequest


def _problem(description: str) -> dict:
    return {"description": description, "content": {"application/problem+json": {
        "schema": {"$ref": "#/components/schemas/Problem"}}}}


_BODY = {"400": _problem("Malformed JSON"), "413": _problem("Body too large"),
         "415": _problem("Body is not application/json"),
         "422": _problem("Missing or invalid fields (`errors`, or `invalid-field` with "
                         "`field`: phone)")}

ARRIVAL = {
    "type": "object", "required": ["number", "service_no", "away"],
    "properties": {"number": {"type": "string"}, "service_no": {"type": "string"},
                   "away": {"type": "boolean", "const": False},
                   "already": {"type": "boolean",
                               "description": "It had arrived before; nothing was written"}},
}


def components() -> dict:
    return {"Arrival": ARRIVAL,
            "RemoteTicketRequest": RemoteTicketRequest.model_json_schema(),
            "ArrivalRequest": ArrivalRequest.model_json_schema()}


def paths() -> dict:
    return {
        "/api/v1/remote-tickets": {"post": {
            "operationId": "joinRemotely",
            "summary": "Join today's queue of an item from home (远程取号)",
            "description": "The ticket waits `away` (not yet arrived): call-next passes it by, "
                           "keeping its place, until its holder arrives (`POST "
                           "/api/v1/arrivals`, the door's QR code of the day). Up to the "
                           "hall's share of the item's capacity of the day; one per mobile "
                           "number, item and day; during the hours tickets are taken.",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/RemoteTicketRequest"}}}},
            "responses": {
                "201": {"description": "The ticket, as POST /api/v1/tickets answers, with "
                                       "`away`: true",
                        "content": {"application/json": {"schema": {"allOf": [
                            {"$ref": "#/components/schemas/Ticket"},
                            {"type": "object", "properties": {
                                "away": {"type": "boolean", "const": True}}}]}}}},
                **_BODY,
                "404": _problem("Unknown hall or service"),
                "409": _problem("`remote-full`, `already-queued`, `hall-closed` (with "
                                "`next_opening`), `service-not-offered`"),
                "429": _problem("Too many requests from this address (REMOTE_RATE_LIMIT)"),
            }}},
        "/api/v1/arrivals": {"post": {
            "operationId": "arrive",
            "summary": "A ticket taken from home arrives at the hall",
            "description": "With the code of the hall's door QR code of today (or from a "
                           "kiosk device of the hall, without it): from now on the ticket is "
                           "called in its place in line. Arriving again answers the same.",
            "security": [{}, {"device": []}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ArrivalRequest"}}}},
            "responses": {
                "200": {"description": "Arrived", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Arrival"}}}},
                **_BODY,
                "401": _problem("`device-required`: no `door_code`, and not a kiosk device"),
                "403": _problem("`device-locked`, `device-not-allowed`"),
                "404": _problem("Unknown hall, unknown service number or wrong access code "
                                "(the same answer)"),
                "409": _problem("`door-code-wrong` (not today's code of this hall: nothing "
                                "written), `not-remote`, `not-waiting`, `other-day`, "
                                "`other-hall`"),
                "429": _problem("Too many requests from this address (TRACK_RATE_LIMIT)"),
            }}},
    }
