"""The queue engine: every move of a ticket at a window and of the window itself, each one
transaction with its event. Issuing tickets is in ``hall.issuing``.

Functions take the SQLAlchemy session first and are called alike from a view, a socket
handler, a job or the command line. Illegal moves raise the errors of ``hall.errors``.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from . import access, callorder, clock, hours, settings

# Whom a window calls next is ``hall.callorder``'s (one policy, tested as a table).
from .callorder import DEFAULT_POLICY as DEFAULT_POLICY
from .callorder import Policy as Policy
from .db import operation
from .errors import (
    ClerkAtOtherWindow,
    HoldReasonRequired,
    IllegalMove,
    InvalidTransfer,
    NoCurrentTicket,
    NotAClerk,
    NotCurrentTicket,
    NothingToUndo,
    NotServedHere,
    NotYourWindow,
    PauseReasonRequired,
    ServiceNotOffered,
    TicketNotFound,
    WindowBusy,
    WindowHasHeldTickets,
    WindowNotAssigned,
    WindowNotOpen,
    WindowTaken,
)
from .events import Actor, record
from .lookup import get_hall, get_service, window_of

# Callers have always found these here (display, the staff sockets, tests): kept importable.
from .lookup import get_window as get_window
from .lookup import window_for_move as window_for_move
from .models import (
    Event,
    Hall,
    Role,
    ServiceItem,
    Staff,
    Ticket,
    TicketStatus,
    Window,
    WindowState,
    window_services,
)

# A no-show pressed by mistake (F6 is one key, right after a call) can be taken back for this
# long, if nothing else happened at the window meanwhile.
UNDO_NO_SHOW_FOR = timedelta(seconds=30)

# -- looking things up (hall.lookup; get_hall, get_window… stay importable from here) -------

def today(hall: Hall) -> date:
    return clock.local_date(clock.now(), hall.timezone)


def _served_ids(session: Session, window: Window) -> list[int]:
    return list(session.scalars(
        select(window_services.c.service_id).where(window_services.c.window_id == window.id)
    ))


def _is_offered(session: Session, service: ServiceItem) -> bool:
    """Active, and at least one window of the hall may serve it."""
    return service.active and bool(session.scalar(
        select(exists().where(window_services.c.service_id == service.id))
    ))


# -- windows ----------------------------------------------------------------------------------

def _require_clerk(actor: Actor) -> None:
    if actor.staff_id is None or Role.CLERK.value not in actor.roles:
        raise NotAClerk()


def _require_own_window(window: Window, actor: Actor) -> None:
    """A closed window belongs to nobody: say it is closed rather than someone else's.
    Another hall's window is refused before anything about it is said."""
    access.require_own_hall(actor, window.hall)
    if window.state == WindowState.CLOSED.value:
        raise WindowNotOpen(window=window.no)
    if actor.staff_id is None or window.clerk_id != actor.staff_id:
        raise NotYourWindow(window=window.no)


@operation
def open_window(session: Session, hall_code: str, window_no: int, *, actor: Actor) -> Window:
    """Open a window for the day and bind the clerk to it; opening it again is harmless.

    A paused window is resumed by opening it."""
    _require_clerk(actor)
    hall = get_hall(session, hall_code)
    access.require_own_hall(actor, hall)
    window = window_of(session, hall, window_no)
    if window.state != WindowState.CLOSED.value and window.clerk_id != actor.staff_id:
        clerk = session.get(Staff, window.clerk_id)
        raise WindowTaken(window=window.no, clerk=clerk.name if clerk else "?")
    if window.state == WindowState.OPEN.value:
        return window
    if not access.may_work_window(session, window, actor.staff_id):
        raise WindowNotAssigned(window=window.no)
    hours.require_windows(session, hall, clock.now())  # not on a closed day, nor after it
    elsewhere = session.scalar(select(Window).where(
        Window.clerk_id == actor.staff_id, Window.id != window.id,
        Window.state != WindowState.CLOSED.value,
    ))
    if elsewhere is not None:
        raise ClerkAtOtherWindow(window=elsewhere.no)
    kind = "window.resumed" if window.state == WindowState.PAUSED.value else "window.opened"
    if kind == "window.opened":
        window.opened_at = clock.now()
    window.state = WindowState.OPEN.value
    window.clerk_id = actor.staff_id
    window.pause_reason = None
    record(session, hall, kind, actor=actor, window=window, window_no=window.no)
    return window


