"""Notifications through the outbox (#14.6): written with the move that causes them and never
for one rolled back; sent afterwards by a sender that may be killed, may run twice at once,
may meet a broken gateway; each notification sent once, every attempt recorded, failures
shown to the hall's managers, who send them again.

HQ: Monday 2026-11-23, slots of 30 minutes; the demo's EXAM is served at window 3.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import signal
import socketserver
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import actor, hall_clock_env
from hall import bookings, cases, channels, checkin, clock, issuing, notices, outbox, queue, remote
from hall.db import write_transaction
from hall.models import Event, Notification, NotificationAttempt
from hall.web.extensions import db
from test_auth import csrf_token, sign_in
from test_concurrency import run_together
from tracking_helpers import desk  # noqa: F401

PERSON = {"name": "欧阳芒", "phone": "13800138000"}
SECRET = "a-shared-secret-of-the-gateway"
ROOT = Path(__file__).resolve().parents[1]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


MONDAY_1000 = at("2026-11-23T10:00:00+08:00")
TUESDAY_0900 = at("2026-11-24T09:00:00+08:00")
# The notifications of the sender's tests are written a minute before it runs at 10:00, due
# then whatever time of day the suite runs at (TEST_HALL_CLOCK).
WRITTEN_BEFORE = at("2026-11-23T09:59:00+08:00")


def rows(app, **where) -> list[Notification]:
    with app.app_context():
        query = sa.select(Notification).order_by(Notification.id)
        for name, value in where.items():
            query = query.where(getattr(Notification, name) == value)
        found = list(db.session.scalars(query))
        db.session.expunge_all()
        return found


def book(app, start=TUESDAY_0900, **person):
    with app.app_context():
        booking = bookings.book(db.session, "HQ", "EXAM", start, **{**PERSON, **person})
        db.session.expunge(booking)
        return booking


def write(app, count: int, *, channel: str = "sms", recipient: str = "13800138000",
          prefix: str = "test") -> None:
    """``count`` notifications, due now, as a move would write them."""
    with app.app_context(), write_transaction(db.session):
        for n in range(count):
            outbox.enqueue(db.session, hall_id=1, kind="booking.made", recipient=recipient,
                           channel=channel, text=f"【大厅】第{n}条", dedupe_key=f"{prefix}:{n}")


class Recording:
    """A gateway that takes every message and remembers it; ``die_at`` the n-th message it
    raises what a killed process raises, before taking it."""

    name = "recording"

    def __init__(self, die_at: int | None = None, dies_with=KeyboardInterrupt) -> None:
        self.taken: list[str] = []
        self.die_at, self.dies_with = die_at, dies_with
        self._lock = threading.Lock()

    def send(self, message: channels.Message) -> None:
        with self._lock:
            if self.die_at is not None and len(self.taken) == self.die_at:
                raise self.dies_with()
            self.taken.append(message.dedupe_key)


def send(app, gateway, batch: int = 50) -> outbox.SendReport:
    with app.app_context():
        return outbox.send_due(db.session, {"sms": gateway, "email": gateway}, clock.now(),
                               batch)


# -- written with the move ------------------------------------------------------------------------

@pytest.mark.hall_clock(MONDAY_1000)
def test_a_booking_made_moved_and_cancelled_writes_one_notification_each(app):
    booking = book(app)
    made = rows(app)
    assert [(n.kind, n.recipient, n.channel, n.status) for n in made] == [
        ("booking.made", "13800138000", "sms", "pending")]
    text = made[0].text
    assert text.startswith("【") and "预约成功" in text and booking.booking_code in text
    assert "11月24日（星期二）09:00" in text
    assert booking.access_code not in text  # never the access code (hall/notices.py says why)
    with app.app_context():
        bookings.move(db.session, booking.booking_code, booking.access_code,
                      at("2026-11-24T10:00:00+08:00"))
        bookings.cancel(db.session, booking.booking_code, booking.access_code)
    kinds = [(n.kind, n.dedupe_key.split(":")[0]) for n in rows(app)]
    assert kinds == [("booking.made", "booking.made"), ("booking.moved", "booking.moved"),
                     ("booking.cancelled", "booking.cancelled")]
    moved = rows(app, kind="booking.moved")[0].text
    assert "改为11月24日（星期二）10:00" in moved and "原为11月24日（星期二）09:00" in moved


@pytest.mark.hall_clock(MONDAY_1000)
def test_a_move_rolled_back_writes_no_notification(any_app):
    with any_app.app_context():
        events_before = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
        with pytest.raises(RuntimeError), write_transaction(db.session):
            bookings.book(db.session, "HQ", "EXAM", TUESDAY_0900, **PERSON)
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1
            raise RuntimeError("the move fails after its notification was written")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == events_before
    assert rows(any_app) == []
    book(any_app)  # the same move, committed: its notification is there
    assert [n.kind for n in rows(any_app)] == ["booking.made"]


@pytest.mark.hall_clock(MONDAY_1000)
def test_a_booked_visitor_is_told_when_called_and_a_walk_in_without_a_contact_is_not(app):
    booking = book(app)
    clerk = actor(app, "clerk03")
    with clock.frozen(at("2026-11-24T08:50:00+08:00")) as frozen, app.app_context():
        walk_in = issuing.issue_ticket(db.session, "HQ", "EXAM")
        checkin.check_in(db.session, "HQ", booking.booking_code)
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        frozen.advance(minutes=11)  # the slot has begun: the appointment first
        assert queue.call_next(db.session, "HQ", 3, actor=clerk).number == "Y001"
        queue.finish(db.session, "HQ", 3, actor=clerk)
        assert queue.call_next(db.session, "HQ", 3, actor=clerk).number == walk_in.number
    called = rows(app, kind="ticket.called")
    assert len(called) == 1
    assert called[0].recipient == PERSON["phone"]
    assert "请 Y001 号现在到 3 号窗口办理" in called[0].text


def join(app, phone: str = PERSON["phone"]) -> issuing.IssuedTicket:
    """A ticket of today's EXAM queue taken from home (hall.remote)."""
    with app.app_context():
        return remote.join(db.session, "HQ", "EXAM", phone=phone)


