"""What the hall tells a visitor, and when: the notifications written into the outbox.

With the move that causes them (``install``: writers on the event log, ``hall.events``), in
the move's own transaction: a booking made, moved or cancelled; a ticket taken from home
(``hall.remote``: "you are in the queue"); a booked visitor or one who queued from home
called to a window; every step of a case the tracking page shows, when the applicant gave a
mobile number. By scheduled jobs: the reminder the day before an appointment
(``queue_reminders``, from NOTIFY_REMINDER_AT hall time) and "nearly your turn"
(``queue_nearly``, at NOTIFY_AHEAD people ahead, for booked and remote tickets). Each has a
dedupe key, so each is written once however often it is caused.

The text is Chinese (SMS has no locale), from the message ids below and their translations,
and says only the facts of the booking, ticket or case: the item, the time, the queue number,
the booking code, the service or case number. Never the access code, nor a reason a division
wrote: the text is kept in the outbox, written to the log by the log channel, passed to an SMS
gateway and shown on the managers' page, all read by others than the visitor, and a mobile
number may since have passed to someone else. The access code stays on the visitor's own
paper or screen, where it was given.
"""
from __future__ import annotations

import functools
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.pofile import read_po
from sqlalchemy import bindparam, func, select
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from . import board, clock, events, kinds, numbers, outbox, prereview, settings
from .db import write_transaction
from .events import Appended
from .messages import N_
from .models import (
    Application,
    Booking,
    BookingStatus,
    Division,
    Hall,
    RemoteTicket,
    ServiceItem,
    Ticket,
    TicketStatus,
)

PO = Path(__file__).resolve().parent.parent / "translations/zh/LC_MESSAGES/messages.po"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")

SIGNED = N_("[%(hall)s] %(text)s")
MADE = N_("Appointment booked: %(service)s, %(when)s. Booking code %(code)s, service number "
          "%(service_no)s.")
MOVED = N_("Appointment moved: %(service)s, now %(when)s (was %(before)s). Booking code "
           "%(code)s.")
CANCELLED = N_("Appointment cancelled: %(service)s, %(when)s. Booking code %(code)s.")
CANCELLED_CLOSED = N_("The hall is closed that day, so your appointment is cancelled: "
                      "%(service)s, %(when)s. Please book another time.")
REMINDER = N_("Reminder: your appointment is tomorrow, %(when)s, for %(service)s. Check in "
              "at the kiosk with booking code %(code)s from %(opens)s.")
NEARLY = N_("Nearly your turn: %(ahead)s people ahead of number %(number)s (%(service)s). "
            "Please stay near the windows.")
NEXT = N_("You are next: number %(number)s (%(service)s). Please stay near the windows.")
CALLED = N_("Number %(number)s, please go to window %(window)s now.")
JOINED = N_("You are in the queue from home: number %(number)s (%(service)s), service number "
            "%(service_no)s. When you reach the hall, scan the QR code at its door to be "
            "called.")
NEARLY_AWAY = N_("Nearly your turn: %(ahead)s people ahead of number %(number)s "
                 "(%(service)s). Please come to the hall now and scan the QR code at its door.")
NEXT_AWAY = N_("You are next: number %(number)s (%(service)s). Please come to the hall now "
               "and scan the QR code at its door.")
CASE_STEP = N_("Case %(case_no)s: %(step)s")
# The timeline's sentence says "here" (the tracking page); a text message says where.
REJECTED = N_("Decided: not approved. The reason is in the decision; read it on the tracking "
              "page with your service number and access code")
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
            N_("Saturday"), N_("Sunday"))
MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
          N_("July"), N_("August"), N_("September"), N_("October"), N_("November"),
          N_("December"))
AT = N_("%(weekday)s %(day)s %(month)s at %(time)s")

BOOKING_KINDS = ("booking.made", "booking.moved", "booking.cancelled")
# Every step of a case the citizen's timeline shows (a sentence for the citizen).
CASE_KINDS = tuple(code for code, kind in kinds.KINDS.items()
                   if code.startswith("case.") and kind.citizen is not None)


# -- the words -------------------------------------------------------------------------------------

