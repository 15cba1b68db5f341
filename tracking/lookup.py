"""Finding a visit for the public: the number, the optional access code, and the guard
against guessing codes. Shared by the tracking pages and ``GET /api/v1/track``.

A wrong code and an unknown number give the same answer. Every code goes through the one
guard of ``hall.web.access_codes`` (per-address limit, wrong codes per address and number,
a growing wait per number), which the ticket PDF uses too.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from hall import applications, board, enquiries, numbers
from hall.models import Application, Booking, Enquiry, Ticket
from hall.web import access_codes
from hall.web.access_codes import SCOPE, limited, rate_limit  # noqa: F401  (the routes' names)
from hall.web.extensions import db


@dataclass(frozen=True)
class Lookup:
    ticket: Ticket | None
    verified: bool = False
    locked: bool = False
    code_given: bool = False
    wait_seconds: int = 0
    # A booked visit not checked in yet: its service number is the visit's already, but
    # there is no ticket until the visitor comes (``found`` stays False: no ticket).
    booking: Booking | None = None
    # A question, complaint or report sent online: a number of the same counter, no ticket.
    enquiry: Enquiry | None = None
    # An application sent online, before it is accepted (then its case has a visit record
    # under the same number, found as ``ticket``).
    application: Application | None = None

    @property
    def found(self) -> bool:
        return self.ticket is not None


def find(raw: str, code: str | None = None) -> Lookup:
    """The visit with this number, opened privately if ``code`` is its access code.

    Raises InvalidServiceNumber (a 400) for a number of the wrong shape or check character:
    that is a typing mistake, said plainly, and no lookup is made."""
    number = numbers.parse_service_number(raw)
    code = (code or "").strip().upper()
    if not code:
        ticket = board.find_by_service_no(db.session, number)
        booking = None if ticket else _booked(number)
        asked = None if ticket or booking else enquiries.by_service_no(db.session, number)
        applied = (None if ticket or booking or asked else
                   applications.by_service_no(db.session, number))
        return Lookup(ticket, booking=booking, enquiry=asked, application=applied)
    refusal = access_codes.refused(number)
    if refusal is not None:
        return Lookup(None, locked=bool(refusal.minutes), code_given=True,
                      wait_seconds=refusal.seconds)
    ticket = board.find_by_service_no(db.session, number)
    booking = None if ticket else _booked(number)
    asked = None if ticket or booking else enquiries.by_service_no(db.session, number)
    applied = (None if ticket or booking or asked else
               applications.by_service_no(db.session, number))
    expected = ticket or booking or asked or applied
    if not access_codes.verify(number, code, expected.access_code if expected else None):
        return Lookup(None, code_given=True)
    return Lookup(ticket, verified=True, code_given=True, booking=booking, enquiry=asked,
                  application=applied)


def _booked(number: str) -> Booking | None:
    """The booking of this service number while it has no ticket (booked, cancelled or
    missed; a checked-in one is found by its ticket)."""
    return db.session.scalar(select(Booking).where(Booking.service_no == number)
                             .options(joinedload(Booking.hall), joinedload(Booking.service)))


def refusal_text(found: Lookup) -> str:
    """What a lookup that found nothing says. The same words for an unknown number and a
    wrong code; a locked or waiting number says the same, then asks to wait."""
    if not found.code_given:
        return gettext("No visit has this service number. Please check it against your ticket.")
    text = gettext("No visit matches this service number and access code. "
                   "Please check both against your ticket.")
    if found.locked:
        text += " " + gettext("Too many codes were tried for this number: please try again in "
                              "%(minutes)s minutes.",
                              minutes=current_app.config["TRACK_LOCK_MINUTES"])
    elif found.wait_seconds:
        text += " " + gettext("Too many codes were tried for this number: please try again in "
                              "%(seconds)s seconds.", seconds=found.wait_seconds)
    return text