def arrive(app, ticket: issuing.IssuedTicket) -> None:
    """Its visitor checks in at the hall's kiosk (no door code: the kiosk vouches)."""
    with app.app_context():
        remote.arrive(db.session, "HQ", ticket.service_no, ticket.access_code, door_code=None,
                      secret="unused at the kiosk")


@pytest.mark.hall_clock(MONDAY_1000)
def test_a_call_reads_the_bookings_only_for_a_booked_visit(app):
    """ticket.called is the hot path: a walk-in's call reads nothing more; a booked visit's,
    one read of its booking by ticket; a ticket taken from home, one read of its own row.
    Taking a walk-in's ticket writes and reads nothing for notifications either."""
    booking = book(app)
    clerk = actor(app, "clerk03")
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    def about_visitors() -> list[str]:
        return [s for s in statements if any(
            table in s for table in ("FROM bookings", "remote_tickets", "outbox"))]

    with clock.frozen(at("2026-11-24T08:50:00+08:00")) as frozen, app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", seen)
        try:
            walk_in = issuing.issue_ticket(db.session, "HQ", "EXAM")
            issued_reads = about_visitors()
            sa.event.remove(db.engine, "before_cursor_execute", seen)
            from_home = remote.join(db.session, "HQ", "EXAM", phone="13900139000")
            remote.arrive(db.session, "HQ", from_home.service_no, from_home.access_code,
                          door_code=None, secret="unused at the kiosk")
            checkin.check_in(db.session, "HQ", booking.booking_code)
            queue.open_window(db.session, "HQ", 3, actor=clerk)
            sa.event.listen(db.engine, "before_cursor_execute", seen)
            statements.clear()
            assert queue.call_next(db.session, "HQ", 3, actor=clerk).number == walk_in.number
            walk_in_reads = about_visitors()
            queue.finish(db.session, "HQ", 3, actor=clerk)
            frozen.advance(minutes=11)
            statements.clear()
            assert queue.call_next(db.session, "HQ", 3, actor=clerk).number == "Y001"
            booked_reads = [s for s in statements if "FROM bookings" in s]
            booked_remote = [s for s in statements if "remote_tickets" in s]
            queue.finish(db.session, "HQ", 3, actor=clerk)
            statements.clear()
            called = queue.call_next(db.session, "HQ", 3, actor=clerk)
            remote_reads = [s for s in statements if "FROM remote_tickets" in s]
            remote_booked = [s for s in statements if "FROM bookings" in s]
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert called.number == from_home.number
    assert issued_reads == [] and walk_in_reads == []
    assert len(booked_reads) == 1 and "bookings.ticket_id" in booked_reads[0]
    assert booked_remote == []
    assert len(remote_reads) == 1 and "remote_tickets.ticket_id" in remote_reads[0]
    assert remote_booked == []


