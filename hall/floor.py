"""The hall floor as displays and window consoles see it, read in one consistent snapshot.

``floor_state`` is what a display receives when it joins or re-syncs: it carries the floor
sequence number it reflects, so that the live events that follow (each with its own number)
can be applied on top of it without a gap or a repeat.
"""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from . import access, board, clock, queue
from .models import Event, Hall, ServiceItem, Staff, Ticket, TicketStatus, Window

CALL_KINDS = ("ticket.called", "ticket.recalled", "ticket.resumed")
RECENT_CALLS = 8


def start_of_day(hall: Hall, day) -> datetime:
    """Midnight of ``day`` in the hall's zone, as a UTC instant."""
    return datetime.combine(day, time(0), ZoneInfo(hall.timezone)).astimezone(UTC)


def floor_state(session: Session, hall: Hall, windows: list[int] | None = None) -> dict:
    """Everything a wall display shows, with the floor sequence number it reflects; a
    display over a group of ``windows`` gets the last calls of that group.

    Call inside one read transaction (``hall.db.consistent_read``): the sequence number and
    the rows must come from the same snapshot."""
    seq = session.scalar(select(Hall.floor_seq).where(Hall.id == hall.id))
    snapshot = board.queue_snapshot(session, hall)
    return {
        "hall": hall.code, "name": hall.name_zh, "name_en": hall.name_en,
        "day": snapshot.day.isoformat(), "seq": seq,
        "services": [
            {"code": s.code, "name": s.name_zh, "name_en": s.name_en, "prefix": s.prefix,
             "waiting": s.waiting, "windows": s.windows}
            for s in snapshot.services
        ],
        "windows": [{"no": w.no, "state": w.state, "serving": w.serving}
                    for w in snapshot.windows],
        "calls": recent_calls(session, hall, snapshot.day, windows=windows),
    }


def recent_calls(session: Session, hall: Hall, day, limit: int = RECENT_CALLS,
                 windows: list[int] | None = None) -> list[dict]:
    """Today's last calls, newest first: what the display lists under the current call.

    Each number once, at its latest call: a recall, or a visitor called again after a hold
    or a transfer, moves the number to the top instead of listing it twice."""
    calls = (
        select(func.max(Event.seq).label("seq"))
        .where(Event.hall_id == hall.id, Event.kind.in_(CALL_KINDS),
               Event.at >= start_of_day(hall, day))
        .group_by(Event.ticket_id)
        .order_by(func.max(Event.seq).desc())
        .limit(limit)
    )
    if windows:
        calls = calls.join(Window, Window.id == Event.window_id).where(Window.no.in_(windows))
    latest = calls.subquery()
    rows = session.execute(
        select(Event.seq, Event.kind, Event.at, Event.data, ServiceItem.code,
               ServiceItem.name_zh, ServiceItem.name_en)
        .join(latest, latest.c.seq == Event.seq)
        .join(Ticket, Ticket.id == Event.ticket_id)
        .join(ServiceItem, ServiceItem.id == Ticket.service_id)
        .where(Event.hall_id == hall.id)
        .order_by(Event.seq.desc())
    )
    return [
        {"seq": seq, "kind": kind.removeprefix("ticket."), "at": at.isoformat(),
         "number": data["number"], "window": data["window_no"], "service": code,
         "name": name_zh, "name_en": name_en}
        for seq, kind, at, data, code, name_zh, name_en in rows
    ]


def ticket_card(ticket: Ticket) -> dict:
    """A ticket as staff see it at a window."""
    return {
        "number": ticket.number, "service_no": ticket.service_no, "status": ticket.status,
        "service": ticket.service.code, "service_name": ticket.service.name_zh,
        "service_name_en": ticket.service.name_en, "priority": ticket.priority_reason,
        "issued_at": _iso(ticket.issued_at), "called_at": _iso(ticket.called_at),
        "serving_at": _iso(ticket.serving_at), "finished_at": _iso(ticket.finished_at),
        "call_count": ticket.call_count,
    }


# What a card shows, read as columns: a console's lists hold up to 50 cards, and loading them
# as ORM objects (every column, their services' JSON lists) took most of a move's answer.
_CARD_COLUMNS = (Ticket.id, Ticket.number, Ticket.service_no, Ticket.status,
                 ServiceItem.code.label("service"), ServiceItem.name_zh.label("service_name"),
                 ServiceItem.name_en.label("service_name_en"),
                 Ticket.priority_reason.label("priority"), Ticket.issued_at, Ticket.called_at,
                 Ticket.serving_at, Ticket.finished_at, Ticket.call_count)
_TIMES = ("issued_at", "called_at", "serving_at", "finished_at")


