"""Rules a hall will expect (#14): an administrator sets how the hall takes bookings (its rules,
each item's places per slot) on a page and from the command line, and a closure that takes
away booked slots warns first and then cancels those bookings in the same transaction.

HQ on Monday 23 November 2026, 10:00: opens Monday to Friday 08:30–12:00 and 13:30–17:00,
tickets until half an hour before each closing, slots of 30 minutes. EXAM is served at
window 3. The calendar's holiday and make-up day rules for slots are in test_bookings.py; here
they are checked on the administrator's page.
"""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from conftest import actor
from hall import booking_admin, bookings, closures, hours, hours_admin, remote, slots
from hall import db as hall_db
from hall.errors import NotAnAdministrator
from hall.lookup import get_hall, get_service
from hall.models import (
    Booking,
    BookingRules,
    Event,
    Notification,
    OpeningException,
    ServiceBooking,
    SlotPlaces,
)
from hall.web.extensions import db
from test_auth import csrf_token, sign_in

MONDAY_MORNING = "2026-11-23T10:00:00+08:00"
TUESDAY = date(2026, 11, 24)
PAGE = "/admin/halls/HQ/booking"
HOURS = "/admin/halls/HQ/hours"
PHONES = iter(f"1380013{n:04d}" for n in range(10_000))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def book(app, start: str, service: str = "EXAM") -> str:
    with app.app_context():
        made = bookings.book(db.session, "HQ", service, at(start), name="欧阳芒",
                             phone=next(PHONES))
        return made.booking_code


def places(app, service: str, mode: str, number: object = None) -> None:
    with app.app_context():
        booking_admin.set_places(db.session, "HQ", service, mode, number,
                                 actor=actor(app, "admin"))


def statuses(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(sa.select(Booking.booking_code, Booking.status)).all())


def taken(app, start: str, service: str = "EXAM") -> int:
    with app.app_context():
        hall = get_hall(db.session, "HQ")
        item = get_service(db.session, hall, service)
        return db.session.scalar(sa.select(SlotPlaces.taken).where(
            SlotPlaces.service_id == item.id, SlotPlaces.start == at(start))) or 0


def written(app) -> tuple[int, ...]:
    with app.app_context():
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(table))
                     for table in (Event, BookingRules, ServiceBooking, OpeningException))


def events(app, kind: str) -> list[Event]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(Event).where(Event.kind == kind)
                                        .order_by(Event.id)))
        db.session.expunge_all()
        return found


RULES = {"slot_minutes": 30, "walk_in_percent": 50, "days_ahead": 10,
         "cancel_before_minutes": 120}


# -- the rules and the places ----------------------------------------------------------------------

@pytest.mark.hall_clock(MONDAY_MORNING)
def test_rules_change_the_places_that_result_and_are_audited(app):
    admin = actor(app, "admin")
    with app.app_context():
        hall = get_hall(db.session, "HQ")
        exam = get_service(db.session, hall, "EXAM")
        before = slots.places_per_slot(db.session, exam, slots.rules_of(db.session, hall))
        assert booking_admin.set_rules(db.session, "HQ", {**RULES, "walk_in_percent": 0,
                                                          "days_ahead": "3"}, actor=admin)
        after = slots.places_per_slot(db.session, exam, slots.rules_of(db.session, hall))
        assert after == 2 * before > 0  # no share kept for walk-ins: twice the places
        assert len({s.start.date() for s in slots.slots(db.session, hall, exam)}) == 3
        # The same again changes nothing and records nothing.
        assert not booking_admin.set_rules(db.session, "HQ", {**RULES, "walk_in_percent": 0,
                                                              "days_ahead": 3}, actor=admin)
    [event] = events(app, "booking.rules_set")
    assert event.actor == "admin"
    assert event.data["changed"] == {"walk_in_percent": {"before": 50, "after": 0},
                                     "days_ahead": {"before": 10, "after": 3}}


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_an_item_s_places_by_hand_computed_or_closed(app):
    places(app, "EXAM", "by-hand", "4")
    with app.app_context():
        [exam] = [i for i in booking_admin.items(db.session, get_hall(db.session, "HQ"))
                  if i.service.code == "EXAM"]
        assert (exam.mode, exam.own, exam.places) == ("by-hand", 4, 4)
        assert exam.slots and {s.places for s in exam.slots} == {4}
    places(app, "EXAM", "closed")
    with app.app_context():
        hall = get_hall(db.session, "HQ")
        exam_item = get_service(db.session, hall, "EXAM")
        assert not slots.bookable(db.session, exam_item, slots.rules_of(db.session, hall))
    places(app, "EXAM", "computed")
    kept = [(e.data["before"], e.data["after"]) for e in events(app, "booking.places_set")]
    assert kept == [("computed", "4"), ("4", "closed"), ("closed", "computed")]


