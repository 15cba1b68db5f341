"""Public tracking of a visit and its cases: GET /api/v1/track/<service_no>.

The answer has the shape of an Open311 GeoReport v2 service request (a list with one
request), so that an outside portal that speaks Open311 can show it: ``service_request_id``
is the service number, ``agency_responsible`` the division, ``expected_datetime`` the
deadline. What Open311 has no field for (the queue number, each case's pause, extension and
decision) is added under names of our own. Personal data appears only with the access code,
sent as the ``X-Access-Code`` header (kept out of addresses and logs) or, as the ticket's QR
link does, ``?code=``; without it the applicant's name is masked, nothing else of them is
there, and the division's free text (the reasons for a decision or an extension) is left out:
only the hall's fixed words are public. An unknown number and a wrong code get the same 404,
word for word.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import jsonify, request
from flask_babel import get_locale

from hall import enquiry_progress, numbers, progress
from hall.driver import first_row
from hall.progress import CaseProgress, Progress
from hall.web.cache import views
from hall.web.templating import localized
from tracking.lookup import Lookup, find, limited, refusal_text
from tracking.words import say, step_text

from .. import kept
from ..conditional import revalidated, tag
from ..extensions import db
from ..problems import problem
from .common import bp

NOT_FOUND_INSTANCE = "/api/v1/track"  # not the number asked for: both refusals read the same
OPENED, CLOSED = ("ticket.issued",), ("case.closed", "case.withdrawn", "ticket.finished")
ENQUIRY_ENDS = ("enquiry.declined", "enquiry.concluded", "enquiry.closed")


@bp.get("/track/<service_no>")
@limited
def track(service_no: str):
    """Where the visit stands (Open311 service request), privately with its access code."""
    code = request.headers.get("X-Access-Code") or request.args.get("code", "")
    number = numbers.parse_service_number(service_no)  # a mistyped one: 400 problem
    stamp = None
    if not code.strip():
        stamp = progress.stamp_of(first_row(db.engine, progress.STAMP_QUERY, {"number": number}))
    if stamp is None:
        body = _answer(number, code)
    else:  # the public answer, kept while the visit has not moved (hall.web.cache)
        body = views().get(("api", number, str(get_locale())), stamp,
                           lambda: _answer(number, code))
    if isinstance(body, Lookup):  # not found: the refusal
        return problem(404, "track-not-found", refusal_text(body), instance=NOT_FOUND_INSTANCE)
    if stamp is not None:  # public: the same for every reader until the visit moves
        kept.mark(stamp, str(get_locale()))
        return revalidated(jsonify(body), tag("api", number, str(get_locale()), stamp))
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def _answer(number: str, code: str) -> list | Lookup:
    """The answer's body, or the lookup that found nothing."""
    found = find(number, code)
    if found.booking is not None:
        return [booking_request(found.booking, verified=found.verified)]
    if found.enquiry is not None:  # a question, complaint or report sent online (issue 15)
        return [enquiry_request(found.enquiry, verified=found.verified)]
    if not found.found:
        return found
    assert found.ticket is not None  # found
    return [service_request(progress.of_ticket(db.session, found.ticket,
                                               verified=found.verified))]


def service_request(seen: Progress) -> dict:
    ticket, tz = seen.ticket, seen.ticket.hall.timezone
    main = seen.cases[-1] if seen.cases else None
    return {
        "service_request_id": ticket.service_no,
        "status": "closed" if seen.finished else "open",
        "detailed_status": main.state if main else ticket.status,
        "status_notes": _headline(main, tz) if main else None,
        "service_name": localized(ticket.service),
        "service_code": ticket.service.code,
        "agency_responsible": localized(main.division) if main else localized(ticket.hall),
        "requested_datetime": iso(ticket.issued_at, tz),
        "updated_datetime": iso(seen.updated_at, tz),
        "expected_datetime": iso(main.due_at, tz) if main else None,
        "number": ticket.number,
        "hall": ticket.hall.code,
        "verified": seen.verified,
        "cases": [case_json(c, tz) for c in seen.cases],
        "notes": [{"datetime": iso(s.at, tz), "description": step_text(s, tz),
                   "type": _note_type(s.kind), "kind": s.kind} for s in seen.steps],
    }