@functools.cache
def _chinese() -> dict[str, str]:
    """The Chinese of every message id, read once from the catalogue itself (the compiled one
    may be older than the code)."""
    with PO.open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id and not m.fuzzy
                and isinstance(m.id, str) and isinstance(m.string, str) and m.string}


def zh(message: str, **params: object) -> str:
    words = _chinese().get(message, message)
    return words % params if params else words


def when(at: datetime, tz: str) -> str:
    """11月24日（星期二）09:00, in the hall's zone."""
    local = at.astimezone(ZoneInfo(tz))
    return zh(AT, weekday=zh(WEEKDAYS[local.weekday()]), day=local.day,
              month=zh(MONTHS[local.month - 1]), time=local.strftime("%H:%M"))


def signed(hall_name: str, text: str) -> str:
    return zh(SIGNED, hall=hall_name, text=text)


def contact(raw: str | None) -> tuple[str, str] | None:
    """(recipient, channel) for a mobile number (SMS) or an e-mail address; None for
    anything else, a landline included: it cannot take a text message."""
    value = (raw or "").strip()
    if len(value) <= 254 and _EMAIL.match(value):
        return value, "email"
    digits = numbers.normalize(value)
    for country in ("+86", "0086"):
        if digits.startswith(country):
            digits = digits[len(country):]
    return (digits, "sms") if _MOBILE.match(digits) else None


# -- written with the move -------------------------------------------------------------------------

def _booking_written(session: Session, appended: Appended) -> None:
    booking = session.scalar(select(Booking).where(
        Booking.booking_code == appended.data.get("booking")))
    if booking is None:
        return
    to = contact(booking.phone)
    if to is None:
        return
    hall, tz = booking.hall, booking.hall.timezone
    start = datetime.fromisoformat(appended.data.get("start") or booking.start.isoformat())
    facts = {"service": booking.service.name_zh, "when": when(start, tz),
             "code": booking.booking_code}
    if appended.kind == "booking.made":
        text = zh(MADE, service_no=numbers.grouped(booking.service_no), **facts)
        key = f"booking.made:{booking.id}"
    elif appended.kind == "booking.moved":
        before = datetime.fromisoformat(appended.data["before"])
        text = zh(MOVED, before=when(before, tz), **facts)
        key = f"booking.moved:{appended.id}"
    else:
        # "hall-closed" is what hall.closures records; "closure" what older events say.
        closed = appended.data.get("reason") in ("hall-closed", "closure")
        text = zh(CANCELLED_CLOSED if closed else CANCELLED, **facts)
        key = f"booking.cancelled:{booking.id}"
    outbox.enqueue(session, hall_id=hall.id, kind=appended.kind, recipient=to[0],
                   channel=to[1], text=signed(hall.name_zh, text), dedupe_key=key,
                   now=appended.at)


_BOOKED_PHONE = select(Booking.__table__.c.phone).where(
    Booking.__table__.c.ticket_id == bindparam("ticket_id"))
_REMOTE_PHONE = select(RemoteTicket.__table__.c.phone).where(
    RemoteTicket.__table__.c.ticket_id == bindparam("ticket_id"))
# Where the visitor's number is kept, by the ticket's source; other sources have none.
_PHONE_OF = {"booking": _BOOKED_PHONE, "remote": _REMOTE_PHONE}
# A move that gave only the ticket's id: either, in one statement.
_ANY_PHONE = select(func.coalesce(_BOOKED_PHONE.scalar_subquery(),
                                  _REMOTE_PHONE.scalar_subquery()))


def _called(session: Session, appended: Appended) -> None:
    """A call is the hot path: a walk-in's ticket (the move passed it) costs nothing; a
    booked visit or a ticket taken from home one read by primary or indexed key
    (``ix_bookings_ticket``, ``remote_tickets``' key)."""
    ticket = appended.ticket
    if appended.ticket_id is None:
        return
    query = _PHONE_OF.get(ticket.source) if ticket is not None else _ANY_PHONE
    if query is None:
        return
    phone = session.connection().execute(query, {"ticket_id": appended.ticket_id}).scalar()
    to = contact(phone)
    if to is None:
        return
    text = zh(CALLED, number=appended.data.get("number"), window=appended.data.get("window_no"))
    outbox.enqueue(session, hall_id=appended.hall.id, kind=appended.kind, recipient=to[0],
                   channel=to[1], text=signed(appended.hall.name_zh, text),
                   dedupe_key=f"ticket.called:{appended.id}", now=appended.at)