BAD_RULES = [("slot_minutes", 4), ("slot_minutes", 241), ("slot_minutes", "abc"),
             ("walk_in_percent", 101), ("walk_in_percent", "-1"), ("days_ahead", 0),
             ("days_ahead", 61), ("cancel_before_minutes", 10081),
             ("cancel_before_minutes", "3\x00"), ("slot_minutes", "9" * 3000),
             ("slot_minutes", ""), ("slot_minutes", "３０"), ("walk_in_percent", 2.5)]


@pytest.mark.hall_clock(MONDAY_MORNING)
@pytest.mark.parametrize("field, value", BAD_RULES)
def test_nonsense_rules_are_refused_in_words_and_nothing_is_written(any_app, field, value):
    before = written(any_app)
    with any_app.app_context(), pytest.raises(booking_admin.InvalidBookingRule) as refused:
        booking_admin.set_rules(db.session, "HQ", {**RULES, field: value},
                                actor=actor(any_app, "admin"))
    assert refused.value.field == field and "whole number" in str(refused.value)
    assert written(any_app) == before


@pytest.mark.hall_clock(MONDAY_MORNING)
@pytest.mark.parametrize("mode, value", [("by-hand", "-1"), ("by-hand", "501"),
                                         ("by-hand", "x"), ("by-hand", "2\x00"),
                                         ("by-hand", None), ("bogus", "3"), ("", "")])
def test_nonsense_places_are_refused_and_nothing_is_written(any_app, mode, value):
    before = written(any_app)
    with any_app.app_context(), pytest.raises(booking_admin.InvalidPlaces):
        booking_admin.set_places(db.session, "HQ", "EXAM", mode, value,
                                 actor=actor(any_app, "admin"))
    assert written(any_app) == before


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_only_an_administrator_of_the_hall_sets_them(app):
    before = written(app)
    with app.app_context():
        for move in (lambda who: booking_admin.set_rules(db.session, "HQ", RULES, actor=who),
                     lambda who: booking_admin.set_places(db.session, "HQ", "EXAM", "closed",
                                                          actor=who)):
            for username in ("clerk03", "manager"):
                with pytest.raises(NotAnAdministrator):
                    move(actor(app, username))
    assert written(app) == before


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_fewer_places_never_take_away_places_already_taken(any_app):
    places(any_app, "EXAM", "by-hand", 3)
    slot = "2026-11-24T09:00:00+08:00"
    codes = [book(any_app, slot) for _ in range(3)]
    places(any_app, "EXAM", "by-hand", 1)
    assert {statuses(any_app)[c] for c in codes} == {"booked"}
    assert taken(any_app, slot) == 3
    with any_app.app_context():
        hall = get_hall(db.session, "HQ")
        [exam] = [i for i in booking_admin.items(db.session, hall) if i.service.code == "EXAM"]
        assert [(o.start, o.taken, o.places) for o in exam.overfull] == [(at(slot), 3, 1)]
        with pytest.raises(bookings.SlotFull):
            bookings.book(db.session, "HQ", "EXAM", at(slot), name="欧阳芒",
                          phone=next(PHONES))
    assert taken(any_app, slot) == 3
    book(any_app, "2026-11-24T09:30:00+08:00")  # another slot has its one place


# -- the share taken from home ----------------------------------------------------------------------