def booking_request(booking, *, verified: bool) -> dict:
    """A booked visit before its ticket: the same shape, ``detailed_status`` the booking's
    (booked, cancelled, missed); the booking code only with the access code."""
    tz = booking.hall.timezone
    body = {
        "service_request_id": booking.service_no,
        "status": "open" if booking.status == "booked" else "closed",
        "detailed_status": booking.status,
        "status_notes": None,
        "service_name": localized(booking.service), "service_code": booking.service.code,
        "agency_responsible": localized(booking.hall),
        "requested_datetime": iso(booking.created_at, tz),
        "updated_datetime": iso(booking.changed_at, tz),
        "expected_datetime": iso(booking.start, tz),
        "number": None, "hall": booking.hall.code, "verified": verified,
        "appointment": {"start": iso(booking.start, tz), "end": iso(booking.end, tz)},
        "cases": [], "notes": [],
    }
    if verified:
        body["appointment"]["booking_code"] = booking.booking_code
    return body


def enquiry_request(enquiry, *, verified: bool) -> dict:
    """A question, complaint or report in the same shape: ``detailed_status`` its state,
    ``service_code`` its kind, ``service_name`` its topic; its text and thread only from
    GET /api/v1/enquiries/<service_no> with the access code."""
    seen = enquiry_progress.of_enquiry(db.session, enquiry, verified=False)
    tz = enquiry.hall.timezone
    return {
        "service_request_id": seen.service_no,
        "status": "closed" if seen.finished else "open",
        "detailed_status": seen.state, "status_notes": say(seen.stage),
        "service_name": localized(seen.topic) if seen.topic else say(seen.kind_name),
        "service_code": seen.kind,
        "agency_responsible": localized(enquiry.hall),
        "requested_datetime": iso(seen.submitted_at, tz),
        "updated_datetime": iso(seen.updated_at, tz),
        "expected_datetime": iso(seen.due_at, tz),
        "number": None, "hall": seen.hall_code, "verified": verified, "cases": [],
        "notes": [{"datetime": iso(s.at, tz), "description": step_text(s, tz),
                   "type": ("opened" if s.kind == "enquiry.submitted" else
                            "closed" if s.kind in ENQUIRY_ENDS else "activity"),
                   "kind": s.kind} for s in seen.steps],
    }


def _headline(case: CaseProgress, tz: str) -> str:
    return say(case.headline.words, case.headline.params, tz)


def case_json(case: CaseProgress, tz: str) -> dict:
    body = {
        "case_no": case.case_no,
        "detailed_status": case.state, "status_notes": _headline(case, tz),
        "overdue": case.overdue,
        "service_code": case.service.code, "service_name": localized(case.service),
        "agency_responsible": localized(case.division), "applicant": case.applicant,
        "accepted_datetime": iso(case.accepted_at, tz),
        "expected_datetime": iso(case.due_at, tz),
        "expected_datetime_provisional": case.due_provisional,
        "paused": case.pause is not None, "pause_reason": say(case.pause) if case.pause else None,
        "extension_days": case.extension_days, "extension_reason": case.extension_reason,
        "outcome": case.outcome_code, "decision_reason": case.decision_reason,
        "decided_datetime": iso(case.decided_at, tz), "closed_datetime": iso(case.closed_at, tz),
    }
    if case.private is not None:
        body["private"] = {
            "applicant_name": case.private.applicant_name, "applicant_phone": case.private.phone,
            "subject": case.private.subject,
            "missing_documents": case.private.missing_documents,
            "rateable": case.private.rateable,
        }
    return body