@operation
def pause_window(session: Session, hall_code: str, window_no: int, *, actor: Actor,
                 reason: str) -> Window:
    """Stop calling for a while (a break, a system fault); the clerk stays bound."""
    hall = get_hall(session, hall_code)
    window = window_of(session, hall, window_no)
    _require_own_window(window, actor)
    if not (reason or "").strip():
        raise PauseReasonRequired()
    if window.state != WindowState.OPEN.value:
        raise WindowNotOpen(window=window.no)
    _require_idle(session, window)
    window.state = WindowState.PAUSED.value
    window.pause_reason = reason.strip()[:200]
    record(session, hall, "window.paused", actor=actor, window=window, window_no=window.no,
           reason=window.pause_reason)
    return window


@operation
def close_window(session: Session, hall_code: str, window_no: int, *, actor: Actor) -> Window:
    """Close a window and release its clerk; nobody may be left called or held there."""
    hall = get_hall(session, hall_code)
    window = window_of(session, hall, window_no)
    _require_own_window(window, actor)
    _require_idle(session, window)
    held = list(session.scalars(select(Ticket.number).where(
        Ticket.window_id == window.id, Ticket.status == TicketStatus.HELD.value,
    )))
    if held:
        raise WindowHasHeldTickets(window=window.no, numbers=", ".join(held))
    window.state = WindowState.CLOSED.value
    window.clerk_id = None
    window.pause_reason = None
    window.priority_streak = window.appointment_streak = 0
    record(session, hall, "window.closed", actor=actor, window=window, window_no=window.no)
    return window


def _require_idle(session: Session, window: Window) -> None:
    if window.current_ticket_id is not None:
        current = session.get(Ticket, window.current_ticket_id)
        assert current is not None  # a foreign key
        raise WindowBusy(window=window.no, number=current.number)


def working_window(session: Session, hall: Hall, window_no: int, actor: Actor) -> Window:
    """The window, locked, checked to be open and worked by this clerk."""
    window = window_of(session, hall, window_no)
    _require_own_window(window, actor)
    if window.state != WindowState.OPEN.value:
        raise WindowNotOpen(window=window.no)
    return window


# -- calling ----------------------------------------------------------------------------------

@operation
def call_next(session: Session, hall_code: str, window_no: int, *, actor: Actor,
              policy: Policy | None = None) -> Ticket | None:
    """Call the next visitor this window may serve, or None when nobody waits: priority,
    then appointments whose slot has started, then walk-ins, within the caps of
    ``hall.callorder`` (one query, ordered by the policy's ranks for this window)."""
    hall = get_hall(session, hall_code)
    window = working_window(session, hall, window_no, actor)
    _require_idle(session, window)
    policy = policy or settings.of(session).call_policy
    order = callorder.ranks(window.priority_streak, window.appointment_streak, policy)
    query = (
        _callable_here(session, hall, window)
        .order_by(*callorder.order_by(clock.now(), order, policy))
        .limit(1)
        # Two windows calling at once each skip the row the other has locked (PostgreSQL);
        # SQLite serialises writers with BEGIN IMMEDIATE instead.
        .with_for_update(skip_locked=True)
    )
    ticket = session.scalar(query)
    if ticket is None:
        return None
    _call(session, hall, window, ticket, actor)
    return ticket