@pytest.mark.hall_clock(MONDAY_1000)
def test_a_ticket_taken_from_home_is_told_it_is_queued_and_when_it_is_called(any_app):
    from_home = join(any_app)
    with any_app.app_context():
        issuing.issue_ticket(db.session, "HQ", "EXAM")  # a walk-in is told nothing
    joined, = rows(any_app)
    assert (joined.kind, joined.recipient, joined.channel) == ("ticket.joined", "13800138000",
                                                             "sms")
    assert joined.dedupe_key == f"ticket.joined:{from_home.id}"
    assert f"{from_home.number} 号" in joined.text and "大厅门口的二维码" in joined.text
    assert from_home.service_no[:6] in joined.text.replace(" ", "")
    assert from_home.access_code not in joined.text  # never the access code

    # Refused (the same number again, or the day's places taken): nothing more is written.
    with any_app.app_context(), pytest.raises(remote.AlreadyQueued):
        remote.join(db.session, "HQ", "EXAM", phone="138 0013 8000")
    assert len(rows(any_app)) == 1

    clerk = actor(any_app, "clerk03")
    arrive(any_app, from_home)
    with any_app.app_context():
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        assert queue.call_next(db.session, "HQ", 3, actor=clerk).number == from_home.number
    called, = rows(any_app, kind="ticket.called")
    assert called.recipient == "13800138000"
    assert f"请 {from_home.number} 号现在到 3 号窗口办理" in called.text
    assert from_home.access_code not in called.text


@pytest.mark.hall_clock(MONDAY_1000)
def test_a_join_rolled_back_writes_no_notification_and_leaves_nothing_behind(app):
    with app.app_context():
        with pytest.raises(RuntimeError), write_transaction(db.session):
            remote.join(db.session, "HQ", "EXAM", phone=PERSON["phone"])
            raise RuntimeError("the move fails after the ticket was written")
        issuing.issue_ticket(db.session, "HQ", "EXAM")  # the next move writes nothing
    assert rows(app) == []
    join(app)
    assert [n.kind for n in rows(app)] == ["ticket.joined"]


def test_every_case_step_the_tracking_page_shows_goes_to_the_applicant_s_mobile(app, desk):  # noqa: F811
    _ticket, case = desk.accept()
    desk.close(case)
    sent = rows(app)
    kinds = [n.kind for n in sent]
    assert kinds[:1] == ["case.accepted"]
    assert {"case.taken", "case.decided", "case.ready", "case.closed"} <= set(kinds)
    assert all(n.recipient == "13912345678" for n in sent)
    accepted = sent[0].text
    assert "您的办件 BJ" in accepted and "3 号窗口" in accepted
    assert case.division.code not in accepted  # the division by its name, not its code