def exam_item(app) -> booking_admin.ItemPlaces:
    with app.app_context():
        [exam] = [i for i in booking_admin.items(db.session, get_hall(db.session, "HQ"), days=0)
                  if i.service.code == "EXAM"]
        return exam


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_the_share_taken_from_home_is_a_rule_audited_and_sets_today_s_places(any_app):
    admin = actor(any_app, "admin")
    # The default 20 %: EXAM's windows (3) × today's 420 opening minutes ÷ 15 minutes × 20 %.
    assert exam_item(any_app).remote_places == 16
    with any_app.app_context():
        assert booking_admin.set_rules(db.session, "HQ", {**RULES, "remote_percent": "50"},
                                       actor=admin)
        hall = get_hall(db.session, "HQ")
        exam = get_service(db.session, hall, "EXAM")
        # The page's figure is the very count that refuses a join.
        assert remote.places(db.session, hall, exam, date(2026, 11, 23)) == 42
    assert exam_item(any_app).remote_places == 42
    # The other rules given without it (an older form) leave it as it is.
    with any_app.app_context():
        assert booking_admin.set_rules(db.session, "HQ", {**RULES, "days_ahead": 5},
                                       actor=admin)
        assert slots.rules_of(db.session, get_hall(db.session, "HQ")).remote_percent == 50
    assert [e.data["changed"] for e in events(any_app, "booking.rules_set")] == [
        {"remote_percent": {"before": 20, "after": 50}},
        {"days_ahead": {"before": 10, "after": 5}}]

    # 0 turns queueing from home off: nobody can join.
    with any_app.app_context():
        booking_admin.set_rules(db.session, "HQ", {**RULES, "remote_percent": 0}, actor=admin)
        with pytest.raises(remote.RemoteFull):
            remote.join(db.session, "HQ", "EXAM", phone="13800138000")
    assert exam_item(any_app).remote_places == 0


@pytest.mark.hall_clock(MONDAY_MORNING)
@pytest.mark.parametrize("value", [101, "-1", "", "2\x00", "五十", 20.5, True, None])
def test_a_nonsense_share_from_home_is_refused_and_nothing_is_written(any_app, value):
    before = written(any_app)
    with any_app.app_context(), pytest.raises(booking_admin.InvalidBookingRule) as refused:
        booking_admin.set_rules(db.session, "HQ", {**RULES, "remote_percent": value},
                                actor=actor(any_app, "admin"))
    assert refused.value.field == "remote_percent"
    assert "0 to 100" in str(refused.value)
    assert written(any_app) == before


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_the_page_sets_the_share_from_home_and_shows_today_s_places(app, client):
    sign_in(client, "admin")
    page = client.get(PAGE).get_data(as_text=True)
    assert 'name="remote_percent" value="20"' in page
    assert 'data-remote-places="16"' in page
    form = {name: str(value) for name, value in RULES.items()}
    refused = post(client, PAGE, {**form, "remote_percent": "120"})
    assert refused.status_code == 422 and 'value="120"' in refused.get_data(as_text=True)
    assert events(app, "booking.rules_set") == []
    assert post(client, PAGE, {**form, "remote_percent": "5"}).status_code == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert 'name="remote_percent" value="5"' in page
    assert 'data-remote-places="4"' in page  # 3 × 420 ÷ 15 × 5 % = 4.2
    [event] = events(app, "booking.rules_set")
    assert event.data["changed"] == {"remote_percent": {"before": 20, "after": 5}}
    audit = client.get("/admin/audit?kind=booking.").get_data(as_text=True)
    assert "remote_percent" not in audit  # named in words


# -- a closure cancels bookings, with a warning first ----------------------------------------------