# A ticket taken from home is told it is in the queue. Its ``ticket.issued`` is appended
# before ``hall.remote`` writes the row that holds the mobile number, so the writer notes the
# ticket and the message is written just before the move commits, in its transaction (a
# rolled-back join forgets it).
_JOINED = "hall.notices.joined"


def _issued(session: Session, appended: Appended) -> None:
    """Every ticket passes here: decided from the event's data, no query; only a ticket
    taken from home is noted."""
    if appended.data.get("source") != "remote" or appended.ticket_id is None:
        return
    session.info.setdefault(_JOINED, []).append((appended.ticket_id, appended.at))


@sa_event.listens_for(Session, "before_commit")
def _write_joined(session: Session) -> None:
    noted = session.info.pop(_JOINED, None)
    if not noted:
        return
    at = dict(noted)
    for ticket_id, phone, number, service_no, service, hall_id, hall_name in session.execute(
            select(RemoteTicket.ticket_id, RemoteTicket.phone, Ticket.number, Ticket.service_no,
                   ServiceItem.name_zh, Ticket.hall_id, Hall.name_zh)
            .join(Ticket, Ticket.id == RemoteTicket.ticket_id)
            .join(ServiceItem, ServiceItem.id == Ticket.service_id)
            .join(Hall, Hall.id == Ticket.hall_id)
            .where(RemoteTicket.ticket_id.in_(list(at)))):
        to = contact(phone)
        if to is None:
            continue
        text = zh(JOINED, number=number, service=service,
                  service_no=numbers.grouped(service_no))
        outbox.enqueue(session, hall_id=hall_id, kind="ticket.joined", recipient=to[0],
                       channel=to[1], text=signed(hall_name, text),
                       dedupe_key=f"ticket.joined:{ticket_id}", now=at[ticket_id])


@sa_event.listens_for(Session, "after_rollback")
def _forget_joined(session: Session) -> None:
    session.info.pop(_JOINED, None)


def _case_step(session: Session, appended: Appended) -> None:
    case = appended.case
    to = contact(case.applicant_phone) if case is not None else None
    if case is None or to is None:
        return
    sentence = kinds.get(appended.kind).sentence(appended.data, verified=False)
    if sentence is None:
        return
    if appended.kind == "case.decided" and appended.data.get("outcome") == "rejected":
        sentence = REJECTED
    # The template ends the sentence; a step that ends itself does not end it twice.
    step = zh(sentence, **_case_params(session, case, sentence, appended.data)).rstrip("。.")
    text = zh(CASE_STEP, case_no=numbers.grouped(case.case_no), step=step)
    outbox.enqueue(session, hall_id=case.hall_id, kind=appended.kind, recipient=to[0],
                   channel=to[1], text=signed(case.hall.name_zh, text),
                   dedupe_key=f"{appended.kind}:{appended.id}", now=appended.at)


def _case_params(session: Session, case, sentence: str, data: dict) -> dict[str, object]:
    """The public sentence's parameters in words: a division by its name, a procedure in
    Chinese, a time in the hall's zone; the rest as recorded."""
    params: dict[str, object] = {}
    for name in re.findall(r"%\((\w+)\)s", sentence):
        value = data.get(name, "")
        shown = kinds.FIELDS.get(name)
        if shown is not None and shown.shown == "division":
            value = session.scalar(select(Division.name_zh).where(
                Division.hall_id == case.hall_id, Division.code == value)) or value
        elif shown is not None and shown.shown == "term" and shown.terms:
            value = zh(shown.terms.get(str(value), str(value)))
        elif name == "after" and value:
            value = when(datetime.fromisoformat(str(value)), case.hall.timezone)
        elif name == "case_no":
            value = numbers.grouped(str(value))
        params[name] = value
    return params