def test_a_refusal_is_told_without_the_division_s_reason(app, desk):  # noqa: F811
    _ticket, case = desk.accept()
    desk.do(cases.take, case.id, actor=desk.civil)
    desk.do(cases.decide, case.id, actor=desk.civil, outcome="rejected",
            reason="欧阳锋芒的学历证明系伪造")
    decided, = rows(app, kind="case.decided")
    assert "不予许可" in decided.text and "服务编号和查询码" in decided.text
    assert "伪造" not in decided.text and decided.text.endswith("查看。")


def test_a_case_with_a_landline_writes_no_notification(app, desk):  # noqa: F811
    ticket = desk.ticket()
    desk.serve(ticket)
    desk.do(cases.accept, "HQ", 3, actor=desk.clerk, applicant_name="张三", subject="复审",
            applicant_phone="0451-86661234")
    assert rows(app) == []


# -- the scheduled jobs ----------------------------------------------------------------------------

@pytest.mark.hall_clock(MONDAY_1000)
def test_the_reminder_is_written_once_from_the_hall_s_hour_the_day_before(app):
    booking = book(app)
    book(app, start=at("2026-11-25T09:00:00+08:00"), phone="13900139000")  # not tomorrow
    with app.app_context():
        with clock.frozen(at("2026-11-23T17:59:00+08:00")):
            assert notices.queue_reminders(db.session, clock.now()) == 0
        with clock.frozen(at("2026-11-23T18:00:00+08:00")):
            assert notices.queue_reminders(db.session, clock.now()) == 1
            assert notices.queue_reminders(db.session, clock.now()) == 0  # once
    reminder, = rows(app, kind="booking.reminder")
    assert reminder.dedupe_key == f"booking.reminder:{booking.id}:2026-11-24"
    assert "明天" in reminder.text and booking.booking_code in reminder.text
    assert "08:30" in reminder.text  # check-in opens 30 minutes before


@pytest.mark.hall_clock(MONDAY_1000)
def test_nearly_your_turn_is_written_once_at_notify_ahead_people_ahead(app):
    booking = book(app, start=at("2026-11-24T10:00:00+08:00"))
    clerk = actor(app, "clerk03")
    with clock.frozen(at("2026-11-24T08:40:00+08:00")) as frozen, app.app_context():
        for _ in range(5):
            issuing.issue_ticket(db.session, "HQ", "EXAM")
        frozen.advance(minutes=10)  # check-in opens 09:30: from then it waits behind the 5
        frozen.advance(minutes=40)
        checkin.check_in(db.session, "HQ", booking.booking_code)
        assert notices.queue_nearly(db.session, clock.now()) == 0  # 5 ahead
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        for _ in range(2):
            queue.call_next(db.session, "HQ", 3, actor=clerk)
            queue.finish(db.session, "HQ", 3, actor=clerk)
        assert notices.queue_nearly(db.session, clock.now()) == 1  # 3 ahead: NOTIFY_AHEAD
        queue.call_next(db.session, "HQ", 3, actor=clerk)
        assert notices.queue_nearly(db.session, clock.now()) == 0  # once
    nearly, = rows(app, kind="ticket.nearly")
    assert "前面还有 3 人" in nearly.text and "Y001" in nearly.text