def _cards(session: Session, *where, order_by, limit: int | None = None) -> list[dict]:
    """``ticket_card`` of each ticket matching ``where``, with its id under ``"id"``."""
    rows = session.execute(select(*_CARD_COLUMNS)
                           .join(ServiceItem, ServiceItem.id == Ticket.service_id)
                           .where(*where).order_by(*order_by).limit(limit))
    cards = []
    for row in rows:
        card = row._asdict()
        for name in _TIMES:
            card[name] = _iso(card[name])
        cards.append(card)
    return cards


def window_view(session: Session, window: Window) -> dict:
    """A window's console: its state and clerk, whom it serves, whom it holds, the queues of
    its services and whom it served today."""
    hall = window.hall
    day = clock.local_date(clock.now(), hall.timezone)
    clerk = session.get(Staff, window.clerk_id) if window.clerk_id else None
    current = (session.get(Ticket, window.current_ticket_id,
                           options=[joinedload(Ticket.service)])
               if window.current_ticket_id else None)
    waiting = board.waiting_by_service(session, hall.id, day)
    here = (Ticket.window_id == window.id, Ticket.day == day)
    held = _cards(session, *here, Ticket.status == TicketStatus.HELD.value,
                  order_by=[Ticket.called_at])
    sent_here = _cards(session, Ticket.target_window_id == window.id, Ticket.day == day,
                       Ticket.status == TicketStatus.WAITING.value, order_by=[Ticket.queued_at])
    why_held = _held_reasons(session, [card["id"] for card in held])
    # A no-show has no finishing time: it sits where it was called.
    served = _cards(session, *here, Ticket.status.in_((TicketStatus.FINISHED.value,
                                                       TicketStatus.NO_SHOW.value)),
                    order_by=[func.coalesce(Ticket.finished_at, Ticket.called_at).desc()],
                    limit=50)
    return {
        "hall": hall.code, "no": window.no, "name": window.name_zh, "name_en": window.name_en,
        "state": window.state, "pause_reason": window.pause_reason,
        "clerk": {"username": clerk.username, "name": clerk.name} if clerk else None,
        "current": ticket_card(current) if current else None,
        "held": [{**_without_id(card), **why_held.get(card["id"], {})} for card in held],
        "sent_here": [_without_id(card) for card in sent_here],
        "services": [
            {"code": s.code, "name": s.name_zh, "name_en": s.name_en, "prefix": s.prefix,
             "waiting": waiting.get(s.code, 0)}
            for s in window.services
        ],
        "served_today": [_without_id(card) for card in served],
        "waiting_here": sum(waiting.get(s.code, 0) for s in window.services),
        "undo": _undo_offer(session, window),
    }


def _without_id(card: dict) -> dict:
    return {key: value for key, value in card.items() if key != "id"}


def _held_reasons(session: Session, ticket_ids: list[int]) -> dict[int, dict]:
    """Why and since when each held ticket is held: its last "held" event."""
    if not ticket_ids:
        return {}
    found, now = {}, clock.now()
    for ticket_id, at, data in session.execute(
            select(Event.ticket_id, Event.at, Event.data)
            .where(Event.ticket_id.in_(ticket_ids), Event.kind == "ticket.held")
            .order_by(Event.id)):
        found[ticket_id] = {"held_since": _iso(at), "held_reason": (data or {}).get("reason"),
                            "held_minutes": max(0, int((now - at).total_seconds() // 60))}
    return found


def _undo_offer(session: Session, window: Window) -> dict | None:
    """A no-show the clerk may still take back: its number and until when."""
    if window.current_ticket_id is not None:
        return None
    last = queue.last_no_show(session, window)
    if last is None:
        return None
    until = last.at + queue.UNDO_NO_SHOW_FOR
    if clock.now() >= until:
        return None
    return {"number": (last.data or {}).get("number"), "until": _iso(until)}


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None



# A clerk's own window: looked for among the windows they opened lately.
HOME_WINDOW_DAYS = 30
HOME_WINDOW_OPENINGS = 5


def home_window(session: Session, staff: Staff) -> Window | None:
    """The window a clerk works now; else the one window they are assigned to; else, among
    several, the one they opened on each of their last few openings (a clerk who moves
    between windows has none: they choose from the list).

    Read newest first through ``ix_events_hall_at`` and bounded in time, so that a sign-in
    never walks the whole history of the hall."""
    working = session.scalar(select(Window).where(Window.clerk_id == staff.id,
                                                  Window.state != "closed"))
    if working is not None:
        return working
    assigned = access.windows_of(session, staff)
    if len(assigned) == 1:
        return assigned[0]
    since = clock.now() - timedelta(days=HOME_WINDOW_DAYS)
    opened = list(session.scalars(
        select(Event.window_id).where(Event.hall_id == staff.hall_id, Event.at >= since,
                                      Event.kind == "window.opened",
                                      Event.actor_id == staff.id)
        .order_by(Event.at.desc()).limit(HOME_WINDOW_OPENINGS)))
    if not opened or len(set(opened)) > 1:
        return None
    window = session.get(Window, opened[0])
    return window if window in assigned or not assigned else None