# -- questions, complaints and reports online (issue 15, hall.enquiries) ---------------------------
# Told when the office answers, accepts, declines or concludes, if the citizen left a mobile
# number or an e-mail address (an anonymous report has neither). Never the answer, the reason
# or the result: only that there is one, to be read with the access code.
ENQUIRY_WORDS = {
    "enquiry.answered": N_("Your question (service number %(service_no)s) has been answered. "
                           "Read the answer on the tracking page with your service number and "
                           "access code."),
    "enquiry.accepted": N_("Your %(kind)s (service number %(service_no)s) has been accepted; it "
                           "is to be concluded by %(due)s."),
    "enquiry.declined": N_("Your %(kind)s (service number %(service_no)s) was not accepted. "
                           "Read the reason on the tracking page with your service number and "
                           "access code."),
    "enquiry.concluded": N_("Your %(kind)s (service number %(service_no)s) has been concluded. "
                            "Read the result on the tracking page with your service number and "
                            "access code."),
}
ENQUIRY_KIND_WORDS = {"consultation": N_("question"), "complaint": N_("complaint"),
                      "report": N_("report")}


def _enquiry_step(session: Session, appended: Appended) -> None:
    enquiry = appended.enquiry
    if enquiry is None:
        return
    to = contact(enquiry.phone) or contact(enquiry.email)
    if to is None:
        return
    hall = enquiry.hall
    due = enquiry.conclude_due_at
    text = zh(ENQUIRY_WORDS[appended.kind], service_no=numbers.grouped(enquiry.service_no),
              kind=zh(ENQUIRY_KIND_WORDS[enquiry.kind]),
              due=when(due, hall.timezone) if due else "")
    outbox.enqueue(session, hall_id=hall.id, kind=appended.kind, recipient=to[0],
                   channel=to[1], text=signed(hall.name_zh, text),
                   dedupe_key=f"{appended.kind}:{appended.id}", now=appended.at)


# -- applications online (issue 15, hall.applications) ---------------------------------------------
# Told when the application arrives, when documents are asked for, and when it is not
# accepted; once accepted it is a case, whose steps are told as every case's are (above).
# Never the reason or the list of documents: only that there is one, read with the access code.
APPLICATION_WORDS = {
    "application.submitted": N_("Your application for %(service)s was received (service number "
                                "%(service_no)s). It is pre-reviewed within %(days)s working "
                                "days; follow it on the tracking page."),
    "application.documents_requested": N_("Your application %(service_no)s needs documents. "
                                          "See which on the tracking page with your service "
                                          "number and access code, and upload them there."),
    "application.refused": N_("Your application %(service_no)s was not accepted. Read the "
                              "reason on the tracking page with your service number and access "
                              "code."),
}


def _application_step(session: Session, appended: Appended) -> None:
    application = session.get(Application, appended.data.get("application"))
    to = contact(application.phone) if application is not None else None
    if application is None or to is None:
        return
    hall = application.hall
    text = zh(APPLICATION_WORDS[appended.kind],
              service_no=numbers.grouped(application.service_no),
              service=application.service.name_zh, days=prereview.PREREVIEW_DAYS)
    outbox.enqueue(session, hall_id=hall.id, kind=appended.kind, recipient=to[0],
                   channel=to[1], text=signed(hall.name_zh, text),
                   dedupe_key=f"{appended.kind}:{appended.id}", now=appended.at)


def install() -> None:
    """Write the notifications with the moves that cause them (from now on, in every
    database of this process; installing twice changes nothing)."""
    events.on_append(BOOKING_KINDS, _booking_written)
    events.on_append(("ticket.called",), _called)
    events.on_append(("ticket.issued",), _issued)
    events.on_append(CASE_KINDS, _case_step)
    events.on_append(tuple(ENQUIRY_WORDS), _enquiry_step)
    events.on_append(tuple(APPLICATION_WORDS), _application_step)


# -- written by the scheduled jobs ----------------------------------------------------------------

def _write(session: Session, found: list[tuple[str, int, str, tuple[str, str], str]]) -> int:
    """Write what a job found (key, hall, kind, (recipient, channel), text) in one short
    transaction; the keys written meanwhile by another process are skipped."""
    if not found:
        return 0
    with write_transaction(session):
        return sum(outbox.enqueue(session, hall_id=hall_id, kind=kind, recipient=to[0],
                                  channel=to[1], text=text, dedupe_key=key)
                   for key, hall_id, kind, to, text in found)