def close_tuesday(app, confirmed=False, spans: hours.Spans = ()):
    admin = actor(app, "admin")
    with app.app_context():
        return closures.change_hours(
            db.session, "HQ", lambda: hours_admin.set_exception(
                db.session, "HQ", TUESDAY, spans, "停电", actor=admin),
            actor=admin, confirmed=confirmed)


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_closing_a_day_warns_first_and_cancels_only_once_confirmed(any_app):
    places(any_app, "EXAM", "by-hand", 3)
    tuesday = [book(any_app, "2026-11-24T09:00:00+08:00"),
               book(any_app, "2026-11-24T14:00:00+08:00")]
    wednesday = book(any_app, "2026-11-25T09:00:00+08:00")
    before = written(any_app)

    with pytest.raises(closures.BookingsWouldBeCancelled) as warned:
        close_tuesday(any_app)
    assert [b.booking_code for b in warned.value.bookings] == tuesday
    assert [b.start for b in warned.value.bookings] == [at("2026-11-24T09:00:00+08:00"),
                                                        at("2026-11-24T14:00:00+08:00")]
    assert str(warned.value) == ("2 bookings on 2026-11-24 will be cancelled and their "
                                 "holders told.")
    # Nothing before the confirm: the hall still opens, the bookings hold their places.
    assert written(any_app) == before
    assert set(statuses(any_app).values()) == {"booked"}
    assert taken(any_app, "2026-11-24T09:00:00+08:00") == 1

    # A confirmation that misses one of them (booked meanwhile) warns again.
    with pytest.raises(closures.BookingsWouldBeCancelled):
        close_tuesday(any_app, confirmed=tuesday[:1])
    assert written(any_app) == before

    _result, cancelled = close_tuesday(any_app, confirmed=tuesday)
    assert [c.booking_code for c in cancelled] == tuesday
    now = statuses(any_app)
    assert [now[c] for c in tuesday] == ["cancelled", "cancelled"]
    assert now[wednesday] == "booked"
    assert taken(any_app, "2026-11-24T09:00:00+08:00") == 0
    assert taken(any_app, "2026-11-24T14:00:00+08:00") == 0
    told = events(any_app, "booking.cancelled")
    assert [(e.data["booking"], e.data["reason"], e.actor) for e in told] == [
        (code, "hall-closed", "admin") for code in tuesday]
    assert len(events(any_app, "hours.exception_set")) == 1
    with any_app.app_context():
        hall = get_hall(db.session, "HQ")
        exam = get_service(db.session, hall, "EXAM")
        assert not [s for s in slots.slots(db.session, hall, exam) if s.start.date() == TUESDAY]


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_shorter_hours_cancel_only_the_slots_they_take_away(app):
    places(app, "EXAM", "by-hand", 3)
    morning = book(app, "2026-11-24T09:00:00+08:00")
    late = book(app, "2026-11-24T09:30:00+08:00")
    afternoon = book(app, "2026-11-24T14:00:00+08:00")
    # 08:30–10:00: tickets until 09:30, so the 09:30 slot is gone with the afternoon.
    with pytest.raises(closures.BookingsWouldBeCancelled) as warned:
        close_tuesday(app, spans=hours.parse_spans("08:30-10:00"))
    assert [b.booking_code for b in warned.value.bookings] == [late, afternoon]
    close_tuesday(app, confirmed=True, spans=hours.parse_spans("08:30-10:00"))
    assert statuses(app) == {morning: "booked", late: "cancelled", afternoon: "cancelled"}


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_a_change_that_strands_no_booking_asks_nothing(app):
    places(app, "EXAM", "by-hand", 3)
    kept = book(app, "2026-11-25T09:00:00+08:00")
    _result, cancelled = close_tuesday(app)
    assert cancelled == [] and statuses(app) == {kept: "booked"}


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_a_rolled_back_change_cancels_nothing(any_app):
    places(any_app, "EXAM", "by-hand", 3)
    code = book(any_app, "2026-11-24T09:00:00+08:00")
    before = written(any_app)
    admin = actor(any_app, "admin")
    with any_app.app_context():
        with pytest.raises(RuntimeError), hall_db.write_transaction(db.session):
            _result, cancelled = closures.change_hours(
                db.session, "HQ", lambda: hours_admin.set_exception(
                    db.session, "HQ", TUESDAY, (), actor=admin), actor=admin, confirmed=True)
            assert [c.booking_code for c in cancelled] == [code]
            raise RuntimeError("the change fails after the cancellations")
    assert written(any_app) == before
    assert statuses(any_app) == {code: "booked"}
    assert taken(any_app, "2026-11-24T09:00:00+08:00") == 1
    with any_app.app_context():  # and the hours are as they were, in this process too
        assert hours.of(db.session, get_hall(db.session, "HQ")).ticket_spans(TUESDAY)


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_a_closed_weekday_cancels_the_bookings_of_every_such_day(app):
    places(app, "EXAM", "by-hand", 3)
    tuesday = book(app, "2026-11-24T09:00:00+08:00")
    next_tuesday = book(app, "2026-12-01T09:00:00+08:00")
    monday = book(app, "2026-11-30T09:00:00+08:00")
    admin = actor(app, "admin")
    with app.app_context():
        with pytest.raises(closures.BookingsWouldBeCancelled) as warned:
            closures.change_hours(db.session, "HQ", lambda: hours_admin.set_week(
                db.session, "HQ", {1: ()}, actor=admin), actor=admin)
    assert [b.booking_code for b in warned.value.bookings] == [tuesday, next_tuesday]
    assert warned.value.days == [TUESDAY, date(2026, 12, 1)]
    assert set(statuses(app).values()) == {"booked"}
    with app.app_context():
        closures.change_hours(db.session, "HQ", lambda: hours_admin.set_week(
            db.session, "HQ", {1: ()}, actor=admin), actor=admin, confirmed=True)
    assert statuses(app) == {tuesday: "cancelled", next_tuesday: "cancelled",
                             monday: "booked"}