@pytest.mark.hall_clock(MONDAY_1000)
def test_nearly_your_turn_tells_who_queued_from_home_to_come_in_once(any_app):
    clerk = actor(any_app, "clerk03")
    with any_app.app_context():
        for _ in range(5):
            issuing.issue_ticket(db.session, "HQ", "EXAM")
    at_home = join(any_app)
    here = join(any_app, phone="13900139000")
    arrive(any_app, here)
    with any_app.app_context():
        assert notices.queue_nearly(db.session, clock.now()) == 0  # 5 and 6 ahead
        queue.open_window(db.session, "HQ", 3, actor=clerk)
        for _ in range(3):
            queue.call_next(db.session, "HQ", 3, actor=clerk)
            queue.finish(db.session, "HQ", 3, actor=clerk)
        # 2 ahead of the one at home, 3 of the one in the hall: both told, each once.
        assert notices.queue_nearly(db.session, clock.now()) == 2
        assert notices.queue_nearly(db.session, clock.now()) == 0
        queue.call_next(db.session, "HQ", 3, actor=clerk)
        assert notices.queue_nearly(db.session, clock.now()) == 0
    told = {n.recipient: n for n in rows(any_app, kind="ticket.nearly")}
    assert told.keys() == {"13800138000", "13900139000"}
    assert told["13800138000"].dedupe_key == f"ticket.nearly:{at_home.id}"
    assert "前面还有 2 人" in told["13800138000"].text
    assert "请现在前往大厅" in told["13800138000"].text  # still at home: come in
    assert "前面还有 3 人" in told["13900139000"].text
    assert "请在窗口附近等候" in told["13900139000"].text  # already in the hall
    assert at_home.access_code not in told["13800138000"].text


# -- sending ----------------------------------------------------------------------------------------

@pytest.mark.hall_clock(WRITTEN_BEFORE)
@pytest.mark.parametrize("dies_with", [KeyboardInterrupt, SystemExit])
def test_a_sender_killed_mid_batch_leaves_every_notification_to_be_sent_once(app, dies_with):
    write(app, 6)
    dying = Recording(die_at=3, dies_with=dies_with)
    with clock.frozen(MONDAY_1000) as frozen:
        with pytest.raises(dies_with):
            send(app, dying)
        assert [n.status for n in rows(app)] == ["sent"] * 3 + ["sending"] * 3
        after = Recording()
        assert send(app, after).claimed == 0  # the dead sender's lease still holds
        frozen.advance(seconds=121)  # NOTIFY_LEASE_SECONDS later: taken again
        report = send(app, after)
    assert (report.claimed, report.sent) == (3, 3)
    delivered = dying.taken + after.taken
    assert sorted(delivered) == [f"test:{n}" for n in range(6)]  # each once
    assert {n.status for n in rows(app)} == {"sent"}
    with app.app_context():
        tries = db.session.scalars(sa.select(NotificationAttempt.result)).all()
    assert tries == ["sent"] * 6


@pytest.mark.hall_clock(WRITTEN_BEFORE)
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_two_senders_at_once_never_send_one_notification_twice(request, database):
    app = request.getfixturevalue("app" if database == "sqlite" else "pg_app")
    write(app, 60)
    gateway = Recording()

    def sender(_i):
        total = 0
        while (claimed := send(app, gateway, batch=7).claimed):
            total += claimed
        return total

    with clock.frozen(MONDAY_1000):
        claimed = run_together(4, sender)
    assert sum(claimed) == 60
    assert sorted(gateway.taken) == sorted(f"test:{n}" for n in range(60))
    assert len(set(gateway.taken)) == len(gateway.taken) == 60
    assert {n.attempts for n in rows(app)} == {1}


# -- the webhook (SMS gateway) ---------------------------------------------------------------------

class Gateway(ThreadingHTTPServer):
    """An SMS gateway on a local port: checks each request's signature and answers
    ``status``."""

    def __init__(self, status: int) -> None:
        self.status, self.requests = status, []
        super().__init__(("127.0.0.1", 0), GatewayHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sms"


class GatewayHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        body = self.rfile.read(int(self.headers["Content-Length"]))
        stamp = self.headers["X-Hall-Timestamp"]
        expected = "sha256=" + hmac.new(SECRET.encode(), stamp.encode() + b"." + body,
                                        hashlib.sha256).hexdigest()
        signed = hmac.compare_digest(expected, self.headers["X-Hall-Signature"] or "")
        self.server.requests.append({"signed": signed, "body": json.loads(body),  # type: ignore[attr-defined]
                                     "key": self.headers["Idempotency-Key"]})
        status = self.server.status if signed else 401  # type: ignore[attr-defined]
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"gateway says no" if status >= 300 else b"ok")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def gateway(request):
    server = Gateway(getattr(request, "param", 200))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def webhook(gateway: Gateway) -> channels.Channel:
    return channels.from_config({"NOTIFY_SMS": "webhook", "NOTIFY_WEBHOOK_URL": gateway.url,
                                 "NOTIFY_WEBHOOK_SECRET": SECRET,
                                 "NOTIFY_WEBHOOK_TIMEOUT": 5})["sms"]


