"""Queueing from home (远程取号, issue 14 step 4): join today's queue from the phone, wait
"not yet arrived" while call-next passes the ticket by, arrive by the door's QR code of the
day, and what is refused (a full share, a second ticket for one number, yesterday's door code,
the hall closed, bad input), on the page and over the API.

HQ opens Monday to Friday 08:30–12:00 and 13:30–17:00; EXAM is served by windows 3, 4 and 21.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from conftest import actor
from hall import clock, endofday, live, queue, remote, slots, ticket_states
from hall.lookup import get_hall, get_service
from hall.models import BookingRules, DailyCounter, Event, RemoteTicket, Ticket
from hall.web.extensions import db
from test_concurrency import run_together

MONDAY_MORNING = "2026-11-23T10:00:00+08:00"
TODAY = date(2026, 11, 23)
CLOSING = datetime.fromisoformat("2026-11-23T18:30:00+08:00")
SECRET = "test-secret-key-not-for-production"  # TestConfig's
PHONE = "13800138000"


def csrf(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def join_page(client, service: str = "EXAM", phone: str = PHONE):
    return client.post("/queue/HQ", data={"csrf_token": csrf(client, "/queue/HQ"),
                                          "service": service, "phone": phone})


def join_api(client, service: str = "EXAM", phone: str = PHONE):
    return client.post("/api/v1/remote-tickets",
                       json={"hall": "HQ", "service": service, "phone": phone})


def door(day: date = TODAY, hall: str = "HQ") -> str:
    return f"/queue/{hall}/here/{remote.door_code(SECRET, hall, day)}"


def walk_in(client) -> dict:
    return client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"}).get_json()


def written(app) -> tuple[int, ...]:
    with app.app_context():
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(table))
                     for table in (Ticket, RemoteTicket, Event, DailyCounter))


def away_of(app, number: str) -> bool:
    with app.app_context():
        return db.session.scalar(sa.select(Ticket.away).where(Ticket.number == number))


def set_percent(app, percent: int) -> None:
    with app.app_context():
        hall = get_hall(db.session, "HQ")
        db.session.merge(BookingRules(hall_id=hall.id, slot_minutes=30, walk_in_percent=50,
                                      days_ahead=10, cancel_before_minutes=120,
                                      remote_percent=percent))
        db.session.commit()


def places(app, percent: int | None = None) -> int:
    with app.app_context():
        hall = get_hall(db.session, "HQ")
        item = get_service(db.session, hall, "EXAM")
        rules = slots.Rules(remote_percent=percent) if percent is not None else None
        return remote.places(db.session, hall, item, TODAY, rules)


# -- joining and arriving --------------------------------------------------------------------

@pytest.mark.hall_clock(MONDAY_MORNING)
def test_joined_from_home_the_live_ticket_says_not_yet_arrived(app, client):
    page = client.get("/queue/HQ").get_data(as_text=True)
    assert "远程取号" in page and "公务员考试录用资格复审" in page
    answer = join_page(client)
    assert answer.status_code == 302
    assert re.fullmatch(r"/t/\d{14}[\dX]\?c=\w{8}", answer.headers["Location"])
    live = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "A001" in live
    note = re.search(r"<p class=\"away-note\" data-away-note ?(hidden)?>", live)
    assert note and note.group(1) is None  # shown
    assert "尚未到达" in live and "扫描大厅门口的二维码" in live
    assert "您的排队位置保留至 2026-11-23 11:00" in live  # REMOTE_HOLD_MINUTES after joining
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        assert (ticket.source, ticket.away, ticket.status) == ("remote", True, "waiting")
        state = ticket_states.read(db.session, [ticket.id])[ticket.id]
        assert state.message(notify_ahead=3)["away"] is True


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_call_next_passes_an_away_ticket_by_and_calls_it_in_its_place_once_arrived(
        app, client):
    join_page(client)                     # A001, from home
    walk_in(client), walk_in(client)       # A002, A003 in the hall
    clerk = actor(app, "clerk03")
    with app.app_context():
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        assert queue.call_next(db.session, "HQ", 3, actor=clerk).number == "A002"
        queue.finish(db.session, "HQ", 3, actor=clerk)
    # People ahead still count the one from home: they may arrive any moment.
    with app.app_context():
        a3 = db.session.scalar(sa.select(Ticket).where(Ticket.number == "A003"))
        assert ticket_states.read(db.session, [a3.id])[a3.id].ahead == 1
    # At the door: this browser's ticket, one tap.
    page = client.get(door()).get_data(as_text=True)
    assert "我已到达" in page and "A001" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    service_no = re.search(r'name="ticket" value="(\d{14}[\dX])"', page).group(1)
    arrived = client.post(door(), data={"csrf_token": token, "ticket": service_no})
    assert arrived.status_code == 302 and arrived.headers["Location"].startswith(f"/t/{service_no}")
    assert away_of(app, "A001") is False
    live = client.get(arrived.headers["Location"]).get_data(as_text=True)
    assert re.search(r"data-away-note hidden", live)
    with app.app_context():
        assert queue.call_next(db.session, "HQ", 3, actor=clerk).number == "A001"
        event = db.session.scalar(sa.select(Event).where(Event.kind == "ticket.arrived"))
        assert event.data["number"] == "A001" and event.seq is not None
    # A second tap changes nothing and says it is done.
    again = client.post(door(), data={"csrf_token": token, "service_no": service_no,
                                      "code": re.search(r"c=(\w+)", arrived.headers["Location"])
                                      .group(1)})
    assert again.status_code == 302


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_another_phone_arrives_with_the_number_and_access_code(app, client):
    made = join_api(client).get_json()
    other = app.test_client()
    page = other.get(door()).get_data(as_text=True)
    assert 'name="service_no"' in page and "我已到达" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    wrong = other.post(door(), data={"csrf_token": token, "service_no": made["service_no"],
                                     "code": "ZZZZZZZZ"})
    assert wrong.status_code == 404 and away_of(app, "A001") is True
    right = other.post(door(), data={"csrf_token": token, "service_no": made["service_no"],
                                     "code": made["access_code"].lower()})
    assert right.status_code == 302 and away_of(app, "A001") is False


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_yesterdays_door_code_is_refused_and_nothing_is_written(app, client):
    made = join_api(client).get_json()
    yesterday = door(TODAY - timedelta(days=1))
    page = client.get(yesterday)
    assert page.status_code == 409 and "不是今天" in page.get_data(as_text=True)
    before = written(app)
    token = csrf(client, "/queue/HQ")
    refused = client.post(yesterday, data={"csrf_token": token,
                                           "service_no": made["service_no"],
                                           "code": made["access_code"]})
    assert refused.status_code == 409
    api = client.post("/api/v1/arrivals", json={
        "hall": "HQ", "door_code": remote.door_code(SECRET, "HQ", TODAY - timedelta(days=1)),
        "service_no": made["service_no"], "access_code": made["access_code"]})
    assert api.status_code == 409 and api.get_json()["code"] == "door-code-wrong"
    # another hall's code of today does not open this hall's door either
    hrb = client.post("/api/v1/arrivals", json={
        "hall": "HQ", "door_code": remote.door_code(SECRET, "HRB", TODAY),
        "service_no": made["service_no"], "access_code": made["access_code"]})
    assert hrb.status_code == 409
    assert written(app) == before and away_of(app, "A001") is True


def test_the_door_code_changes_daily_and_needs_the_secret():
    codes = {remote.door_code(SECRET, "HQ", TODAY + timedelta(days=n)) for n in range(30)}
    assert len(codes) == 30
    code = remote.door_code(SECRET, "HQ", TODAY)
    assert len(code) == 10 and set(code) <= set(remote.DOOR_ALPHABET)
    assert not set(code) & set("01OIL")
    assert remote.door_code("another secret", "HQ", TODAY) != code
    assert remote.door_code(SECRET, "HRB", TODAY) != code
    assert remote.is_door_code(SECRET, "HQ", TODAY, code.lower())


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_the_api_joins_and_arrives(app, client):
    made = join_api(client, phone="+86 138-0013-8000")
    assert made.status_code == 201
    body = made.get_json()
    assert (body["number"], body["away"], body["status"]) == ("A001", True, "waiting")
    assert body["ticket_url"].endswith(f"/t/{body['service_no']}?c={body['access_code']}")
    arrival = {"hall": "HQ", "door_code": remote.door_code(SECRET, "HQ", TODAY),
               "service_no": body["service_no"], "access_code": body["access_code"]}
    first = client.post("/api/v1/arrivals", json=arrival)
    assert first.status_code == 200
    assert first.get_json() == {"number": "A001", "service_no": body["service_no"],
                                "away": False, "already": False}
    events = written(app)[2]
    second = client.post("/api/v1/arrivals", json=arrival)
    assert second.status_code == 200 and second.get_json()["already"] is True
    assert written(app)[2] == events  # nothing written the second time
    # A ticket taken at the kiosk has nothing to check in.
    kiosk = walk_in(client)
    not_remote = client.post("/api/v1/arrivals", json={
        **arrival, "service_no": kiosk["service_no"], "access_code": kiosk["access_code"]})
    assert not_remote.status_code == 409 and not_remote.get_json()["code"] == "not-remote"
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/remote-tickets", "/api/v1/arrivals"} <= set(spec["paths"])
    # Displays and consoles hear the arrival as a queue move; followed phones re-read.
    with app.app_context():
        arrived = db.session.scalar(sa.select(Event).where(Event.kind == "ticket.arrived"))
        message = {"seq": arrived.seq, "hall": "HQ", "kind": arrived.kind,
                   "at": arrived.at.isoformat(), "data": arrived.data}
    name, payload = live.floor_message(message, {"EXAM": 1}, {})
    assert (name, payload["kind"], payload["number"]) == ("queue", "arrived", "A001")
    assert live.moves_tickets(message)


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_a_ticket_no_longer_waiting_cannot_arrive_and_the_clerk_may_call_it_by_number(
        app, client):
    body = join_api(client).get_json()
    clerk = actor(app, "clerk03")
    with app.app_context():
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        assert queue.call_next(db.session, "HQ", 3, actor=clerk) is None  # only A001, away
        called = queue.call_ticket(db.session, "HQ", 3, "A001", actor=clerk)
        assert (called.status, called.away) == ("called", False)
        queue.mark_no_show(db.session, "HQ", 3, actor=clerk)
    answer = client.post("/api/v1/arrivals", json={
        "hall": "HQ", "door_code": remote.door_code(SECRET, "HQ", TODAY),
        "service_no": body["service_no"], "access_code": body["access_code"]})
    assert answer.status_code == 200 and answer.get_json()["already"] is True


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_a_kiosk_of_the_hall_checks_in_without_the_door_code(app, client):
    body = join_api(client).get_json()
    arrival = {"hall": "HQ", "service_no": body["service_no"],
               "access_code": body["access_code"]}
    # A phone elsewhere is no kiosk: without the door's code it is refused.
    stranger = client.post("/api/v1/arrivals", json=arrival,
                           environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert stranger.status_code == 401 and away_of(app, "A001") is True
    kiosk = client.post("/api/v1/arrivals", json=arrival)  # loopback: a trusted kiosk
    assert kiosk.status_code == 200 and away_of(app, "A001") is False
    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.kind == "ticket.arrived"))
    assert (event.actor, event.data["door"]) == ("kiosk", False)


# -- what is refused -------------------------------------------------------------------------

@pytest.mark.hall_clock(MONDAY_MORNING)
def test_one_remote_ticket_per_mobile_number_item_and_day(app, client):
    assert join_api(client).status_code == 201
    again = join_api(client, phone="138 0013 8000")
    assert again.status_code == 409 and again.get_json()["code"] == "already-queued"
    page = join_page(client)
    assert page.status_code == 409 and "已有" in page.get_data(as_text=True)
    assert join_api(client, service="RECRUIT").status_code == 201  # another item
    assert join_api(client, phone="13900139000").status_code == 201  # another number
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RemoteTicket)) == 3
        seqs = db.session.scalars(sa.select(Ticket.number).order_by(Ticket.id)).all()
    assert seqs == ["A001", "B001", "A002"] or len(set(seqs)) == 3  # no number lost


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_the_share_of_the_day_is_the_limit(app, client):
    set_percent(app, 0)
    full = join_api(client)
    assert full.status_code == 409 and full.get_json()["code"] == "remote-full"
    page = client.get("/queue/HQ").get_data(as_text=True)
    assert "今日远程取号名额已满" in page
    assert written(app)[0] == 0
    with app.app_context():  # the refused join gave its numbers back
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DailyCounter)) == 0
    set_percent(app, 20)
    # EXAM: 3 windows × 420 minutes of opening ÷ its standard minutes, 20 % of it.
    assert places(app) > 0 and places(app, 100) >= places(app) * 5 - 4


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_64_people_join_the_last_5_places_at_once(any_app):
    percent = next(p for p in range(1, 101) if places(any_app, p) >= 6)
    set_percent(any_app, percent)
    quota = places(any_app)
    with any_app.app_context():
        for i in range(quota - 5):
            remote.join(db.session, "HQ", "EXAM", phone=f"137{i:08d}")

    def person(i):
        with any_app.app_context():
            try:
                return remote.join(db.session, "HQ", "EXAM", phone=f"139{i:08d}").number
            except remote.RemoteFull:
                return "full"

    results = run_together(64, person)
    joined = [r for r in results if r != "full"]
    assert len(joined) == 5 and len(set(joined)) == 5
    with any_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RemoteTicket)) == quota
        seqs = sorted(db.session.scalars(sa.select(Ticket.seq)).all())
        counter = db.session.scalar(sa.select(DailyCounter.value)
                                    .where(DailyCounter.name == "A"))
    assert seqs == list(range(1, quota + 1)) and counter == quota  # no gap: refusals gave back


@pytest.mark.hall_clock("2026-11-22T10:00:00+08:00")  # a Sunday
def test_outside_the_hours_nothing_is_taken_and_the_page_says_when_it_opens(app, client):
    page = client.get("/queue/HQ")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "data-closed" in html and 'name="phone"' not in html
    assert "明天（星期一）08:30" in html
    answer = join_api(client)
    assert answer.status_code == 409 and answer.get_json()["code"] == "hall-closed"
    assert answer.get_json()["next_opening"].startswith("2026-11-23T08:30")
    assert written(app) == (0, 0, 0, 0)


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_bad_input_gets_a_clear_answer_and_writes_nothing(app, client):
    bad = join_api(client, phone="12345")
    assert bad.status_code == 422 and bad.get_json()["field"] == "phone"
    token = csrf(client, "/queue/HQ")
    page = client.post("/queue/HQ", data={"csrf_token": token, "service": "EXAM",
                                          "phone": "call me"})
    assert page.status_code == 422 and "11 位" in page.get_data(as_text=True)
    assert client.post("/queue/HQ", data={"csrf_token": token, "service": "EXAM",
                                          "phone": "138\x0000138000"}).status_code == 400
    assert join_api(client, phone="1" * 41).status_code == 422
    assert join_api(client, phone="138\u000000138000").status_code == 422
    assert join_api(client, service="NOPE").status_code == 404
    assert client.post("/queue/HQ", data={"csrf_token": token, "service": "X" * 5000,
                                          "phone": PHONE}).status_code == 404
    assert client.post("/queue/HQ", data={"service": "EXAM", "phone": PHONE}).status_code == 400
    for body in ({"hall": "HQ", "door_code": "x" * 65, "service_no": "1", "access_code": "A"},
                 {"hall": "HQ", "door_code": "\u0000", "service_no": "1", "access_code": "A"},
                 {"hall": "HQ", "door_code": "ABC"},
                 {"hall": "HQ", "door_code": "", "service_no": "1", "access_code": "A"}):
        assert client.post("/api/v1/arrivals", json=body).status_code == 422
    nonsense = client.post("/api/v1/arrivals", json={
        "hall": "HQ", "door_code": remote.door_code(SECRET, "HQ", TODAY),
        "service_no": "not a number", "access_code": "名字"})
    assert nonsense.status_code == 404
    assert client.get("/queue/HQ/here/%00").status_code == 400
    assert client.get("/queue/NOPE").status_code == 404
    assert written(app) == (0, 0, 0, 0)


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_joining_is_limited_per_address(app, client):
    app.config["REMOTE_RATE_LIMIT"] = "2 per hour"
    assert join_api(client).status_code == 201
    assert join_api(client).status_code == 409  # counted too
    assert join_api(client, phone="13900139000").status_code == 429


# -- end of day, the door's QR code ----------------------------------------------------------

@pytest.mark.hall_clock(MONDAY_MORNING)
def test_end_of_day_closes_the_tickets_that_never_arrived(app, client):
    never = join_api(client).get_json()
    came = join_api(client, phone="13900139000").get_json()
    client.post("/api/v1/arrivals", json={
        "hall": "HQ", "door_code": remote.door_code(SECRET, "HQ", TODAY),
        "service_no": came["service_no"], "access_code": came["access_code"]})
    with app.app_context(), clock.frozen(CLOSING):
        result = endofday.close_day(db.session, "HQ")
        closed = db.session.scalar(sa.select(Event).where(Event.kind == "day.closed"))
        statuses = dict(db.session.execute(sa.select(Ticket.number, Ticket.status)).all())
    assert (result.unserved, result.never_arrived) == (2, 1)
    assert closed.data["never_arrived"] == 1
    assert closed.data["totals"]["never_arrived"] == 1  # kept with the day's report too
    assert statuses == {never["number"]: "unserved", came["number"]: "unserved"}


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_the_manager_prints_todays_door_qr_code(app, client):
    from test_auth import sign_in

    manager = app.test_client()
    sign_in(manager, "manager")
    page = manager.get("/hall/HQ/door")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in html
    assert f"http://localhost{door()}" in html
    assert 'href="/hall/HQ/door"' in manager.get("/hall/HQ/dashboard").get_data(as_text=True)
    other = app.test_client()
    sign_in(other, "hrb-manager")
    assert other.get("/hall/HQ/door").status_code == 403
    assert client.get("/hall/HQ/door").status_code in (302, 401)
    result = app.test_cli_runner().invoke(args=["door-code", "HQ", "--base",
                                                "https://hall.example.cn"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == f"https://hall.example.cn{door()}"


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_the_place_is_kept_while_travelling_not_all_day(app, client):
    """REMOTE_HOLD_MINUTES (60): a visitor arriving within the hour is called in the place
    taken at home; one arriving later queues from the arrival, behind those who waited."""
    on_time = join_api(client, phone="13800138001").get_json()   # A001 at 10:00
    late = join_api(client, phone="13800138002").get_json()      # A002 at 10:00
    with clock.frozen(datetime.fromisoformat("2026-11-23T10:30:00+08:00")):
        walk_in(client)                                           # A003 at 10:30
    kiosk_arrival = {"hall": "HQ"}
    with clock.frozen(datetime.fromisoformat("2026-11-23T10:55:00+08:00")):
        r = client.post("/api/v1/arrivals", json={**kiosk_arrival,
                                                  "service_no": on_time["service_no"],
                                                  "access_code": on_time["access_code"]})
        assert r.status_code == 200, r.get_json()
    with clock.frozen(datetime.fromisoformat("2026-11-23T11:05:00+08:00")):
        r = client.post("/api/v1/arrivals", json={**kiosk_arrival,
                                                  "service_no": late["service_no"],
                                                  "access_code": late["access_code"]})
        assert r.status_code == 200, r.get_json()
        clerk = actor(app, "clerk03")
        called = []
        with app.app_context():
            queue.open_window(db.session, "HQ", 3, actor=clerk)
            for _ in range(3):
                called.append(queue.call_next(db.session, "HQ", 3, actor=clerk).number)
                queue.finish(db.session, "HQ", 3, actor=clerk)
            events = {e.data["number"]: e.data["late"] for e in db.session.scalars(
                sa.select(Event).where(Event.kind == "ticket.arrived"))}
    assert called == ["A001", "A003", "A002"]
    assert events == {"A001": False, "A002": True}
