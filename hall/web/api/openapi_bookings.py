"""The OpenAPI description of appointments (SPEC §7): slots, bookings, check-in."""
from __future__ import annotations

from .schemas import BookingRequest, CheckInRequest, MoveBookingRequest

_STR = {"type": "string"}
_TIME = {"type": "string", "format": "date-time"}

BOOKING = {
    "type": "object",
    "required": ["booking_code", "service_no", "access_code", "start", "end", "status"],
    "properties": {
        "booking_code": {"type": "string", "pattern": r"^[2-9A-HJ-NP-Z]{8}$",
                         "description": "Typed or scanned at the kiosk to check in"},
        "service_no": {"type": "string", "description": "The visit's service number for good"},
        "access_code": {"type": "string",
                        "description": "Needed to read, cancel or follow the booking"},
        "hall": _STR, "service": {"type": "object"},
        "start": _TIME, "end": _TIME,
        "status": {"enum": ["booked", "checked_in", "cancelled", "missed"]},
        "cancel_until": _TIME, "track_url": _STR, "booking_url": _STR,
    },
}
SLOTS = {
    "type": "object",
    "properties": {
        "hall": _STR, "service": _STR,
        "slots": {"type": "array", "items": {"type": "object", "properties": {
            "start": _TIME, "end": _TIME, "free": {"type": "integer", "minimum": 0}}}},
    },
}


def _problem(description: str) -> dict:
    return {"description": description, "content": {"application/problem+json": {
        "schema": {"$ref": "#/components/schemas/Problem"}}}}


def _booking(description: str) -> dict:
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Booking"}}}}


def _code_param() -> dict:
    return {"name": "booking_code", "in": "path", "required": True,
            "schema": {"type": "string", "maxLength": 64}}


_ACCESS = {"name": "X-Access-Code", "in": "header", "required": True,
           "schema": {"type": "string", "maxLength": 32}}
_LIMIT = _problem("Too many requests from this address (BOOKING_RATE_LIMIT)")
_BODY = {"400": _problem("Malformed JSON"), "413": _problem("Body too large"),
         "415": _problem("Body is not application/json"),
         "422": _problem("Missing or invalid fields (`errors`, or `field` with "
                         "`invalid-field`, `no-such-slot`, an ID number's own code)")}


def components() -> dict:
    return {"Booking": BOOKING, "Slots": SLOTS,
            "BookingRequest": BookingRequest.model_json_schema(),
            "CheckInRequest": CheckInRequest.model_json_schema(),
            "MoveBookingRequest": MoveBookingRequest.model_json_schema()}


def paths(hall_param: dict) -> dict:
    return {
        "/api/v1/halls/{hall}/slots": {"get": {
            "operationId": "hallSlots",
            "summary": "Appointment slots of one item with the places still free",
            "description": "Open days of the hall only (weekends, holidays and closures left "
                           "out; make-up working days in); slots that have begun are left out.",
            "parameters": [
                hall_param,
                {"name": "service", "in": "query", "required": True, "schema": _STR},
                {"name": "from", "in": "query", "required": False,
                 "schema": {"type": "string", "format": "date"}},
                {"name": "days", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 60, "default": 10},
                 "description": "How many open days (at most the hall's booking horizon)"},
            ],
            "responses": {"200": {"description": "The slots", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Slots"}}}},
                "400": _problem("Bad `from` or `days`"),
                "404": _problem("Unknown hall or service"),
                "429": _problem("Too many reads from this address (PUBLIC_RATE_LIMIT)")},
        }},
        "/api/v1/bookings": {"post": {
            "operationId": "makeBooking", "summary": "Book a slot",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/BookingRequest"}}}},
            "responses": {
                "201": {"description": "Booked", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Booking"}}}},
                **_BODY,
                "404": _problem("Unknown hall or service"),
                "409": _problem("`slot-full`, `slot-past`, `already-booked` (one per person, "
                                "item and day), `booking-blocked` (with `blocked_until`), "
                                "`not-bookable`"),
                "429": _problem("`too-many-bookings` for this mobile number today, or too "
                                "many requests from this address (BOOKING_RATE_LIMIT)"),
            }}},
        "/api/v1/bookings/{booking_code}": {
            "get": {"operationId": "getBooking", "summary": "The booking",
                    "parameters": [_code_param(), _ACCESS],
                    "responses": {"200": {"description": "The booking", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Booking"}}}},
                        "404": _problem("Unknown booking code or wrong access code (the same "
                                        "answer)"),
                        "429": _LIMIT}},
            "patch": {"operationId": "moveBooking", "summary": "Move the booking to another slot",
                      "parameters": [_code_param(), _ACCESS],
                      "requestBody": {"required": True, "content": {"application/json": {
                          "schema": {"$ref": "#/components/schemas/MoveBookingRequest"}}}},
                      "responses": {"200": _booking("The booking, moved"),
                          **_BODY,
                          "404": _problem("Unknown code or wrong access code"),
                          "409": _problem("`slot-full`, `past-cut-off`, `already-booked` "
                                          "(another day), `cancelled`"),
                          "429": _LIMIT}},
            "delete": {"operationId": "cancelBooking", "summary": "Cancel the booking",
                       "parameters": [_code_param(), _ACCESS],
                       "responses": {"204": {"description": "Cancelled; the place is free"},
                                     "404": _problem("Unknown code or wrong access code"),
                                     "409": _problem("`past-cut-off`, `cancelled`, or no "
                                                     "longer booked"),
                                     "429": _LIMIT}},
        },
        "/api/v1/check-ins": {"post": {
            "operationId": "checkIn",
            "summary": "Check an appointment in at the kiosk: its ticket (Y001…)",
            "security": [{"device": []}, {}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/CheckInRequest"}}}},
            "responses": {
                "201": {"description": "The ticket, as POST /api/v1/tickets answers",
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Ticket"}}}},
                **_BODY,
                "401": _problem("`device-required`"),
                "403": _problem("`device-locked`, `device-not-allowed`"),
                "404": _problem("Unknown booking code"),
                "409": _problem("`too-early` (with `check_in_from`), `too-late`, "
                                "`already-checked-in`, `cancelled`, `other-hall`, "
                                "`hall-closed`"),
                "429": _problem("Too many requests from this address or device"),
            }}},
    }