# -- the sweep: bookings that slipped past a closure -----------------------------------------------

def close_tuesday_elsewhere(app) -> None:
    """Another process closes Tuesday: its row is committed, and this process still keeps the
    hours it read less than a minute ago (hall.hours' cache)."""
    with app.app_context():
        hall_id = get_hall(db.session, "HQ").id
        with db.engine.begin() as connection:
            connection.execute(sa.insert(OpeningException).values(
                hall_id=hall_id, day=TUESDAY, opens=None, closes=None, note="停电"))


def sweep(app) -> list[str]:
    with app.app_context():
        return closures.sweep(db.session)


def cancellation_texts(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Notification.text).where(
            Notification.kind == "booking.cancelled").order_by(Notification.id)))


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_a_booking_that_slipped_past_a_closure_is_cancelled_by_the_sweep_once(any_app):
    places(any_app, "EXAM", "by-hand", 3)
    wednesday = book(any_app, "2026-11-25T09:00:00+08:00")
    afternoon = book(any_app, "2026-11-24T14:00:00+08:00")  # this process reads the hours
    before = written(any_app)
    assert sweep(any_app) == []  # every slot exists: nothing touched, nothing written
    assert written(any_app) == before

    close_tuesday_elsewhere(any_app)
    # Booked through this process's cached hours, after the day was closed.
    slipped = book(any_app, "2026-11-24T09:00:00+08:00")
    assert statuses(any_app)[slipped] == "booked"

    assert sorted(sweep(any_app)) == sorted([afternoon, slipped])
    assert statuses(any_app) == {wednesday: "booked", afternoon: "cancelled",
                                 slipped: "cancelled"}
    assert taken(any_app, "2026-11-24T09:00:00+08:00") == 0
    assert taken(any_app, "2026-11-25T09:00:00+08:00") == 1
    told = events(any_app, "booking.cancelled")
    assert sorted((e.data["booking"], e.data["reason"], e.actor) for e in told) == sorted(
        [(afternoon, "hall-closed", "system"), (slipped, "hall-closed", "system")])
    texts = cancellation_texts(any_app)
    assert len(texts) == 2 and all("大厅当天不办公，您的预约已取消" in t for t in texts)

    # Once: the next minute finds nothing more to do.
    after = written(any_app)
    assert sweep(any_app) == []
    assert written(any_app) == after and len(cancellation_texts(any_app)) == 2


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_the_sweep_leaves_bookings_of_shorter_hours_that_still_fit(app):
    places(app, "EXAM", "by-hand", 3)
    morning = book(app, "2026-11-24T09:00:00+08:00")
    late = book(app, "2026-11-24T09:30:00+08:00")
    with app.app_context():  # another process makes Tuesday 08:30–10:00: tickets till 09:30
        hall_id = get_hall(db.session, "HQ").id
        with db.engine.begin() as connection:
            connection.execute(sa.insert(OpeningException).values(
                hall_id=hall_id, day=TUESDAY, opens=hours.parse_spans("08:30-10:00")[0].opens,
                closes=hours.parse_spans("08:30-10:00")[0].closes, note=""))
    assert sweep(app) == [late]
    assert statuses(app) == {morning: "booked", late: "cancelled"}


# -- the pages -----------------------------------------------------------------------------------

