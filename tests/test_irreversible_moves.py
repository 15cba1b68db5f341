"""Moves a clerk or a division cannot take back (#10.9): a no-show has a short undo, a hold
says why and the held list shows why and for how long, a decision and a withdrawal need a
ticked confirmation (and a withdrawal says whose case it is), and routing has no division
chosen in advance."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from conftest import MONDAY_0930, actor
from hall import clock, issuing, queue
from hall.errors import HoldReasonRequired, NothingToUndo
from hall.models import Case, Event, Ticket
from hall.web.extensions import db
from test_auth import csrf_token
from test_division_console import act, as_user, civil, clerk, frozen, new_case, state_of  # noqa: F401

CONSOLE = "/hall/HQ/windows/3"


@pytest.fixture
def hall(app):
    with app.app_context(), clock.frozen(MONDAY_0930) as frozen:
        who = actor(app, "clerk03")
        queue.open_window(db.session, "HQ", 3, actor=who)
        yield db.session, who, frozen


def called(session, who) -> str:
    number = issuing.issue_ticket(session, "HQ", "EXAM").number
    queue.call_ticket(session, "HQ", 3, number, actor=who)
    return number


# -- the no-show's undo ------------------------------------------------------------------------

def test_a_no_show_is_taken_back_within_30_seconds(hall):
    session, who, frozen = hall
    number = called(session, who)
    queue.mark_no_show(session, "HQ", 3, actor=who)
    frozen.advance(seconds=25)
    ticket = queue.undo_no_show(session, "HQ", 3, number, actor=who)
    assert ticket.status == "called"
    window = queue.get_window(session, "HQ", 3)
    assert window.current_ticket_id == ticket.id and ticket.call_count == 1
    kinds = list(session.scalars(sa.select(Event.kind).where(Event.ticket_id == ticket.id)
                                 .order_by(Event.id)))
    assert kinds[-2:] == ["ticket.no_show", "ticket.no_show_undone"]  # audited
    queue.finish(session, "HQ", 3, actor=who)  # and served as if nothing happened


def test_too_late_or_after_another_move_the_no_show_stands(hall):
    session, who, frozen = hall
    late = called(session, who)
    queue.mark_no_show(session, "HQ", 3, actor=who)
    frozen.advance(seconds=31)
    with pytest.raises(NothingToUndo):
        queue.undo_no_show(session, "HQ", 3, late, actor=who)
    moved = called(session, who)
    queue.mark_no_show(session, "HQ", 3, actor=who)
    next_one = called(session, who)  # the window has moved on
    with pytest.raises(NothingToUndo):
        queue.undo_no_show(session, "HQ", 3, moved, actor=who)
    queue.finish(session, "HQ", 3, actor=who, number=next_one)
    with pytest.raises(NothingToUndo):  # never a ticket that was not a no-show
        queue.undo_no_show(session, "HQ", 3, next_one, actor=who)
    other = actor_for(session, "clerk04")
    queue.open_window(session, "HQ", 4, actor=other)
    with pytest.raises(NothingToUndo):  # nor from another window
        queue.undo_no_show(session, "HQ", 4, moved, actor=other)
    statuses = dict(session.execute(sa.select(Ticket.number, Ticket.status)).all())
    assert statuses[late] == statuses[moved] == "no_show"


def actor_for(session, username):
    from hall.events import Actor
    from hall.models import Staff
    return Actor.of(session.scalar(sa.select(Staff).where(Staff.username == username)))


def test_the_console_offers_the_undo_and_it_works_without_script(app, clerk):  # noqa: F811
    with clock.frozen(MONDAY_0930) as frozen:
        token = csrf_token(clerk, CONSOLE)
        clerk.post(f"{CONSOLE}/open", data={"csrf_token": token})
        number = clerk.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"}).get_json()["number"]
        clerk.post(f"{CONSOLE}/call", data={"csrf_token": token})
        clerk.post(f"{CONSOLE}/no-show", data={"csrf_token": token, "number": number})
        page = clerk.get(CONSOLE).get_data(as_text=True)
        assert 'data-move="undo-no-show"' in page and 'data-key="F9"' in page
        r = clerk.post(f"{CONSOLE}/undo-no-show", data={"csrf_token": token, "number": number},
                       headers={"Accept": "application/json"})
        assert r.status_code == 200 and r.get_json()["window"]["current"]["number"] == number
        assert "撤销过号" in r.get_json()["message"]
        clerk.post(f"{CONSOLE}/no-show", data={"csrf_token": token, "number": number})
        frozen.advance(seconds=31)
        page = clerk.get(CONSOLE).get_data(as_text=True)
        assert 'data-move="undo-no-show"' not in page  # the offer is gone with its time
        r = clerk.post(f"{CONSOLE}/undo-no-show", data={"csrf_token": token, "number": number},
                       headers={"Accept": "application/json"})
        assert (r.status_code, r.get_json()["code"]) == (409, "nothing-to-undo")
        assert "已超过撤销时限" in r.get_json()["message"]


# -- hold: with a reason, listed with it and the time held ------------------------------------

def test_a_hold_needs_a_reason(hall):
    session, who, _ = hall
    number = called(session, who)
    for blank in (None, "", "   "):
        with pytest.raises(HoldReasonRequired):
            queue.hold(session, "HQ", 3, actor=who, reason=blank)
    assert session.scalar(sa.select(Ticket.status).where(Ticket.number == number)) == "called"


def test_the_held_list_shows_why_and_for_how_long(app, clerk):  # noqa: F811
    with clock.frozen(MONDAY_0930) as frozen:
        token = csrf_token(clerk, CONSOLE)
        clerk.post(f"{CONSOLE}/open", data={"csrf_token": token})
        clerk.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"})
        clerk.post(f"{CONSOLE}/call", data={"csrf_token": token})
        r = clerk.post(f"{CONSOLE}/hold", data={"csrf_token": token},
                       headers={"Accept": "application/json"})
        assert (r.status_code, r.get_json()["code"]) == (422, "hold-reason-required")
        assert "挂起原因" in r.get_json()["message"]
        clerk.post(f"{CONSOLE}/hold", data={"csrf_token": token, "reason": "回去取学历证书"})
        frozen.advance(minutes=7)
        page = clerk.get(CONSOLE).get_data(as_text=True)
        held = re.search(r'<ul class="tickets held" data-held>(.*?)</ul>', page, re.S).group(1)
        assert "A001" in held and "回去取学历证书" in held and "已挂起 7 分钟" in held
        assert 'data-held-since="2026-11-23T01:30:00+00:00"' in held  # the script counts on
        view = clerk.get(f"{CONSOLE}/state").get_json()
        assert (view["held"][0]["held_reason"], view["held"][0]["held_minutes"]) == (
            "回去取学历证书", 7)


def test_the_api_refuses_a_hold_without_a_reason(app, client):
    from test_auth import bearer, token_for
    with clock.frozen(MONDAY_0930):
        # The token is taken on the test's Monday too: one taken at the suite's hour (on
        # 2026-10-01, say) has long expired by then.
        headers = bearer(token_for(client, "clerk03"))
        client.post("/api/v1/halls/HQ/windows/3/open", headers=headers)
        client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"})
        client.post("/api/v1/halls/HQ/windows/3/call", headers=headers)
        r = client.post("/api/v1/halls/HQ/windows/3/hold", headers=headers)
        assert r.status_code == 422 and r.get_json()["code"] == "hold-reason-required"
        r = client.post("/api/v1/halls/HQ/windows/3/no-show", headers=headers)
        number = r.get_json()["number"]
        r = client.post("/api/v1/halls/HQ/windows/3/undo-no-show", headers=headers,
                        json={"number": number})
        assert r.status_code == 200 and r.get_json()["status"] == "called"


# -- the division: confirmations, whose case, no division chosen in advance --------------------

def test_a_decision_needs_its_box_ticked(app, clerk, civil):  # noqa: F811
    case = new_case(clerk)
    act(civil, case, "take")
    page = civil.get(f"/hall/HQ/cases/{case}").get_data(as_text=True)
    decide = re.search(r'<form[^>]+data-action="decide".*?</form>', page, re.S).group(0)
    assert re.search(r'<input type="checkbox" name="confirm" value="1" required>', decide)
    r = act(civil, case, "decide", json=True, outcome="approved")
    assert (r.status_code, r.get_json()["code"]) == (422, "confirmation-required")
    assert state_of(app, case) == "in_progress"
    act(civil, case, "decide", outcome="approved", confirm="1")
    assert state_of(app, case) == "decided"


def test_withdrawing_a_case_someone_else_handles_says_whose_it_is(app, clerk, civil):  # noqa: F811
    case = new_case(clerk)
    act(civil, case, "take")  # 公务员管理处's division01 handles it
    manager = as_user(app, "manager")
    page = manager.get(f"/hall/HQ/cases/{case}").get_data(as_text=True)
    withdraw = re.search(r'<form[^>]+data-action="withdraw".*?</form>', page, re.S).group(0)
    with app.app_context():
        handler = db.session.get(Case, case).handler
    assert f'data-handled-by="{handler.username}"' in withdraw and handler.name in withdraw
    assert 'name="confirm" value="1" required' in withdraw
    r = act(manager, case, "withdraw", json=True, reason="申请人撤回")
    assert (r.status_code, r.get_json()["code"]) == (422, "confirmation-required")
    assert state_of(app, case) == "in_progress"
    r = act(manager, case, "withdraw", reason="申请人撤回", confirm="1")
    assert state_of(app, case) == "withdrawn"
    # One's own case: the confirmation, without the warning.
    own = new_case(clerk)
    act(civil, own, "take")
    page = civil.get(f"/hall/HQ/cases/{own}").get_data(as_text=True)
    assert "data-handled-by" not in page and 'name="confirm"' in page


def test_routing_starts_with_no_division_chosen(app, clerk, civil):  # noqa: F811
    case = new_case(clerk)
    page = civil.get(f"/hall/HQ/cases/{case}").get_data(as_text=True)
    route = re.search(r'<select name="division" required>(.*?)</select>', page, re.S).group(1)
    first = re.search(r"<option([^>]*)>", route).group(1)
    assert 'value=""' in first and "selected" in first and "disabled" in first
    assert route.count(" selected") == 1
    r = act(civil, case, "route", json=True, division="", reason="属职称事项")
    assert (r.status_code, r.get_json()["code"]) == (422, "case-field-required")
    assert "处室" in r.get_json()["message"]
    with app.app_context():
        assert db.session.get(Case, case).division.code == "CIVIL"