@pytest.mark.hall_clock(MONDAY_1000)
def test_the_webhook_posts_signed_json_and_a_2xx_is_sent(app, gateway):
    booking = book(app)
    assert send(app, webhook(gateway)).sent == 1
    request, = gateway.requests
    assert request["signed"]
    assert request["body"]["to"] == PERSON["phone"]
    assert booking.booking_code in request["body"]["text"]
    assert request["key"] == request["body"]["id"] == f"booking.made:{booking.id}"
    assert rows(app)[0].status == "sent" and rows(app)[0].sent_at is not None


@pytest.mark.hall_clock(WRITTEN_BEFORE)
@pytest.mark.parametrize("gateway", [500], indirect=True)
def test_a_failing_gateway_is_retried_with_back_off_then_failed_and_shown_to_managers(
        app, gateway):
    write(app, 1)
    hook = webhook(gateway)
    waits = []
    with clock.frozen(MONDAY_1000) as frozen:
        for attempt in range(1, 6):
            report = send(app, hook)
            assert report.claimed == 1
            row, = rows(app)
            if attempt < 5:
                assert (report.retrying, row.status) == (1, "pending")
                waits.append((row.next_attempt_at - clock.now()).total_seconds())
                assert send(app, hook).claimed == 0  # not before its time
                frozen.advance(seconds=waits[-1])
        assert (report.failed, row.status, row.attempts) == (1, "failed", 5)
        assert send(app, hook).claimed == 0  # failed for good
    assert waits == [30, 60, 120, 240]  # NOTIFY_RETRY_SECONDS, doubled each time
    assert len(gateway.requests) == 5 and all(r["signed"] for r in gateway.requests)
    assert len({r["key"] for r in gateway.requests}) == 1
    assert "HTTP 500" in row.last_error and "gateway says no" in row.last_error
    with app.app_context():
        tries = db.session.execute(sa.select(NotificationAttempt.result,
                                             NotificationAttempt.channel)).all()
    assert tries == [("error", "webhook")] * 5

    client = app.test_client()
    sign_in(client, "manager")
    page = client.get("/hall/HQ/notifications")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'data-notification="{row.id}"' in html and "HTTP 500" in html
    assert html.count("data-try") == 5 and "138****8000" in html
    assert "13800138000" not in html

    other = app.test_client()
    sign_in(other, "hrb-manager")
    assert other.get("/hall/HQ/notifications").status_code == 403
    with app.app_context(), pytest.raises(Exception) as refused:
        outbox.retry(db.session, row.id, actor=actor(app, "hrb-manager"))
    assert getattr(refused.value, "code", None) == "not-a-manager"

    answer = client.post(f"/hall/HQ/notifications/{row.id}/retry",
                         data={"csrf_token": csrf_token(client, "/hall/HQ/notifications")})
    assert answer.status_code == 302
    again, = rows(app)
    assert (again.status, again.attempts) == ("pending", 0)
    with app.app_context():
        retried = db.session.scalar(sa.select(Event).where(Event.kind == "notification.retried"))
    assert retried.actor == "manager" and retried.data["notification"] == row.id
    gateway.status = 200
    assert send(app, hook).sent == 1
    assert "data-none" in client.get("/hall/HQ/notifications").get_data(as_text=True)


class HangingGateway(Gateway):
    """Answers 200, except the ``hang_at``-th request, which it keeps waiting (until
    ``release``): the sender is killed while it waits. ``taken`` are the messages answered."""

    def __init__(self, hang_at: int) -> None:
        super().__init__(200)
        self.hang_at, self.release, self.taken = hang_at, threading.Event(), []


