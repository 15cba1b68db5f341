"""Appointments over the API (SPEC §7): the slots a citizen sees, booking the last places at
once, cancelling before the cut-off, checking in at the kiosk, and what is refused.

HQ opens Monday to Friday 08:30–12:00 and 13:30–17:00, tickets until half an hour before each
closing; the National Day week of 2026 is off. Slots are 30 minutes; EXAM (window 3) gets its
places set by hand where a test needs a known number.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from conftest import actor
from hall import bookings, clock, hours, queue
from hall.events import SYSTEM
from hall.lookup import get_hall, get_service
from hall.models import Booking, DailyCounter, Event, ServiceBooking, SlotPlaces, Ticket
from hall.web.extensions import db
from test_concurrency import run_together

ZONE = ZoneInfo("Asia/Shanghai")
MONDAY_MORNING = "2026-11-23T10:00:00+08:00"
TUESDAY_0900 = "2026-11-24T09:00:00+08:00"
PERSON = {"name": "欧阳芒", "phone": "13800138000"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def set_places(app, service: str, places: int | None, bookable: bool = True) -> None:
    with app.app_context():
        hall = get_hall(db.session, "HQ")
        item = get_service(db.session, hall, service)
        db.session.merge(ServiceBooking(service_id=item.id, bookable=bookable,
                                        places_per_slot=places))
        db.session.commit()


def book(client, start: str = TUESDAY_0900, service: str = "EXAM", **person):
    body = {"hall": "HQ", "service": service, "start": start, **PERSON, **person}
    return client.post("/api/v1/bookings", json=body)


def written(app) -> tuple[int, ...]:
    with app.app_context():
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(table))
                     for table in (Booking, SlotPlaces, Event, DailyCounter, Ticket))


# -- slots ---------------------------------------------------------------------------------------

@pytest.mark.hall_clock(MONDAY_MORNING)
def test_slots_follow_the_opening_hours_with_the_places_left(app, client):
    set_places(app, "EXAM", 3)
    answer = client.get("/api/v1/halls/HQ/slots?service=EXAM&days=2")
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["hall"], body["service"]) == ("HQ", "EXAM")
    starts = [s["start"] for s in body["slots"]]
    # Today's slots that have not begun, then Tuesday's: from the opening to the last ticket.
    assert starts[0] == "2026-11-23T10:30:00+08:00"
    assert "2026-11-23T10:00:00+08:00" not in starts  # begun
    tuesday = [s for s in starts if s.startswith("2026-11-24")]
    assert tuesday[0] == "2026-11-24T08:30:00+08:00"
    assert "2026-11-24T11:00:00+08:00" in tuesday and "2026-11-24T11:30:00+08:00" not in tuesday
    assert "2026-11-24T13:30:00+08:00" in tuesday and tuesday[-1] == "2026-11-24T16:00:00+08:00"
    assert {s["free"] for s in body["slots"]} == {3}
    assert book(client).status_code == 201
    again = client.get("/api/v1/halls/HQ/slots?service=EXAM&from=2026-11-24&days=1").get_json()
    free = {s["start"]: s["free"] for s in again["slots"]}
    assert free[TUESDAY_0900] == 2 and free["2026-11-24T09:30:00+08:00"] == 3


@pytest.mark.hall_clock("2026-09-28T10:00:00+08:00")
def test_no_slot_on_a_holiday_and_slots_on_a_make_up_working_day(app, client):
    with app.app_context():
        hall_hours = hours.of(db.session, get_hall(db.session, "HQ"))
        days = [date(2026, 9, 28) + timedelta(days=n) for n in range(20)]
        makeup = [d for d in days if hall_hours.day(d).kind == hours.MAKEUP]
        holidays = [d for d in days if hall_hours.day(d).kind == hours.HOLIDAY]
    assert makeup and holidays
    body = client.get("/api/v1/halls/HQ/slots?service=EXAM&days=10").get_json()
    slot_days = {datetime.fromisoformat(s["start"]).date() for s in body["slots"]}
    assert not slot_days & set(holidays)
    assert makeup[0] in slot_days
    assert all(d.weekday() < 5 or d in makeup for d in slot_days)
    assert len(slot_days) == 10


@pytest.mark.hall_clock(MONDAY_MORNING)
@pytest.mark.parametrize("query", ["service=NOPE", "service=EXAM&from=2026-13-01",
                                   "service=EXAM&days=0", "service=EXAM&days=x", ""])
def test_bad_slot_queries_are_problems(client, query):
    answer = client.get(f"/api/v1/halls/HQ/slots?{query}")
    assert answer.status_code in (400, 404, 422)
    assert answer.mimetype == "application/problem+json"


# -- booking -------------------------------------------------------------------------------------

@pytest.mark.hall_clock(MONDAY_MORNING)
def test_a_booking_gives_its_codes_and_is_read_back_only_with_the_access_code(app, client):
    made = book(client)
    assert made.status_code == 201
    body = made.get_json()
    assert len(body["booking_code"]) == 8 and len(body["access_code"]) == 8
    assert body["service_no"].startswith("261124")  # the slot's day: the visit's number
    assert (body["start"], body["end"]) == (TUESDAY_0900, "2026-11-24T09:30:00+08:00")
    assert body["status"] == "booked"
    assert body["cancel_until"] == "2026-11-24T07:00:00+08:00"
    path = f"/api/v1/bookings/{body['booking_code']}"
    mine = client.get(path, headers={"X-Access-Code": body["access_code"]})
    assert mine.status_code == 200 and mine.get_json()["service_no"] == body["service_no"]
    wrong = client.get(path, headers={"X-Access-Code": "ZZZZZZZZ"})
    unknown = client.get("/api/v1/bookings/ZZZZZZZZ", headers={"X-Access-Code": "ZZZZZZZZ"})
    assert wrong.status_code == unknown.status_code == 404
    assert ({k: v for k, v in wrong.get_json().items() if k != "instance"}
            == {k: v for k, v in unknown.get_json().items() if k != "instance"})
    assert "欧阳" not in wrong.get_data(as_text=True)


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_one_active_booking_per_person_per_item_and_day(app, client):
    assert book(client).status_code == 201
    again = book(client, start="2026-11-24T10:00:00+08:00")
    assert again.status_code == 409 and again.get_json()["code"] == "already-booked"
    with_id = book(client, start="2026-11-24T10:00:00+08:00", phone="13900139000",
                   id_number="230110196505051232")
    assert with_id.status_code == 201
    same_id = book(client, start="2026-11-24T10:30:00+08:00", phone="13700137000",
                   id_number="230110196505051232")
    assert same_id.status_code == 409
    assert book(client, start="2026-11-25T09:00:00+08:00").status_code == 201  # another day


@pytest.mark.hall_clock(MONDAY_MORNING)
@pytest.mark.parametrize("change, field", [
    ({"start": "2026-11-24T09:10:00+08:00"}, None),        # not a slot
    ({"start": "2026-11-23T09:00:00+08:00"}, None),        # begun
    ({"start": "2026-10-01T09:00:00+08:00"}, None),        # past, and a holiday
    ({"start": "2026-11-24T09:00:00"}, None),              # no zone
    ({"phone": "12345"}, "phone"),
    ({"phone": "1380013800\u202e"}, "phone"),
    ({"name": ""}, "name"),
    ({"name": "名" * 41}, "name"),
    ({"id_number": "230110196505051233"}, None),           # wrong check character
    ({"service": "NOPE"}, None),
])
def test_a_bad_booking_is_a_problem_and_writes_nothing(app, client, change, field):
    before = written(app)
    answer = book(client, **change) if "start" not in change else book(client, **change)
    assert 400 <= answer.status_code < 500
    assert answer.mimetype == "application/problem+json"
    if field:
        assert answer.get_json()["field"] == field
    assert written(app) == before


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_an_item_closed_to_booking_is_said_so(app, client):
    set_places(app, "EXAM", None, bookable=False)
    answer = book(client)
    assert answer.status_code == 409 and answer.get_json()["code"] == "not-bookable"
    assert client.get("/api/v1/halls/HQ/slots?service=EXAM").get_json()["slots"] == [] or all(
        s["free"] == 0 for s in client.get("/api/v1/halls/HQ/slots?service=EXAM")
        .get_json()["slots"])


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_64_people_race_for_the_last_5_places(any_app):
    set_places(any_app, "EXAM", 5)
    start = at(TUESDAY_0900)

    def person(i):
        with any_app.app_context():
            try:
                booking = bookings.book(db.session, "HQ", "EXAM", start, name=f"访客{i}",
                                        phone=f"139{i:08d}")
                return booking.booking_code
            except bookings.SlotFull:
                return "full"

    results = run_together(64, person)
    codes = [r for r in results if r != "full"]
    assert len(codes) == 5 and len(set(codes)) == 5
    assert results.count("full") == 59
    with any_app.app_context():
        assert db.session.scalar(sa.select(SlotPlaces.taken)) == 5
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 5
        numbers = db.session.scalars(sa.select(Booking.service_no)).all()
        assert len(set(numbers)) == 5


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_cancel_and_rebook_races_never_overbook(any_app):
    set_places(any_app, "EXAM", 2)
    start = at(TUESDAY_0900)
    with any_app.app_context():
        first = bookings.book(db.session, "HQ", "EXAM", start, name="甲", phone="13900000001")
        bookings.book(db.session, "HQ", "EXAM", start, name="乙", phone="13900000002")
        code, access = first.booking_code, first.access_code

    def work(i):
        with any_app.app_context():
            try:
                if i == 0:
                    bookings.cancel(db.session, code, access)
                    return "cancelled"
                bookings.book(db.session, "HQ", "EXAM", start, name="丙", phone=f"137{i:08d}")
                return "booked"
            except bookings.SlotFull:
                return "full"

    results = run_together(16, work)
    assert results[0] == "cancelled"
    assert results.count("booked") <= 1
    with any_app.app_context():
        active = db.session.scalar(sa.select(sa.func.count()).select_from(Booking)
                                   .where(Booking.status == "booked"))
        taken = db.session.scalar(sa.select(SlotPlaces.taken))
    assert active == taken == 1 + results.count("booked") <= 2


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_cancel_frees_the_place_and_is_refused_after_the_cut_off(app, client):
    set_places(app, "EXAM", 1)
    made = book(client).get_json()
    headers = {"X-Access-Code": made["access_code"]}
    assert book(client, phone="13900139000").status_code == 409  # full
    path = f"/api/v1/bookings/{made['booking_code']}"
    assert client.delete(path, headers={"X-Access-Code": "ZZZZZZZZ"}).status_code == 404
    assert client.delete(path, headers=headers).status_code == 204
    assert client.get(path, headers=headers).get_json()["status"] == "cancelled"
    late = book(client, phone="13900139000").get_json()
    with clock.frozen(at("2026-11-24T07:30:00+08:00")):
        refused = client.delete(f"/api/v1/bookings/{late['booking_code']}",
                                headers={"X-Access-Code": late["access_code"]})
    assert refused.status_code == 409 and refused.get_json()["code"] == "past-cut-off"


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_a_booking_moves_to_a_free_slot_keeping_its_codes(app, client):
    set_places(app, "EXAM", 1)
    made = book(client).get_json()
    other = book(client, start="2026-11-24T10:00:00+08:00", phone="13900139000").get_json()
    path, headers = f"/api/v1/bookings/{made['booking_code']}", {
        "X-Access-Code": made["access_code"]}
    full = client.patch(path, json={"start": other["start"]}, headers=headers)
    assert full.status_code == 409 and full.get_json()["code"] == "slot-full"
    moved = client.patch(path, json={"start": "2026-11-24T09:30:00+08:00"}, headers=headers)
    assert moved.status_code == 200
    body = moved.get_json()
    assert (body["booking_code"], body["service_no"]) == (made["booking_code"],
                                                          made["service_no"])
    assert body["start"] == "2026-11-24T09:30:00+08:00"
    # the old place is free again, the new one taken
    free = {s["start"]: s["free"] for s in client.get(
        "/api/v1/halls/HQ/slots?service=EXAM&from=2026-11-24&days=1").get_json()["slots"]}
    assert (free[TUESDAY_0900], free["2026-11-24T09:30:00+08:00"]) == (1, 0)
    next_day = client.patch(path, json={"start": "2026-11-25T09:00:00+08:00"}, headers=headers)
    assert next_day.status_code == 200
    assert next_day.get_json()["service_no"].startswith("261125")  # the visit's new day
    wrong = client.patch(path, json={"start": TUESDAY_0900}, headers={"X-Access-Code": "Z"})
    assert wrong.status_code == 404
    with app.app_context():
        kinds = db.session.scalars(sa.select(Event.kind).where(Event.kind == "booking.moved"))
        assert len(kinds.all()) == 2


# -- check-in ------------------------------------------------------------------------------------

def check_in(client, code: str, hall: str = "HQ"):
    return client.post("/api/v1/check-ins", json={"hall": hall, "booking_code": code})


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_check_in_from_early_to_late_gives_an_appointment_ticket_once(app, client):
    made = book(client).get_json()
    code = made["booking_code"]
    with clock.frozen(at("2026-11-24T08:29:00+08:00")):
        early = check_in(client, code)
    assert early.status_code == 409 and early.get_json()["code"] == "too-early"
    assert early.get_json()["check_in_from"] == "2026-11-24T08:30:00+08:00"
    with clock.frozen(at("2026-11-24T08:45:00+08:00")):
        ticket = check_in(client, f"https://hall.example/bookings/{code.lower()}")
        again = check_in(client, code)
    assert ticket.status_code == 201, ticket.get_json()
    body = ticket.get_json()
    assert body["number"] == "Y001"
    assert (body["service_no"], body["access_code"]) == (made["service_no"],
                                                         made["access_code"])
    assert again.status_code == 409 and again.get_json()["code"] == "already-checked-in"
    assert "Y001" in again.get_json()["title"]


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_check_in_too_late_cancelled_or_unknown_writes_nothing(app, client):
    late = book(client).get_json()
    gone = book(client, phone="13900139000").get_json()
    client.delete(f"/api/v1/bookings/{gone['booking_code']}",
                  headers={"X-Access-Code": gone["access_code"]})
    before = written(app)
    with clock.frozen(at("2026-11-24T09:16:00+08:00")):
        too_late = check_in(client, late["booking_code"])
        cancelled = check_in(client, gone["booking_code"])
        unknown = check_in(client, "ZZZZZZZZ")
    assert too_late.status_code == 409 and too_late.get_json()["code"] == "too-late"
    assert cancelled.status_code == 409 and cancelled.get_json()["code"] == "cancelled"
    assert unknown.status_code == 404
    assert written(app) == before


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_a_checked_in_appointment_is_called_before_walk_ins_once_its_slot_began(app, client):
    made = book(client).get_json()
    clerk = actor(app, "clerk03")
    with clock.frozen(at("2026-11-24T08:40:00+08:00")) as frozen, app.app_context():
        from hall import issuing
        walk_in = issuing.issue_ticket(db.session, "HQ", "EXAM").number
        frozen.advance(minutes=10)
        assert check_in(client, made["booking_code"]).status_code == 201
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        frozen.advance(minutes=11)  # 09:01: the slot has begun
        first = queue.call_next(db.session, "HQ", 3, actor=clerk).number
    assert (first, walk_in) == ("Y001", "A001")


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_missed_appointments_block_booking_for_a_while(app, client):
    with app.app_context():
        for day in ("2026-11-24", "2026-11-25", "2026-11-26"):
            with clock.frozen(at(f"{day}T08:00:00+08:00") - timedelta(days=1)):
                bookings.book(db.session, "HQ", "EXAM", at(f"{day}T09:00:00+08:00"),
                              **PERSON)
            with clock.frozen(at(f"{day}T09:14:00+08:00")):
                assert bookings.record_missed(db.session, actor=SYSTEM) == 0  # still in time
            with clock.frozen(at(f"{day}T09:16:00+08:00")):
                assert bookings.record_missed(db.session, actor=SYSTEM) == 1
                assert bookings.record_missed(db.session, actor=SYSTEM) == 0  # once
    with app.app_context():
        kinds = db.session.scalars(sa.select(Event.kind).where(Event.kind.like("booking.%"))
                                   .order_by(Event.id)).all()
        taken = db.session.scalars(sa.select(SlotPlaces.taken)).all()
    assert kinds == ["booking.made", "booking.missed"] * 3
    assert taken == [0, 0, 0]  # each missed place freed
    with clock.frozen(at("2026-11-27T10:00:00+08:00")):
        refused = book(client, start="2026-11-30T09:00:00+08:00")
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["code"] == "booking-blocked" and body["blocked_until"] == "2026-12-26"
    with clock.frozen(at("2026-12-28T10:00:00+08:00")):
        assert book(client, start="2026-12-29T09:00:00+08:00").status_code == 201