def queue_reminders(session: Session, now: datetime) -> int:
    """The day-before reminder of each booking for tomorrow, once the hall's reminder time
    has come today (NOTIFY_REMINDER_AT); a booking made or moved after that time is not
    reminded: its own message of a moment ago says the same. Returns how many were written."""
    config = settings.of(session)
    early = timedelta(minutes=config.appointment_early_minutes)
    found = []
    for hall in session.scalars(select(Hall)):
        local = now.astimezone(ZoneInfo(hall.timezone))
        if local.time() < config.reminder_at:
            continue
        since = datetime.combine(local.date(), config.reminder_at, ZoneInfo(hall.timezone))
        tomorrow: date = local.date() + timedelta(days=1)
        due = list(session.scalars(select(Booking).where(
            Booking.hall_id == hall.id, Booking.day == tomorrow,
            Booking.status == BookingStatus.BOOKED.value, Booking.changed_at < since)))
        keys = {f"booking.reminder:{b.id}:{tomorrow.isoformat()}": b for b in due}
        for key in keys.keys() - outbox.existing_keys(session, list(keys)):
            booking = keys[key]
            to = contact(booking.phone)
            if to is None:
                continue
            opens = (booking.start - early).astimezone(ZoneInfo(hall.timezone))
            text = zh(REMINDER, when=when(booking.start, hall.timezone),
                      service=booking.service.name_zh, code=booking.booking_code,
                      opens=opens.strftime("%H:%M"))
            found.append((key, hall.id, "booking.reminder", to, signed(hall.name_zh, text)))
    session.rollback()  # end the read before the write
    return _write(session, found)


def queue_nearly(session: Session, now: datetime) -> int:
    """"Nearly your turn" for each visitor waiting today with NOTIFY_AHEAD people or fewer
    ahead who left a mobile number: booked and checked in, or queued from home (told to come
    in while still away), once per ticket. Two reads for every hall (the sender runs it every
    few seconds), then one count per visitor not yet told. Returns how many were written."""
    ahead_at_most = settings.of(session).notify_ahead
    today = {hall_id: clock.local_date(now, tz)
             for hall_id, tz in session.execute(select(Hall.id, Hall.timezone))}
    days = set(today.values())
    booked = session.execute(
        select(Ticket, Booking.phone).join(Booking, Booking.ticket_id == Ticket.id)
        .where(Booking.hall_id.in_(list(today)), Booking.day.in_(days),
               Booking.status == BookingStatus.CHECKED_IN.value,
               Ticket.status == TicketStatus.WAITING.value))
    from_home = session.execute(
        select(Ticket, RemoteTicket.phone).join(RemoteTicket, RemoteTicket.ticket_id == Ticket.id)
        .where(RemoteTicket.hall_id.in_(list(today)), RemoteTicket.day.in_(days),
               Ticket.status == TicketStatus.WAITING.value))
    waiting = [(ticket, phone) for ticket, phone in [*booked, *from_home]
               if ticket.day == today[ticket.hall_id]]
    keys = {f"ticket.nearly:{t.id}": (t, phone) for t, phone in waiting}
    found = []
    connection = session.connection()
    for key in sorted(keys.keys() - outbox.existing_keys(session, list(keys))):
        ticket, phone = keys[key]
        to = contact(phone)
        if to is None:
            continue
        ahead, _wait = board.position(
            connection, hall_id=ticket.hall_id, day=ticket.day, service_id=ticket.service_id,
            standard_minutes=ticket.service.standard_minutes, ticket_id=ticket.id,
            queued_at=ticket.queued_at, is_priority=ticket.is_priority,
            appointment_at=ticket.appointment_at)
        if ahead > ahead_at_most:
            continue
        facts = {"number": ticket.number, "service": ticket.service.name_zh}
        # Who is still at home is asked to come in: call-next passes them by till then.
        nearly, following = (NEARLY_AWAY, NEXT_AWAY) if ticket.away else (NEARLY, NEXT)
        text = zh(nearly, ahead=ahead, **facts) if ahead else zh(following, **facts)
        found.append((key, ticket.hall_id, "ticket.nearly", to,
                      signed(ticket.hall.name_zh, text)))
    session.rollback()
    return _write(session, found)
