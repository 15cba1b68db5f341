"""A booking's access code cannot be guessed: the same guard as a ticket's (hall/web/
access_codes.py), counted per booking code, on the API and on the booking pages."""
from __future__ import annotations

import pytest

from test_bookings import MONDAY_MORNING, book

STRANGER = {"REMOTE_ADDR": "203.0.113.9"}
OWNER = {"REMOTE_ADDR": "198.51.100.7"}


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_wrong_codes_lock_the_guesser_out_and_never_the_holder(app, client):
    made = book(client).get_json()
    path = f"/api/v1/bookings/{made['booking_code']}"
    tries = app.config["TRACK_WRONG_CODES"]
    for n in range(tries):
        wrong = client.get(path, headers={"X-Access-Code": f"WRONG{n:03d}"},
                           environ_base=STRANGER)
        assert wrong.status_code == 404
    # Now even the right code is refused from the guesser's address, with the same answer...
    right_from_stranger = client.get(path, headers={"X-Access-Code": made["access_code"]},
                                     environ_base=STRANGER)
    assert right_from_stranger.status_code == 404
    cancel = client.delete(path, headers={"X-Access-Code": made["access_code"]},
                           environ_base=STRANGER)
    assert cancel.status_code == 404
    # ...while the holder, elsewhere, reads it (the number-wide wait has not begun yet).
    mine = client.get(path, headers={"X-Access-Code": made["access_code"]}, environ_base=OWNER)
    assert mine.status_code == 200 and mine.get_json()["status"] == "booked"


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_the_booking_page_counts_wrong_codes_too(app, client):
    made = book(client).get_json()
    page = f"/book/HQ/b/{made['booking_code']}"
    app.config["WTF_CSRF_ENABLED"] = False
    for n in range(app.config["TRACK_WRONG_CODES"]):
        client.post(page, data={"access_code": f"WRONG{n:03d}"}, environ_base=STRANGER)
    locked = client.post(page, data={"access_code": made["access_code"]},
                         environ_base=STRANGER)
    assert locked.status_code == 404 and made["access_code"] not in locked.get_data(as_text=True)
