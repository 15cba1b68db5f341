"""Every person inside their hall and window (issue 11.1): a clerk works only their own hall's
windows, and only those assigned to them; a manager or administrator can close a window for
its clerk or hand it over, with a reason, whoever is at it; deactivating a clerk frees their
window and ends their tokens."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from conftest import MONDAY_0930, actor
from hall import admin, clock, queue, supervision
from hall.errors import (
    ClerkNotAssigned,
    NotAWindowSupervisor,
    OutsideYourHall,
    WindowNotAssigned,
    WindowReasonRequired,
)
from hall.issuing import issue_ticket
from hall.models import Event, Ticket, Window
from hall.web.extensions import db
from test_auth import csrf_token, sign_in


@pytest.fixture(autouse=True)
def monday():
    """A Monday morning: tickets can be taken whatever the real time is."""
    with clock.frozen(MONDAY_0930) as frozen:
        yield frozen


def token(client, username: str) -> dict:
    r = client.post("/api/v1/auth/token", json={"username": username, "password": "demo"})
    assert r.status_code == 200, r.get_json()
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


def move(client, auth, hall: str, no: int, name: str, **body):
    return client.post(f"/api/v1/halls/{hall}/windows/{no}/{name}", headers=auth,
                       json=body or None)


def window(app, hall: str, no: int) -> Window:
    with app.app_context():
        return db.session.scalar(sa.select(Window).join(Window.hall)
                                 .where(Window.no == no, Window.hall.has(code=hall)))


def kinds(app, kind: str) -> list[Event]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Event).where(Event.kind == kind)
                                       .order_by(Event.id)))


def ticket(app, number: str) -> Ticket:
    with app.app_context():
        return db.session.scalar(sa.select(Ticket).where(Ticket.number == number))


def take(app, service: str = "TITLE", hall: str = "HQ") -> str:
    with app.app_context():
        return issue_ticket(db.session, hall, service).number


# -- another hall ------------------------------------------------------------------------------

@pytest.mark.parametrize("username, hall, no", [("hrb-clerk01", "HQ", 5), ("clerk13", "HRB", 2)])
def test_a_clerk_cannot_work_another_halls_window_over_the_api(client, app, username, hall, no):
    take(app, "EXAM", hall)
    r = move(client, token(client, username), hall, no, "open")
    assert (r.status_code, r.get_json()["code"]) == (403, "outside-your-hall")
    assert window(app, hall, no).state == "closed" and kinds(app, "window.opened") == []
    # ...so the hall's own clerk is not locked out of it
    own = "clerk05" if hall == "HQ" else "hrb-clerk02"
    assert move(client, token(client, own), hall, no, "open").status_code == 200


def test_the_domain_refuses_another_hall_whoever_calls_it(app):
    with app.app_context():
        with pytest.raises(OutsideYourHall):
            queue.open_window(db.session, "HQ", 5, actor=actor(app, "hrb-clerk01"))
        queue.open_window(db.session, "HQ", 5, actor=actor(app, "clerk05"))
        for move_ in (queue.call_next, queue.close_window):
            with pytest.raises(OutsideYourHall):
                move_(db.session, "HQ", 5, actor=actor(app, "hrb-clerk01"))


def test_a_clerk_opens_only_the_windows_assigned_to_them(client, app):
    r = move(client, token(client, "clerk16"), "HQ", 19, "open")  # the army-transfer window
    assert (r.status_code, r.get_json()["code"]) == (403, "window-not-assigned")
    assert window(app, "HQ", 19).state == "closed"
    clerk01 = token(client, "clerk01")  # the demo's clerk01 works windows 1 and 2
    assert move(client, clerk01, "HQ", 2, "open").status_code == 200
    assert move(client, clerk01, "HQ", 2, "close").status_code == 200
    assert move(client, clerk01, "HQ", 1, "open").status_code == 200
    with app.app_context():
        with pytest.raises(WindowNotAssigned):
            queue.open_window(db.session, "HQ", 19, actor=actor(app, "clerk16"))


def test_the_console_offers_open_only_on_an_assigned_window(client):
    sign_in(client, "clerk16")
    assert "Open this window" not in client.get("/hall/HQ/windows/19?lang=en").get_data(as_text=True)
    assert "Open this window" in client.get("/hall/HQ/windows/16?lang=en").get_data(as_text=True)


# -- closing a window for its clerk ------------------------------------------------------------

def test_a_manager_closes_a_window_with_its_visitors_back_in_line(client, app):
    first, second, third = take(app), take(app), take(app)
    clerk = token(client, "clerk05")
    move(client, clerk, "HQ", 5, "open")
    assert move(client, clerk, "HQ", 5, "call").get_json()["number"] == first
    assert move(client, clerk, "HQ", 5, "hold", number=first, reason="取复印件").status_code == 200
    assert move(client, clerk, "HQ", 5, "call").get_json()["number"] == second
    queued = {n: ticket(app, n).queued_at for n in (first, second)}

    manager = token(client, "manager")
    r = move(client, manager, "HQ", 5, "force-close", reason="")
    assert r.status_code == 422  # a reason is required
    r = move(client, manager, "HQ", 5, "force-close", reason="clerk taken ill")
    assert r.status_code == 200 and r.get_json()["state"] == "closed"
    for number in (first, second):
        back = ticket(app, number)
        assert (back.status, back.window_id, back.queued_at) == ("waiting", None, queued[number])
    closed = kinds(app, "window.closed")[-1]
    assert closed.actor == "manager" and closed.data["forced"] is True
    assert closed.data["reason"] == "clerk taken ill" and closed.data["clerk"] == "clerk05"
    assert sorted(closed.data["returned"]) == sorted([first, second])
    assert len(kinds(app, "ticket.returned")) == 2
    # their places are kept: the next call at the reopened window takes them first, in order
    clerk06 = token(client, "clerk06")
    move(client, clerk06, "HQ", 6, "open")
    assert move(client, clerk06, "HQ", 6, "call").get_json()["number"] == first
    assert third != first


def test_who_may_close_a_window_for_its_clerk(client, app):
    move(client, token(client, "clerk05"), "HQ", 5, "open")
    for username, status in (("clerk06", 403), ("hrb-manager", 403), ("division01", 403)):
        r = move(client, token(client, username), "HQ", 5, "force-close", reason="x")
        assert r.status_code == status, username
    assert window(app, "HQ", 5).state == "open"
    with app.app_context():
        with pytest.raises(NotAWindowSupervisor):
            supervision.force_close(db.session, "HQ", 5, actor=actor(app, "clerk06"), reason="x")
        with pytest.raises(OutsideYourHall):
            supervision.force_close(db.session, "HQ", 5, actor=actor(app, "hrb-manager"),
                                    reason="x")
        with pytest.raises(WindowReasonRequired):
            supervision.force_close(db.session, "HQ", 5, actor=actor(app, "admin"), reason=" ")
    # the provincial manager looks after every hall, the city's manager their own
    hrb = token(client, "hrb-clerk03")
    move(client, hrb, "HRB", 3, "open")
    r = move(client, token(client, "hrb-manager"), "HRB", 3, "force-close", reason="end of shift")
    assert r.status_code == 200
    assert move(client, token(client, "admin"), "HQ", 5, "force-close",
                reason="audit").status_code == 200


def test_a_squatted_window_can_be_taken_back_and_then_disabled(client, app):
    """The pass found a window nobody could take back; the admin's "out of service" waited
    for a clerk who would never close it."""
    move(client, token(client, "clerk05"), "HQ", 5, "open")
    with app.app_context():
        supervision.force_close(db.session, "HQ", 5, actor=actor(app, "admin"), reason="audit")
        admin.set_window_services(db.session, "HQ", 5, [], actor=actor(app, "admin"))
    assert window(app, "HQ", 5).state == "closed"


# -- handing a window over -----------------------------------------------------------------------

def test_a_manager_hands_a_window_over_with_its_visitor(client, app):
    number = take(app, "RECRUIT")
    clerk21 = token(client, "clerk21")
    move(client, clerk21, "HQ", 21, "open")
    assert move(client, clerk21, "HQ", 21, "call").get_json()["number"] == number
    manager = token(client, "manager")
    r = move(client, manager, "HQ", 21, "reassign", clerk="clerk03", reason="lunch")
    assert (r.status_code, r.get_json()["code"]) == (409, "clerk-not-assigned")
    r = move(client, manager, "HQ", 21, "reassign", clerk="clerk22", reason="lunch")
    assert r.status_code == 200 and r.get_json()["clerk"]["username"] == "clerk22"
    assert move(client, clerk21, "HQ", 21, "finish").status_code == 403
    clerk22 = token(client, "clerk22")
    assert move(client, clerk22, "HQ", 21, "finish", number=number).status_code == 200
    event = kinds(app, "window.handed_over")[-1]
    assert (event.data["from_clerk"], event.data["to_clerk"], event.data["reason"]) == \
        ("clerk21", "clerk22", "lunch")
    with app.app_context():
        with pytest.raises(ClerkNotAssigned):
            supervision.hand_over(db.session, "HQ", 21, to_clerk="hrb-clerk01",
                                  actor=actor(app, "manager"), reason="x")


def test_the_console_lets_a_manager_close_or_hand_over_a_window(client, app):
    move(client, token(client, "clerk21"), "HQ", 21, "open")
    sign_in(client, "manager")
    page = client.get("/hall/HQ/windows/21?lang=en").get_data(as_text=True)
    assert "Manage this window" in page and 'value="clerk22"' in page
    csrf = csrf_token(client, "/hall/HQ/windows/21")
    r = client.post("/hall/HQ/windows/21/reassign",
                    data={"csrf_token": csrf, "clerk": "clerk22", "reason": "cover"})
    assert r.status_code == 302 and window(app, "HQ", 21).clerk_id is not None
    r = client.post("/hall/HQ/windows/21/force-close", data={"csrf_token": csrf, "reason": ""},
                    headers={"Accept": "application/json"})
    assert (r.status_code, r.get_json()["code"]) == (422, "window-reason-required")
    r = client.post("/hall/HQ/windows/21/force-close",
                    data={"csrf_token": csrf, "reason": "closing early"})
    assert r.status_code == 302 and window(app, "HQ", 21).state == "closed"


def test_a_clerk_cannot_use_the_managers_console_moves(client, app):
    move(client, token(client, "clerk21"), "HQ", 21, "open")
    sign_in(client, "clerk22")
    csrf = csrf_token(client, "/hall/HQ/windows/21")
    r = client.post("/hall/HQ/windows/21/force-close", data={"csrf_token": csrf, "reason": "x"})
    assert r.status_code == 403 and window(app, "HQ", 21).state == "open"


# -- deactivation --------------------------------------------------------------------------------

def test_deactivating_a_clerk_frees_their_window_and_ends_their_tokens(client, app):
    number = take(app)
    clerk = token(client, "clerk05")
    move(client, clerk, "HQ", 5, "open")
    move(client, clerk, "HQ", 5, "call")
    with app.app_context():
        admin.set_staff_active(db.session, "clerk05", active=False, actor=actor(app, "admin"))
    assert window(app, "HQ", 5).state == "closed"
    assert ticket(app, number).status == "waiting"
    assert client.get("/api/v1/auth/token", headers=clerk).status_code == 401
    closed = kinds(app, "window.closed")[-1]
    assert closed.data["forced"] and closed.data["deactivated"] == "clerk05"
    assert kinds(app, "admin.staff_deactivated")[-1].data["tokens_revoked"] == 1


# -- assigning windows ---------------------------------------------------------------------------

def test_an_administrator_assigns_windows_on_the_window_page_and_it_is_audited(client, app):
    sign_in(client, "admin")
    page = client.get("/admin/halls/HQ/windows/19").get_data(as_text=True)
    assert 'name="clerks" value="clerk19" checked' in page
    csrf = csrf_token(client, "/admin/halls/HQ/windows/19")
    r = client.post("/admin/halls/HQ/windows/19/clerks",
                    data={"csrf_token": csrf, "clerks": ["clerk19", "clerk16"]})
    assert r.status_code == 302
    event = kinds(app, "admin.window_clerks_set")[-1]
    assert event.data["changed"]["clerks"] == {"before": ["clerk19"],
                                               "after": ["clerk16", "clerk19"]}
    assert move(client, token(client, "clerk16"), "HQ", 19, "open").status_code == 200
    # another hall's clerk is refused, nothing changes
    client.post("/admin/halls/HQ/windows/19/clerks",
                data={"csrf_token": csrf, "clerks": ["hrb-clerk01"]})
    assert len(kinds(app, "admin.window_clerks_set")) == 1


def test_an_administrator_sets_a_clerks_windows_on_their_page(client, app):
    sign_in(client, "admin")
    page = client.get("/admin/staff/clerk16").get_data(as_text=True)
    assert 'name="windows" value="16" checked' in page
    csrf = csrf_token(client, "/admin/staff/clerk16")
    client.post("/admin/staff/clerk16/windows", data={"csrf_token": csrf, "windows": ["17"]})
    event = kinds(app, "admin.staff_windows_set")[-1]
    assert event.data["changed"]["windows"] == {"before": [16], "after": [17]}
    r = move(client, token(client, "clerk16"), "HQ", 16, "open")
    assert r.get_json()["code"] == "window-not-assigned"


def test_the_command_line_assigns_windows(app):
    result = app.test_cli_runner().invoke(args=["admin", "assign-windows", "clerk16", "16", "19",
                                                "--by", "admin"])
    assert result.exit_code == 0, result.output
    assert "16, 19" in result.output
    with app.app_context():
        queue.open_window(db.session, "HQ", 19, actor=actor(app, "clerk16"))
    refused = app.test_cli_runner().invoke(args=["admin", "assign-windows", "clerk16", "3",
                                                 "--by", "clerk03"])
    assert refused.exit_code != 0


def test_only_an_administrator_of_the_hall_assigns_windows(client, app):
    sign_in(client, "hrb-manager")
    csrf = csrf_token(client, "/hall/HRB/windows")
    r = client.post("/admin/halls/HQ/windows/19/clerks", data={"csrf_token": csrf,
                                                               "clerks": ["clerk16"]})
    assert r.status_code == 403 and kinds(app, "admin.window_clerks_set") == []