def _callable_here(session: Session, hall: Hall, window: Window):
    """Today's waiting tickets this window may call: its services, or sent to it by name."""
    return select(Ticket).where(
        Ticket.hall_id == hall.id,
        Ticket.day == today(hall),
        Ticket.status == TicketStatus.WAITING.value,
        # A ticket taken from home waits here only once its visitor is in the hall.
        Ticket.away.is_(False),
        or_(
            and_(Ticket.target_window_id.is_(None),
                 Ticket.service_id.in_(_served_ids(session, window))),
            Ticket.target_window_id == window.id,
        ),
    )


@operation
def call_ticket(session: Session, hall_code: str, window_no: int, number: str, *,
                actor: Actor) -> Ticket:
    """Call one particular number: a visitor who missed the call and came back, or one a
    colleague asked for."""
    hall = get_hall(session, hall_code)
    window = working_window(session, hall, window_no, actor)
    _require_idle(session, window)
    ticket = _today_ticket(session, hall, number, lock=True)
    if ticket.status not in (TicketStatus.WAITING.value, TicketStatus.NO_SHOW.value):
        raise IllegalMove(number=ticket.number, status=ticket.status, move="call")
    allowed = ticket.target_window_id == window.id or (
        ticket.target_window_id is None and ticket.service_id in _served_ids(session, window)
    )
    if not allowed:
        raise NotServedHere(window=window.no, service=ticket.service.name_zh)
    # A ticket from home not checked in yet: the clerk, who sees the visitor, decides; once
    # called it is in the hall (and not counted as never arrived at closing).
    ticket.away = False
    _call(session, hall, window, ticket, actor)
    return ticket


def _today_ticket(session: Session, hall: Hall, number: str, *, lock: bool) -> Ticket:
    query = select(Ticket).where(Ticket.hall_id == hall.id, Ticket.day == today(hall),
                                 Ticket.number == (number or "").strip().upper())
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    ticket = session.scalar(query)
    if ticket is None:
        raise TicketNotFound(number=number)
    return ticket


def _call(session: Session, hall: Hall, window: Window, ticket: Ticket, actor: Actor,
          kind: str = "ticket.called") -> None:
    ticket.status = TicketStatus.CALLED.value
    ticket.called_at = clock.now()
    ticket.call_count += 1
    ticket.window_id = window.id
    ticket.target_window_id = None
    if ticket.first_owner_id is None:
        ticket.first_owner_id = actor.staff_id
    window.current_ticket_id = ticket.id
    window.priority_streak = window.priority_streak + 1 if ticket.is_priority else 0
    appointment = (not ticket.is_priority and ticket.appointment_at is not None
                   and ticket.appointment_at <= ticket.called_at)
    # Only a walk-in's call ends a row of appointments: a priority call in between serves no
    # walk-in, so it must not let appointments start a new row.
    if appointment:
        window.appointment_streak += 1
    elif not ticket.is_priority:
        window.appointment_streak = 0
    record(session, hall, kind, actor=actor, ticket=ticket, window=window,
           number=ticket.number, window_no=window.no, service=ticket.service.code,
           call_count=ticket.call_count)


# -- moves on the ticket at the window -------------------------------------------------------

def current_ticket(session: Session, window: Window, expected: str | None,
             allowed: tuple[TicketStatus, ...], move: str) -> Ticket:
    """The ticket at the window, checked against the number the clerk's screen showed."""
    if window.current_ticket_id is None:
        if expected:
            ticket = _today_ticket(session, window.hall, expected, lock=False)
            raise IllegalMove(number=ticket.number, status=ticket.status, move=move)
        raise NoCurrentTicket(window=window.no)
    at_window = session.get(Ticket, window.current_ticket_id, with_for_update=True,
                            populate_existing=True)
    assert at_window is not None  # a foreign key
    ticket = at_window
    if expected and ticket.number != expected.strip().upper():
        raise NotCurrentTicket(number=expected, window=window.no, current=ticket.number)
    if ticket.status not in {s.value for s in allowed}:
        raise IllegalMove(number=ticket.number, status=ticket.status, move=move)
    return ticket


