"""A poor rating opens a follow-up that a manager closes with a note within 15 working days."""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from conftest import actor
from hall import clock, deadlines, issuing, queue, ratings
from hall.events import Actor
from hall.models import Event, Rating, Ticket
from hall.web.extensions import db
from test_auth import csrf_token, sign_in

MONDAY = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
PAGE = "/hall/HQ/followups"


def rated_visit(app, level: int) -> int:
    """A visit finished at window 3 and rated ``level``; the rating's id."""
    with app.app_context():
        s, clerk = db.session, actor(app, "clerk03")
        number = issuing.issue_ticket(s, "HQ", "EXAM").number
        queue.open_window(s, "HQ", 3, actor=clerk)
        queue.call_ticket(s, "HQ", 3, number, actor=clerk)
        queue.finish(s, "HQ", 3, actor=clerk, number=number)
        ticket = s.scalar(sa.select(Ticket).where(Ticket.number == number))
        return ratings.rate(s, ticket, level=level, comment="等了很久没人理",
                            actor=Actor("visitor")).id


def test_a_poor_rating_is_listed_for_the_manager_and_closed_with_a_note(app, client):
    with clock.frozen(MONDAY):
        poor, good = rated_visit(app, 1), rated_visit(app, 5)
        sign_in(client, "manager")
        page = client.get(PAGE).get_data(as_text=True)
        assert "等了很久没人理" in page and "非常不满意" in page
        assert f'data-rating="{poor}"' in page and f'data-rating="{good}"' not in page
        assert "2026-12-14" in page  # 15 working days after Monday 23 November

        refused = client.post(f"{PAGE}/{poor}/close", data={"csrf_token": csrf_token(client, PAGE),
                                                            "note": "  "}, follow_redirects=True)
        assert "请填写" in refused.get_data(as_text=True)
        done = client.post(f"{PAGE}/{poor}/close", data={"csrf_token": csrf_token(client, PAGE),
                                                         "note": "已电话回访，致歉并改进叫号"},
                           follow_redirects=True)
        assert "整改回访已关闭" in done.get_data(as_text=True)
    with app.app_context():
        rating = db.session.get(Rating, poor)
        assert (rating.followup, rating.followup_note) == ("closed", "已电话回访，致歉并改进叫号")
        closed = db.session.scalar(sa.select(Event).where(Event.kind == "rating.followup_closed"))
        assert closed.actor == "manager"


def test_an_open_follow_up_turns_red_when_its_15_working_days_pass(app, client):
    with clock.frozen(MONDAY) as frozen:
        poor = rated_visit(app, 2)
        frozen.at = datetime(2026, 12, 14, 10, tzinfo=UTC)  # 18:00 on the due day
        with app.app_context():
            assert deadlines.tick(db.session).followups_red == 1
        sign_in(client, "manager")
        page = client.get(PAGE).get_data(as_text=True)
        assert "已超期" in page and f'data-rating="{poor}"' in page


def test_only_managers_see_follow_ups_and_the_close_needs_csrf(app, client):
    with clock.frozen(MONDAY):
        poor = rated_visit(app, 1)
        sign_in(client, "clerk03")
        assert client.get(PAGE).status_code == 403
        client.post("/logout", data={"csrf_token": csrf_token(client, "/hall/HQ/windows")})
        sign_in(client, "manager")
        assert client.post(f"{PAGE}/{poor}/close", data={"note": "x"}).status_code == 400
    with app.app_context():
        assert db.session.get(Rating, poor).followup == "open"