def post(client, path, data, page=PAGE):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_the_page_shows_the_places_now_and_the_coming_slots_and_saves(app, client):
    places(app, "EXAM", "by-hand", 3)
    slot = "2026-11-24T09:00:00+08:00"
    for _ in range(2):
        book(app, slot)
    sign_in(client, "admin")
    page = client.get(PAGE + "?item=EXAM").get_data(as_text=True)
    assert 'data-service="EXAM" data-places="3"' in page
    assert f'data-slot="{slot}" data-taken="2"' in page and "2 / 3" in page
    assert "data-overfull" not in page

    refused = post(client, PAGE, {**RULES, "slot_minutes": "1000"})
    assert refused.status_code == 422
    assert "5" in refused.get_data(as_text=True) and "240" in refused.get_data(as_text=True)
    assert events(app, "booking.rules_set") == []

    bad = post(client, PAGE + "/EXAM", {"mode": "by-hand", "places": "lots"})
    assert bad.status_code == 422 and 'value="lots"' in bad.get_data(as_text=True)
    saved = post(client, PAGE + "/EXAM", {"mode": "by-hand", "places": "1"})
    assert saved.status_code == 302
    page = client.get(PAGE + "?item=EXAM").get_data(as_text=True)
    assert 'data-service="EXAM" data-places="1"' in page
    assert f'data-overfull-slot="{slot}"' in page  # which slot is over-full, and it stays
    assert statuses(app) and set(statuses(app).values()) == {"booked"}

    saved = post(client, PAGE, {**RULES, "walk_in_percent": "20"})
    assert saved.status_code == 302
    assert events(app, "booking.rules_set")[0].data["changed"] == {
        "walk_in_percent": {"before": 50, "after": 20}}
    assert client.get("/admin/audit?kind=booking.").status_code == 200
    assert client.post(PAGE + "/NOPE", data={"csrf_token": csrf_token(client, PAGE),
                                             "mode": "closed"}).status_code == 404

    sign_in(clerk := app.test_client(), "clerk03")
    assert clerk.get(PAGE).status_code == 403


@pytest.mark.hall_clock("2026-10-01T10:00:00+08:00")
def test_the_page_offers_no_slot_on_a_holiday_and_slots_on_a_make_up_saturday(app, client):
    """On National Day the week is off (1, 2 and 5 to 7 October are holidays on weekdays);
    the next open days are Thursday 8, Friday 9 and Saturday 10 October, a make-up working
    day."""
    places(app, "EXAM", "by-hand", 2)
    sign_in(client, "admin")
    page = client.get(PAGE + "?item=EXAM").get_data(as_text=True)
    shown = {date.fromisoformat(d) for d in re.findall(r'data-slot="(\d{4}-\d\d-\d\d)T', page)}
    assert shown == {date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10)}
    assert "2026-10-10T08:30:00+08:00" in page  # the make-up Saturday keeps Monday's hours


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_the_hours_page_warns_before_cancelling_and_cancels_on_the_second_confirm(app, client):
    places(app, "EXAM", "by-hand", 3)
    codes = [book(app, "2026-11-24T09:00:00+08:00"), book(app, "2026-11-24T14:00:00+08:00")]
    sign_in(client, "admin")
    form = {"day": "2026-11-24", "kind": "closed", "note": "停电"}
    warned = post(client, HOURS + "/exceptions", form, page=HOURS)
    assert warned.status_code == 409
    html = warned.get_data(as_text=True)
    assert "data-closing-warning" in html and "2026-11-24" in html
    assert all(f'data-booking="{c}"' in html for c in codes)
    assert "欧阳芒" not in html  # no names needed
    assert set(statuses(app).values()) == {"booked"}
    assert events(app, "hours.exception_set") == []

    # The warning's own form sends the same change again with the bookings confirmed.
    confirm = re.search(r'<form method="post" action="([^"]+)" class="tool">\s*'
                        r'<input type="hidden" name="csrf_token" value="([^"]+)">(.*?)</form>',
                        html, re.S)
    assert confirm and confirm.group(1) == HOURS + "/exceptions"
    fields = re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">',
                        confirm.group(3))
    data: dict[str, list[str]] = {"csrf_token": [confirm.group(2)]}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    assert data["confirm"] == codes and data["day"] == ["2026-11-24"]
    done = client.post(confirm.group(1), data=data)
    assert done.status_code == 302
    assert set(statuses(app).values()) == {"cancelled"}
    assert [e.data["reason"] for e in events(app, "booking.cancelled")] == ["hall-closed"] * 2
    page = client.get(HOURS).get_data(as_text=True)
    assert 'data-day="2026-11-24" data-kind="closed"' in page


# -- the command line --------------------------------------------------------------------------------

