"""Rating the service: on the private tracking page with the access code, once; and on the
rating device at the window, for the visit just finished there."""
from __future__ import annotations

import re

import sqlalchemy as sa

from hall import queue
from hall.models import Rating
from hall.web.extensions import db
from tracking_helpers import csrf, desk  # noqa: F401


def ratings_of(app):
    with app.app_context():
        return db.session.execute(sa.select(Rating.ticket_id, Rating.case_id, Rating.level,
                                            Rating.channel, Rating.comment)).all()


def rate(client, number, code, level="5", **fields):
    data = {"csrf_token": csrf(client), "code": code, "level": level, **fields}
    return client.post(f"/track/{number}/rate?lang=en", data=data)


def test_the_private_view_offers_the_rating_form_the_public_one_does_not(client, desk):
    ticket = desk.ticket()
    desk.finish(ticket)
    private = client.get(f"/track/{ticket.service_no}?c={ticket.access_code}").get_data(as_text=True)
    public = client.get(f"/track/{ticket.service_no}").get_data(as_text=True)
    assert 'name="level"' in private and private.count('name="level"') == 5
    assert 'name="level"' not in public


def test_a_visit_is_rated_once_and_a_second_submit_says_so(client, app, desk):
    ticket = desk.ticket()
    desk.finish(ticket)
    first = rate(client, ticket.service_no, ticket.access_code, "4", comment="很快")
    assert first.status_code == 200 and "Thank you" in first.get_data(as_text=True)
    again = rate(client, ticket.service_no, ticket.access_code, "1")
    assert again.status_code == 409 and "already been rated" in again.get_data(as_text=True)
    assert ratings_of(app) == [(ticket.id, None, 4, "tracking", "很快")]
    page = client.get(f"/track/{ticket.service_no}?c={ticket.access_code}").get_data(as_text=True)
    assert 'name="level"' not in page


def test_a_closed_case_is_rated_apart_from_the_visit(client, app, desk):
    ticket, case = desk.accept()
    desk.close(case)
    r = rate(client, ticket.service_no, ticket.access_code, "2", case=str(case.id))
    assert r.status_code == 200
    assert ratings_of(app) == [(ticket.id, case.id, 2, "tracking", "")]


def test_a_rating_needs_the_code_csrf_and_a_level(client, app, desk):
    ticket = desk.ticket()
    desk.finish(ticket)
    assert rate(client, ticket.service_no, "WRONG234").status_code == 404
    assert rate(client, ticket.service_no, "").status_code == 404
    no_token = client.post(f"/track/{ticket.service_no}/rate",
                           data={"code": ticket.access_code, "level": "5"})
    assert no_token.status_code == 400
    assert rate(client, ticket.service_no, ticket.access_code, "9").status_code == 422
    assert rate(client, ticket.service_no, ticket.access_code, "abc").status_code == 422
    assert ratings_of(app) == []


def test_a_visit_still_going_cannot_be_rated(client, desk):
    ticket = desk.ticket()
    r = rate(client, ticket.service_no, ticket.access_code)
    assert r.status_code == 409 and "once your matter is finished" in r.get_data(as_text=True)


# -- the device at the window ------------------------------------------------------------------

def device_form(client):
    html = client.get("/rate/HQ/3?lang=en").get_data(as_text=True)
    ticket = re.search(r'name="ticket" value="(\d+)"', html)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return html, (int(ticket.group(1)) if ticket else None), token and token.group(1)


def test_the_window_device_offers_the_visit_just_finished_there(client, app, desk):
    html, offered, _ = device_form(client)
    assert offered is None and 'http-equiv="refresh"' not in html  # device.js follows the window
    ticket = desk.ticket()
    desk.finish(ticket)
    html, offered, token = device_form(client)
    assert offered == ticket.id and ticket.number in html
    assert ticket.access_code not in html and ticket.service_no not in html
    r = client.post("/rate/HQ/3?lang=en", data={"csrf_token": token, "ticket": offered,
                                                 "level": "5"})
    assert r.status_code == 200 and "Thank you" in r.get_data(as_text=True)
    assert ratings_of(app) == [(ticket.id, None, 5, "window", "")]
    again = client.post("/rate/HQ/3?lang=en", data={"csrf_token": token, "ticket": offered,
                                                     "level": "1"})
    assert again.status_code == 409
    assert device_form(client)[1] is None  # rated: the device waits for the next visitor


def test_only_the_last_visit_within_three_minutes_can_be_rated_at_the_window(client, app, desk):
    first, second = desk.ticket(), desk.ticket()
    desk.finish(first)
    desk.finish(second)
    _, offered, token = device_form(client)
    assert offered == second.id
    r = client.post("/rate/HQ/3", data={"csrf_token": token, "ticket": first.id, "level": "1"})
    assert r.status_code == 409  # an earlier visit: only with its access code
    desk.clock.advance(minutes=4)
    assert device_form(client)[1] is None
    r = client.post("/rate/HQ/3", data={"csrf_token": token, "ticket": second.id, "level": "5"})
    assert r.status_code == 409 and ratings_of(app) == []
    # The other windows' devices never offer it.
    assert client.get("/rate/HQ/4").status_code == 200
    assert client.get("/rate/HQ/99").status_code == 404


def test_the_device_offers_nothing_once_the_window_calls_the_next_visitor(client, app, desk):
    """The next visitor at the counter must never rate the last one's service."""
    first, second = desk.ticket(), desk.ticket()
    desk.finish(first)
    _, offered, token = device_form(client)
    assert offered == first.id
    desk.serve(second)  # the window moves on
    assert device_form(client)[1] is None
    r = client.post("/rate/HQ/3", data={"csrf_token": token, "ticket": first.id, "level": "5"})
    assert r.status_code == 409 and ratings_of(app) == []
    desk.do(queue.finish, "HQ", 3, actor=desk.clerk, number=second.number)
    assert device_form(client)[1] == second.id  # replaced by the visit just finished
    r = client.post("/rate/HQ/3", data={"csrf_token": token, "ticket": second.id, "level": "4"})
    assert r.status_code == 200 and ratings_of(app) == [(second.id, None, 4, "window", "")]