class HangingHandler(GatewayHandler):
    def do_POST(self) -> None:  # noqa: N802
        server = self.server
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server.requests.append(self.headers["Idempotency-Key"])  # type: ignore[attr-defined]
        if len(server.requests) == server.hang_at:  # type: ignore[attr-defined]
            server.release.wait(30)  # type: ignore[attr-defined]
            return
        server.taken.append(json.loads(body)["id"])  # type: ignore[attr-defined]
        self.send_response(200)
        self.end_headers()


def test_a_sender_process_killed_mid_batch_sends_each_once_after_a_restart(app, tmp_path):
    """A real process (``flask outbox send``), killed with SIGKILL while the gateway holds
    its third message: no clean-up runs. Started again once its lease has passed, the next
    process sends the three it had left, each once; the gateway sees the one in flight twice,
    with the same idempotency key, and answered it once."""
    write(app, 5)
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    server = HangingGateway(hang_at=3)
    server.RequestHandlerClass = HangingHandler
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()

    def sender(at) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items()
               if k not in ("HALL_CLOCK", "HALL_CLOCK_STARTED", "DATABASE_URL", "REDIS_URL")}
        env.update(DATABASE_URL=database, INSTANCE_PATH=str(tmp_path / "instance"),
                   SECRET_KEY="outbox-test", FLASK_APP="hall.web:create_app",
                   NOTIFY_SMS="webhook", NOTIFY_WEBHOOK_URL=server.url,
                   NOTIFY_WEBHOOK_SECRET=SECRET, NOTIFY_BATCH="10", **hall_clock_env(at))
        return subprocess.Popen([str(Path(sys.executable).parent / "flask"), "outbox", "send"],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)

    try:
        first = sender(clock.now())
        deadline = time.monotonic() + 30
        while len(server.requests) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(server.requests) == 3, first.communicate(timeout=5)[0]
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert [n.status for n in rows(app)] == ["sent"] * 2 + ["sending"] * 3
        server.release.set()
        soon = sender(clock.now() + timedelta(seconds=30))  # its lease still holds
        assert soon.wait(60) == 0 and "claimed 0" in soon.stdout.read()
        later = sender(clock.now() + timedelta(seconds=121))  # NOTIFY_LEASE_SECONDS on
        assert later.wait(60) == 0, later.stdout.read()
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
    keys = [f"test:{n}" for n in range(5)]
    assert sorted(server.taken) == keys  # each answered once
    assert server.requests.count("test:2") == 2 and len(server.requests) == 6
    assert {n.status for n in rows(app)} == {"sent"}


def test_a_notification_not_sent_in_time_is_shown_to_the_managers(app):
    write(app, 1)
    client = app.test_client()
    sign_in(client, "manager")
    assert "data-none" in client.get("/hall/HQ/notifications").get_data(as_text=True)
    with clock.frozen(clock.now() + timedelta(minutes=16)):  # NOTIFY_STUCK_MINUTES: 15
        html = client.get("/hall/HQ/notifications").get_data(as_text=True)
    assert 'data-status="pending"' in html and "待发送" in html and "尚未尝试" in html


def test_a_wrong_channel_setting_stops_the_start():
    for config in ({"NOTIFY_SMS": "carrier-pigeon"},
                   {"NOTIFY_SMS": "webhook", "NOTIFY_WEBHOOK_URL": "http://gw/sms"},
                   {"NOTIFY_SMS": "webhook", "NOTIFY_WEBHOOK_URL": "ftp://gw",
                    "NOTIFY_WEBHOOK_SECRET": SECRET},
                   {"NOTIFY_EMAIL": "smtp", "NOTIFY_SMTP_HOST": "mail"}):
        with pytest.raises(ValueError):
            channels.from_config(config)
    assert isinstance(channels.from_config({})["sms"], channels.LogChannel)


