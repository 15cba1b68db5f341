"""One guard in front of every access code (issue 11.6, 11.7): the tracking page, the tracking
API and the ticket PDF count and lock alike; a stranger's wrong codes lock out the stranger,
never the citizen holding the ticket; a number guessed from many addresses is slowed down."""
from __future__ import annotations

import re
import time
from datetime import date

import pytest

from conftest import MONDAY_0930
from hall import clock
from hall.numbers import service_number

STRANGER = {"REMOTE_ADDR": "203.0.113.7"}
OWNER = {"REMOTE_ADDR": "198.51.100.20"}
UNKNOWN = service_number(date(2020, 1, 1), 1, 1)


@pytest.fixture
def ticket(client):
    with clock.frozen(MONDAY_0930):
        body = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"}).get_json()
    return body


def pdf(client, number: str, code: str, who: dict):
    return client.get(f"/api/v1/tickets/{number}/ticket.pdf?code={code}", environ_base=who)


def page(client, number: str, code: str, who: dict):
    return client.get(f"/track/{number}?c={code}&lang=en", environ_base=who)


def test_a_strangers_wrong_codes_do_not_lock_out_the_owner(client, ticket):
    number, code = ticket["service_no"], ticket["access_code"]
    for _ in range(5):
        assert page(client, number, "WRONG234", STRANGER).status_code == 404
    locked = page(client, number, code, STRANGER)  # the stranger: locked, the right code too
    assert locked.status_code == 404 and "try again in 15 minutes" in locked.get_data(as_text=True)
    mine = page(client, number, code, OWNER)
    assert mine.status_code == 200 and "try again" not in mine.get_data(as_text=True)
    api = client.get(f"/api/v1/track/{number}", headers={"X-Access-Code": code},
                     environ_base=OWNER)
    assert api.status_code == 200 and api.get_json()[0]["verified"] is True


def test_the_ticket_pdf_goes_through_the_same_guard(client, ticket):
    number, code = ticket["service_no"], ticket["access_code"]
    for _ in range(5):
        assert pdf(client, number, "WRONG234", STRANGER).status_code == 404
    # Wrong codes on the PDF locked this address for the number, on tracking as well...
    assert pdf(client, number, code, STRANGER).status_code == 404
    assert page(client, number, code, STRANGER).status_code == 404
    # ...and the owner's PDF and page still open.
    assert pdf(client, number, code, OWNER).status_code == 200
    assert page(client, number, code, OWNER).status_code == 200


def test_tracking_locks_are_kept_by_the_pdf_too(client, ticket):
    number, code = ticket["service_no"], ticket["access_code"]
    for _ in range(5):
        page(client, number, "WRONG234", STRANGER)
    assert pdf(client, number, code, STRANGER).status_code == 404


def test_wrong_pdf_codes_are_rate_limited_per_address(client, app, ticket):
    app.config["TRACK_RATE_LIMIT"] = "30 per minute"
    numbers = [service_number(date(2020, 1, 1), 1, n) for n in range(1, 32)]
    statuses = [pdf(client, n, "WRONG234", STRANGER).status_code for n in numbers]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429
    # the right code costs nothing: a kiosk prints many tickets from one address
    assert pdf(client, ticket["service_no"], ticket["access_code"], OWNER).status_code == 200


def test_many_addresses_guessing_one_number_make_it_wait(client, app, ticket):
    app.config.update(TRACK_NUMBER_WRONG_CODES=3, TRACK_MAX_DELAY_SECONDS=1)
    number, code = ticket["service_no"], ticket["access_code"]
    for n in range(4):  # the fourth wrong code from anywhere starts a wait
        page(client, number, "WRONG234", {"REMOTE_ADDR": f"192.0.2.{n + 1}"})
    waiting = page(client, number, code, OWNER)
    assert waiting.status_code == 404 and "try again in 1 seconds" in waiting.get_data(as_text=True)
    time.sleep(1.1)  # the wait is short: the owner is never locked out
    assert page(client, number, code, OWNER).status_code == 200


def test_locks_and_waits_say_nothing_about_whether_a_number_exists(client, app, ticket):
    app.config.update(TRACK_NUMBER_WRONG_CODES=1)
    for number in (ticket["service_no"], UNKNOWN):
        for _ in range(5):
            page(client, number, "WRONG234", STRANGER)
    def text(number: str) -> str:
        body = page(client, number, "WRONG234", STRANGER).get_data(as_text=True)
        return re.sub(r'name="csrf_token" value="[^"]+"', "", body.replace(number, "N"))

    assert "try again" in text(UNKNOWN) and text(ticket["service_no"]) == text(UNKNOWN)
    a, b = pdf(client, ticket["service_no"], "X", STRANGER), pdf(client, UNKNOWN, "X", STRANGER)
    assert (a.status_code, a.get_json()["title"]) == (b.status_code, b.get_json()["title"])