def _release(window: Window) -> None:
    window.current_ticket_id = None


@operation
def recall(session: Session, hall_code: str, window_no: int, *, actor: Actor,
           number: str | None = None) -> Ticket:
    """Call the same visitor again (the displays repeat the call)."""
    hall = get_hall(session, hall_code)
    window = working_window(session, hall, window_no, actor)
    ticket = current_ticket(session, window, number, (TicketStatus.CALLED,), "recall")
    ticket.call_count += 1
    record(session, hall, "ticket.recalled", actor=actor, ticket=ticket, window=window,
           number=ticket.number, window_no=window.no, service=ticket.service.code,
           call_count=ticket.call_count)
    return ticket


@operation
def mark_no_show(session: Session, hall_code: str, window_no: int, *, actor: Actor,
                 number: str | None = None) -> Ticket:
    """The called visitor did not come (过号); they can be called by number if they return."""
    hall = get_hall(session, hall_code)
    window = window_of(session, hall, window_no)
    _require_own_window(window, actor)
    ticket = current_ticket(session, window, number, (TicketStatus.CALLED,), "no_show")
    ticket.status = TicketStatus.NO_SHOW.value
    _release(window)
    record(session, hall, "ticket.no_show", actor=actor, ticket=ticket, window=window,
           number=ticket.number, window_no=window.no, call_count=ticket.call_count)
    return ticket


@operation
def undo_no_show(session: Session, hall_code: str, window_no: int, number: str, *,
                 actor: Actor, within: timedelta = UNDO_NO_SHOW_FOR) -> Ticket:
    """Take back a no-show pressed by mistake: the visitor is called at this window again, as
    before, without a new call on the displays. Only by the window's clerk, within ``within``
    of the no-show, and only if it is still the last thing that happened at the window."""
    hall = get_hall(session, hall_code)
    window = working_window(session, hall, window_no, actor)
    ticket = _today_ticket(session, hall, number, lock=True)
    if ticket.status != TicketStatus.NO_SHOW.value or ticket.window_id != window.id:
        raise NothingToUndo(number=ticket.number, why="not_no_show")
    last = last_no_show(session, window)
    if last is None or last.ticket_id != ticket.id or window.current_ticket_id is not None:
        raise NothingToUndo(number=ticket.number, why="moved")
    if clock.now() - last.at > within:
        raise NothingToUndo(number=ticket.number, why="late")
    ticket.status = TicketStatus.CALLED.value
    window.current_ticket_id = ticket.id
    record(session, hall, "ticket.no_show_undone", actor=actor, ticket=ticket, window=window,
           number=ticket.number, window_no=window.no, call_count=ticket.call_count)
    return ticket


def last_no_show(session: Session, window: Window) -> Event | None:
    """The window's last event, if it is a no-show (what an undo may take back)."""
    last = session.scalar(select(Event).where(Event.window_id == window.id)
                          .order_by(Event.id.desc()).limit(1))
    return last if last is not None and last.kind == "ticket.no_show" else None


@operation
def start_serving(session: Session, hall_code: str, window_no: int, *, actor: Actor,
                  number: str | None = None) -> Ticket:
    """The visitor has arrived at the window."""
    hall = get_hall(session, hall_code)
    window = window_of(session, hall, window_no)
    _require_own_window(window, actor)
    ticket = current_ticket(session, window, number, (TicketStatus.CALLED,), "start")
    ticket.status = TicketStatus.SERVING.value
    ticket.serving_at = clock.now()
    record(session, hall, "ticket.serving", actor=actor, ticket=ticket, window=window,
           number=ticket.number, window_no=window.no)
    return ticket