def iso(at: datetime | None, tz: str) -> str | None:
    """ISO 8601 in the hall's own zone (+08:00), as a citizen's clock reads it."""
    return at.astimezone(ZoneInfo(tz)).isoformat(timespec="seconds") if at else None


def _note_type(kind: str) -> str:
    return "opened" if kind in OPENED else "closed" if kind in CLOSED else "activity"


TRACKED = {
    "type": "array", "minItems": 1, "maxItems": 1,
    "description": "One Open311 GeoReport v2 service request, with fields of our own added.",
    "items": {
        "type": "object",
        "required": ["service_request_id", "status", "detailed_status", "service_name",
                     "service_code", "agency_responsible", "requested_datetime",
                     "updated_datetime", "expected_datetime", "notes", "cases"],
        "properties": {
            "service_request_id": {"type": "string", "description": "The service number."},
            "status": {"enum": ["open", "closed"]},
            "detailed_status": {"type": "string", "description": (
                "The case's state (accepted, in_progress, awaiting_documents, "
                "special_procedure, decided, ready, closed, withdrawn), or the ticket's when "
                "there is no case, or the booking's (booked, cancelled, missed) before a "
                "booked visit is checked in, or a question's, complaint's or report's sent "
                "online (open, answered, closed, submitted, accepted, declined, concluded; "
                "`service_code` is then its kind: consultation, complaint, report).")},
            "status_notes": {"type": ["string", "null"]},
            "service_name": {"type": "string"}, "service_code": {"type": "string"},
            "agency_responsible": {"type": "string", "description": "The division (or hall)."},
            "requested_datetime": {"type": "string", "format": "date-time"},
            "updated_datetime": {"type": "string", "format": "date-time"},
            "expected_datetime": {"type": ["string", "null"], "format": "date-time",
                                  "description": "The deadline; null while the clock is stopped."},
            "number": {"type": ["string", "null"],
                       "description": "The queue number; null for a booking not checked in."},
            "hall": {"type": "string"},
            "appointment": {"type": "object", "description": (
                "A booked visit before check-in: its slot, and the booking code with the "
                "access code."), "properties": {
                    "start": {"type": "string", "format": "date-time"},
                    "end": {"type": "string", "format": "date-time"},
                    "booking_code": {"type": "string"}}},
            "verified": {"type": "boolean", "description": "The access code was given."},
            "cases": {"type": "array", "items": {"type": "object", "properties": {
                "detailed_status": {"type": "string"}, "status_notes": {"type": "string"},
                "agency_responsible": {"type": "string"},
                "applicant": {"type": "string", "description": "Masked: 张*丰."},
                "expected_datetime": {"type": ["string", "null"], "format": "date-time"},
                "expected_datetime_provisional": {"type": "boolean"},
                "paused": {"type": "boolean"}, "pause_reason": {"type": ["string", "null"]},
                "extension_days": {"type": "integer"},
                "extension_reason": {"type": ["string", "null"],
                                     "description": "Only with the access code."},
                "outcome": {"enum": ["approved", "rejected", None]},
                "decision_reason": {"type": ["string", "null"],
                                    "description": "Only with the access code."},
                "private": {"type": "object", "description": "Only with the access code.",
                            "properties": {"applicant_name": {"type": "string"},
                                           "applicant_phone": {"type": "string"},
                                           "subject": {"type": "string"},
                                           "missing_documents": {"type": "array",
                                                                 "items": {"type": "string"}},
                                           "rateable": {"type": "boolean"}}},
            }}},
            "notes": {"type": "array", "items": {
                "type": "object", "required": ["datetime", "description", "type"],
                "properties": {"datetime": {"type": "string", "format": "date-time"},
                               "description": {"type": "string"},
                               "type": {"enum": ["opened", "activity", "closed"]},
                               "kind": {"type": "string"}}}},
        },
    },
}
