"""The window console with plain forms, as it works without JavaScript."""
from __future__ import annotations

import re

import pytest

from test_auth import csrf_token, sign_in

pytestmark = pytest.mark.hall_open  # tickets are taken and windows opened: in opening hours


@pytest.fixture
def clerk(client):
    sign_in(client, "clerk03")
    return client


def press(client, move: str, json: bool = False, **fields):
    token = csrf_token(client, "/hall/HQ/windows/3")
    headers = {"Accept": "application/json"} if json else {}
    return client.post(f"/hall/HQ/windows/3/{move}", data={"csrf_token": token, **fields},
                       headers=headers)


def test_the_clerk_opens_calls_and_finishes_with_plain_forms(clerk):
    clerk.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"})
    r = press(clerk, "open")
    assert (r.status_code, r.headers["Location"]) == (302, "/hall/HQ/windows/3")
    press(clerk, "call")
    page = clerk.get("/hall/HQ/windows/3").get_data(as_text=True)
    assert "A001" in page and 'data-key="F4"' in page
    press(clerk, "finish", number="A001")
    assert "A001" in clerk.get("/hall/HQ/windows/3").get_data(as_text=True)  # served today


def test_a_transfer_form_with_blank_fields_is_read_as_not_given(clerk):
    for _ in range(2):
        clerk.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"})
    press(clerk, "open")
    press(clerk, "call")
    # the page's form always sends every field; the ones left empty are blank
    r = press(clerk, "transfer", json=True, number="A001", service="TITLE", window="", reason="")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["ticket"]["service"] == "TITLE"
    r = press(clerk, "call", json=True, number="a002")  # typed in lower case
    assert r.status_code == 200 and r.get_json()["ticket"]["number"] == "A002"


def test_refusals_come_back_as_messages_not_errors(clerk):
    press(clerk, "open")
    r = press(clerk, "finish", json=True)
    assert (r.status_code, r.get_json()["code"]) == (409, "no-current-ticket")
    r = press(clerk, "call", json=True, number="A1")
    assert (r.status_code, r.get_json()["code"]) == (422, "invalid-request")
    nobody = press(clerk, "call")
    assert nobody.status_code == 302
    assert re.search(r'flash-info[^>]*>[^<]+', clerk.get("/hall/HQ/windows/3").get_data(as_text=True))
    assert press(clerk, "dance").status_code == 404
