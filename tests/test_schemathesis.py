"""Hostile input against the device API: schemathesis drives every operation of
/api/v1/openapi.json with generated requests, in process on the seeded demo hall.

For each operation it checks that no answer is a 5xx, that the status code is one the document
lists, that the content type is the documented one, and that the body matches the documented
schema (problem+json included); and that requests the document calls invalid are refused
with a 4xx rather than accepted. Staff operations carry clerk03's bearer token. The number of
examples is bounded and the run is derandomized, so CI sees the same requests every time;
``SCHEMATHESIS_EXAMPLES=500`` runs more (see README, "Hostile input").
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from hall.web.api import openapi

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection]


# The document the app serves (test_served_document_is_this_one); built without an app, so
# that pytest can make one test per operation before any database exists.
schema = schemathesis.openapi.from_dict(openapi.document())


def test_served_document_is_this_one(client):
    assert client.get("/api/v1/openapi.json").get_json() == openapi.document()


@pytest.fixture
def token(app):
    # Generated lookups should reach the lookup, not mostly the (documented) 429.
    app.config["TRACK_RATE_LIMIT"] = "100000 per minute"
    r = app.test_client().post("/api/v1/auth/token",
                               json={"username": "clerk03", "password": "demo"})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["token"]


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_contract(app, token, case):
    headers = {}
    if case.operation.definition.raw.get("security"):
        headers["Authorization"] = f"Bearer {token}"
    case.call_and_validate(app=app, headers=headers, checks=CHECKS)