# -- SMTP -------------------------------------------------------------------------------------------

class FakeSMTP(socketserver.ThreadingTCPServer):
    """Just enough SMTP to take a message: EHLO (with AUTH PLAIN), AUTH, MAIL, RCPT, DATA."""

    allow_reuse_address = True

    def __init__(self) -> None:
        self.messages: list[dict] = []
        super().__init__(("127.0.0.1", 0), SMTPHandler)


class SMTPHandler(socketserver.StreamRequestHandler):
    def say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        message: dict = {"to": []}
        self.say("220 fake ESMTP")
        while line := self.rfile.readline().decode().rstrip("\r\n"):
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.say("250-fake")
                self.say("250 AUTH PLAIN")
            elif verb == "AUTH":
                message["login"] = base64.b64decode(line.split()[-1]).split(b"\0")[1:]
                self.say("235 ok")
            elif verb == "MAIL":
                message["from"] = line
                self.say("250 ok")
            elif verb == "RCPT":
                message["to"].append(line)
                self.say("250 ok")
            elif verb == "DATA":
                self.say("354 go on")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk)
                message["data"] = b"".join(data)
                self.server.messages.append(message)  # type: ignore[attr-defined]
                self.say("250 taken")
            elif verb == "QUIT":
                self.say("221 bye")
                return
            else:
                self.say("250 ok")


@pytest.mark.hall_clock(MONDAY_1000)
def test_an_e_mail_goes_through_smtp(app):
    import email

    server = FakeSMTP()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    try:
        mail = channels.from_config({
            "NOTIFY_EMAIL": "smtp", "NOTIFY_SMTP_HOST": "127.0.0.1",
            "NOTIFY_SMTP_PORT": server.server_address[1], "NOTIFY_SMTP_FROM": "hall@example.cn",
            "NOTIFY_SMTP_USER": "hall", "NOTIFY_SMTP_PASSWORD": "pw",
            "NOTIFY_SMTP_STARTTLS": False})["email"]
        with app.app_context():
            with write_transaction(db.session):
                outbox.enqueue(db.session, hall_id=1, kind="booking.made",
                               recipient="visitor@example.cn", channel="email",
                               text="【省大厅】预约成功", dedupe_key="mail:1")
            report = outbox.send_due(db.session, {"sms": Recording(), "email": mail},
                                     clock.now())
        assert report.sent == 1
    finally:
        server.shutdown()
        server.server_close()
    taken, = server.messages
    assert taken["login"] == [b"hall", b"pw"]
    assert [line.lower() for line in taken["to"]] == ["rcpt to:<visitor@example.cn>"]
    parsed = email.message_from_bytes(taken["data"], policy=email.policy.default)
    assert parsed.get_content().strip() == "【省大厅】预约成功"
    assert "hall@example.cn" in parsed["From"]


# -- the command line -------------------------------------------------------------------------------

@pytest.mark.hall_clock(MONDAY_1000)
def test_flask_outbox_lists_sends_and_sends_again(app):
    write(app, 2)
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["outbox", "list", "--status", "pending"])
    assert listed.exit_code == 0 and listed.output.count("pending") == 2
    assert "138****8000" in listed.output and "13800138000" not in listed.output
    sent = runner.invoke(args=["outbox", "send"])
    assert sent.exit_code == 0 and "Sent 2" in sent.output
    first = rows(app)[0]
    again = runner.invoke(args=["outbox", "retry", str(first.id)])
    assert again.exit_code == 1 and "Refused" in again.output  # sent: nothing to send again
    with app.app_context():
        db.session.execute(sa.update(Notification).where(Notification.id == first.id)
                           .values(status="failed"))
        db.session.commit()
    again = runner.invoke(args=["outbox", "retry", str(first.id)])
    assert again.exit_code == 0 and "pending" in again.output
    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.kind == "notification.retried"))
    assert event.actor == "operator"