@pytest.mark.hall_clock(MONDAY_MORNING)
def test_the_command_line_sets_rules_and_places(app):
    runner = app.test_cli_runner()
    shown = runner.invoke(args=["booking", "rules", "HQ"])
    assert shown.exit_code == 0 and "slots of 30 minutes" in shown.output
    changed = runner.invoke(args=["booking", "rules", "HQ", "--walk-in-percent", "40",
                                  "--by", "admin"])
    assert changed.exit_code == 0 and "Saved." in changed.output and "40%" in changed.output
    bad = runner.invoke(args=["booking", "rules", "HQ", "--slot-minutes", "1", "--by", "admin"])
    assert bad.exit_code == 1 and "5 to 240" in bad.output
    assert runner.invoke(args=["booking", "rules", "HQ", "--slot-minutes", "20",
                               "--by", "clerk03"]).exit_code != 0
    assert runner.invoke(args=["booking", "places", "HQ", "EXAM", "2",
                               "--by", "admin"]).exit_code == 0
    listed = runner.invoke(args=["booking", "places", "HQ"]).output
    assert re.search(r"EXAM\s+2 places per slot \(set by hand\)", listed)
    assert runner.invoke(args=["booking", "places", "HQ", "EXAM", "many",
                               "--by", "admin"]).exit_code == 1
    assert runner.invoke(args=["booking", "places", "HQ", "EXAM", "closed",
                               "--by", "admin"]).exit_code == 0
    assert "closed to booking" in runner.invoke(args=["booking", "places", "HQ", "EXAM"]).output
    assert [e.data["after"] for e in events(app, "booking.places_set")] == ["2", "closed"]
    assert len(events(app, "booking.rules_set")) == 1


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_the_command_line_sets_the_share_taken_from_home(app):
    runner = app.test_cli_runner()
    assert "20% of a day's capacity taken from home" in runner.invoke(
        args=["booking", "rules", "HQ"]).output
    assert re.search(r"EXAM\s+\d+ places per slot \(.*\), 16 from home today",
                     runner.invoke(args=["booking", "places", "HQ", "EXAM"]).output)
    bad = runner.invoke(args=["booking", "rules", "HQ", "--remote-percent", "101",
                              "--by", "admin"])
    assert bad.exit_code == 1 and "0 to 100" in bad.output
    changed = runner.invoke(args=["booking", "rules", "HQ", "--remote-percent", "0",
                                  "--by", "admin"])
    assert changed.exit_code == 0 and "0% of a day's capacity taken from home" in changed.output
    assert "slots of 30 minutes" in changed.output  # the other rules stay
    assert "0 from home today" in runner.invoke(args=["booking", "places", "HQ", "EXAM"]).output
    [event] = events(app, "booking.rules_set")
    assert event.data["changed"] == {"remote_percent": {"before": 20, "after": 0}}


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_closing_a_day_on_the_command_line_needs_yes_when_bookings_would_go(any_app):
    places(any_app, "EXAM", "by-hand", 3)
    code = book(any_app, "2026-11-24T09:00:00+08:00")
    runner = any_app.test_cli_runner()
    asked = runner.invoke(args=["hours", "close", "HQ", "2026-11-24", "--by", "admin"])
    assert asked.exit_code == 1
    assert "1 bookings on 2026-11-24 will be cancelled" in asked.output
    assert code in asked.output and "--yes" in asked.output
    assert statuses(any_app) == {code: "booked"} and events(any_app, "hours.exception_set") == []
    done = runner.invoke(args=["hours", "close", "HQ", "2026-11-24", "--by", "admin", "--yes"])
    assert done.exit_code == 0, done.output
    assert f"Cancelled {code}" in done.output
    assert statuses(any_app) == {code: "cancelled"}
    assert [e.data["reason"] for e in events(any_app, "booking.cancelled")] == ["hall-closed"]


@pytest.mark.hall_clock(MONDAY_MORNING)
def test_a_local_holiday_on_the_calendar_page_warns_and_then_cancels(app, client):
    places(app, "EXAM", "by-hand", 3)
    code = book(app, "2026-11-24T09:00:00+08:00")
    sign_in(client, "admin")
    form = {"day": "2026-11-24", "kind": "holiday", "name": "停电"}
    warned = post(client, "/admin/calendar/local", form, page="/admin/calendar")
    assert warned.status_code == 409
    html = warned.get_data(as_text=True)
    assert "data-closing-warning" in html and f'data-booking="{code}"' in html
    assert statuses(app) == {code: "booked"} and events(app, "calendar.local_day_set") == []
    done = post(client, "/admin/calendar/local", {**form, "confirm": code},
                page="/admin/calendar")
    assert done.status_code == 302
    assert statuses(app) == {code: "cancelled"}
    assert [e.data["reason"] for e in events(app, "booking.cancelled")] == ["hall-closed"]
    assert len(events(app, "calendar.local_day_set")) == 1
