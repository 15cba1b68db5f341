"""Request bodies of the device API, validated with pydantic; their JSON Schemas feed the
OpenAPI document, so what is checked and what is published cannot drift apart."""
from __future__ import annotations

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