@operation
def finish(session: Session, hall_code: str, window_no: int, *, actor: Actor,
           number: str | None = None) -> Ticket:
    """Done at the window (办结). Works from "called" too, for a visitor served at once."""
    hall = get_hall(session, hall_code)
    window = window_of(session, hall, window_no)
    _require_own_window(window, actor)
    ticket = current_ticket(session, window, number, (TicketStatus.CALLED, TicketStatus.SERVING),
                      "finish")
    now = clock.now()
    ticket.status = TicketStatus.FINISHED.value
    ticket.serving_at = ticket.serving_at or now
    ticket.finished_at = now
    _release(window)
    record(session, hall, "ticket.finished", actor=actor, ticket=ticket, window=window,
           number=ticket.number, window_no=window.no, service=ticket.service.code)
    return ticket


@operation
def hold(session: Session, hall_code: str, window_no: int, *, actor: Actor,
         number: str | None = None, reason: str | None = None) -> Ticket:
    """Park the visitor at this window (e.g. to fetch a document) and free it for the next.

    The reason is required: the held list shows it, with how long the visitor has waited, so
    that nobody is parked and forgotten."""
    hall = get_hall(session, hall_code)
    window = window_of(session, hall, window_no)
    _require_own_window(window, actor)
    ticket = current_ticket(session, window, number, (TicketStatus.CALLED, TicketStatus.SERVING),
                      "hold")
    why = (reason or "").strip()[:200]
    if not why:
        raise HoldReasonRequired()
    ticket.status = TicketStatus.HELD.value
    _release(window)
    record(session, hall, "ticket.held", actor=actor, ticket=ticket, window=window,
           number=ticket.number, window_no=window.no, reason=why)
    return ticket


@operation
def resume(session: Session, hall_code: str, window_no: int, number: str, *,
           actor: Actor) -> Ticket:
    """Bring back a visitor held at this window; the displays call them again."""
    hall = get_hall(session, hall_code)
    window = working_window(session, hall, window_no, actor)
    _require_idle(session, window)
    ticket = _today_ticket(session, hall, number, lock=True)
    if ticket.status != TicketStatus.HELD.value or ticket.window_id != window.id:
        raise IllegalMove(number=ticket.number, status=ticket.status, move="resume")
    _call(session, hall, window, ticket, actor, kind="ticket.resumed")
    return ticket


@operation
def transfer(session: Session, hall_code: str, window_no: int, *, actor: Actor,
             to_service: str | None = None, to_window: int | None = None,
             number: str | None = None, reason: str | None = None) -> Ticket:
    """Send the visitor to another service or window, keeping their place in line.

    The ticket keeps its number and its time of arrival, so in the new queue it stands where
    it would have stood had the visitor joined it in the first place."""
    hall = get_hall(session, hall_code)
    window = window_of(session, hall, window_no)
    _require_own_window(window, actor)
    ticket = current_ticket(session, window, number, (TicketStatus.CALLED, TicketStatus.SERVING),
                      "transfer")
    if to_service is None and to_window is None:
        raise InvalidTransfer()
    from_service = ticket.service
    service = from_service
    if to_service is not None:
        service = get_service(session, hall, to_service)
        if not _is_offered(session, service):
            raise ServiceNotOffered(service=service.name_zh)
    target = None
    if to_window is not None:
        if to_window == window.no:
            raise InvalidTransfer()
        target = window_of(session, hall, to_window, lock=False)
        if target.state == WindowState.CLOSED.value:
            raise WindowNotOpen(window=target.no)
        if service.id not in _served_ids(session, target):
            raise NotServedHere(window=target.no, service=service.name_zh)
    elif service.id == from_service.id:
        raise InvalidTransfer()

    ticket.service = service
    ticket.status = TicketStatus.WAITING.value
    ticket.window_id = None
    ticket.target_window_id = target.id if target is not None else None
    _release(window)
    record(session, hall, "ticket.transferred", actor=actor, ticket=ticket, window=window,
           number=ticket.number, window_no=window.no, from_service=from_service.code,
           to_service=service.code, to_window=target.no if target is not None else None,
           reason=(reason or "").strip()[:200])
    return ticket
