"""Request bodies of the device API, validated with pydantic; their JSON Schemas feed the
OpenAPI document, so what is checked and what is published cannot drift apart."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hall.models import PriorityReason

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16,
                                        pattern=r"^[A-Za-z0-9_-]+$")]


class TicketRequest(BaseModel):
    """What a kiosk sends to take a number."""

    model_config = ConfigDict(json_schema_extra={"example": {"hall": "HQ", "service": "EXAM"}})

    hall: Code = Field(description="Hall code, e.g. HQ")
    service: Code = Field(description="Service item code from the hall's queue or catalogue")
    priority: PriorityReason | None = Field(
        default=None,
        description="Why the visitor is served first (law or hall rules); omit for ordinary "
                    "visitors. The clerk checks the proof at the window.")


class BookingRequest(BaseModel):
    """A citizen books a slot (SPEC §7)."""

    model_config = ConfigDict(json_schema_extra={"example": {
        "hall": "HQ", "service": "EXAM", "start": "2026-12-08T09:00:00+08:00",
        "name": "欧阳芒", "phone": "13800138000"}})

    hall: Code = Field(description="Hall code, e.g. HQ")
    service: Code = Field(description="Service item code")
    start: datetime = Field(description="A slot's start, as the slots call gives it (with zone)")
    name: str = Field(max_length=200, description="The visitor's name (at most 40 characters)")
    phone: str = Field(max_length=40, description="Mainland mobile number, 11 digits")
    id_number: str | None = Field(default=None, max_length=40,
                                  description="Resident ID number (optional; checked)")


class CheckInRequest(BaseModel):
    """A kiosk checks an appointment in."""

    model_config = ConfigDict(json_schema_extra={"example": {"hall": "HQ",
                                                             "booking_code": "K7QM2P9X"}})

    hall: Code = Field(description="Hall code of the kiosk")
    booking_code: str = Field(min_length=1, max_length=200,
                              description="The booking code as typed, or the scanned QR text")


class MoveBookingRequest(BaseModel):
    """The slot a booking moves to."""

    model_config = ConfigDict(json_schema_extra={"example": {
        "start": "2026-12-08T10:00:00+08:00"}})

    start: datetime = Field(description="A slot's start, as the slots call gives it")


class RemoteTicketRequest(BaseModel):
    """A visitor joins today's queue of an item from home (远程取号)."""

    model_config = ConfigDict(json_schema_extra={"example": {
        "hall": "HQ", "service": "EXAM", "phone": "13800138000"}})

    hall: Code = Field(description="Hall code, e.g. HQ")
    service: Code = Field(description="Service item code")
    phone: str = Field(max_length=40, description="Mainland mobile number, 11 digits; one "
                                                  "remote ticket per number, item and day")


class ArrivalRequest(BaseModel):
    """The holder of a ticket taken from home is in the hall: the door QR's code of today."""

    model_config = ConfigDict(json_schema_extra={"example": {
        "hall": "HQ", "door_code": "K7QM2P9XAB", "service_no": "261123001000427",
        "access_code": "ABCD2345"}})

    hall: Code = Field(description="Hall code, e.g. HQ")
    door_code: str | None = Field(
        default=None, min_length=1, max_length=64,
        description="The code in the hall's door QR code (changes daily); left out only by a "
                    "kiosk device of the hall, where the visitor stands in the hall")
    service_no: str = Field(min_length=1, max_length=64, description="The ticket's service number")
    access_code: str = Field(min_length=1, max_length=64, description="The ticket's access code")
