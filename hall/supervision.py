"""A manager's or administrator's moves on a window worked by someone else: closing it for
its clerk (the clerk left, fell ill, or worked a window that was not theirs) and handing it
over to another clerk who may work it. Each is one transaction with its audited event and a
reason, and works whatever state the window is in, with a visitor at it or held there.

What happens to the visitors when a window is closed for its clerk: whoever was called, being
served or held at it goes back to waiting with their place in line kept (their time of
arrival), as after a transfer, and anyone sent to this window by name goes back to their
service's queue. Nobody is lost and nobody is finished on the clerk's behalf. A hand-over
keeps everything: the visitor at the window and those held there stay, for the new clerk.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import access, text
from .db import operation
from .errors import (
    ClerkNotAssigned,
    ClerkWorksOtherWindow,
    UnknownStaff,
    WindowNotOpen,
    WindowReasonRequired,
)
from .events import Actor, record
from .lookup import get_hall, window_for_move
from .models import Hall, Role, Staff, Ticket, TicketStatus, Window, WindowState

REASON_LIMIT = 200
_AT_WINDOW = (TicketStatus.CALLED.value, TicketStatus.SERVING.value, TicketStatus.HELD.value)


def _reason(reason: str | None) -> str:
    why = text.clean(reason)
    if not why:
        raise WindowReasonRequired()
    return text.bounded(why, "reason", REASON_LIMIT) or why


@operation
def force_close(session: Session, hall_code: str, window_no: int, *, actor: Actor,
                reason: str) -> Window:
    """Close a window for its clerk; its visitors go back to waiting, places kept."""
    hall = get_hall(session, hall_code)
    access.require_supervisor(actor, hall)
    why = _reason(reason)
    window = window_for_move(session, hall, window_no)
    if window.state == WindowState.CLOSED.value:
        raise WindowNotOpen(window=window.no)
    close_for(session, hall, window, actor=actor, reason=why)
    return window


def close_for(session: Session, hall: Hall, window: Window, *, actor: Actor, reason: str,
              **data) -> list[str]:
    """Inside the caller's transaction: put the window's visitors back in line and close it
    (also used when its clerk's account is deactivated). The numbers put back."""
    returned = []
    for ticket in session.scalars(
        select(Ticket).where(Ticket.window_id == window.id, Ticket.status.in_(_AT_WINDOW))
        .order_by(Ticket.queued_at, Ticket.id)
        .with_for_update().execution_options(populate_existing=True)
    ):
        before = ticket.status
        ticket.status = TicketStatus.WAITING.value
        ticket.window_id = None
        ticket.target_window_id = None
        returned.append(ticket.number)
        record(session, hall, "ticket.returned", actor=actor, ticket=ticket, window=window,
               number=ticket.number, window_no=window.no, service=ticket.service.code,
               before=before, reason=reason)
    for ticket in session.scalars(
        select(Ticket).where(Ticket.target_window_id == window.id,
                             Ticket.status == TicketStatus.WAITING.value)
        .with_for_update().execution_options(populate_existing=True)
    ):
        ticket.target_window_id = None  # sent here by name: back to their service's queue
        returned.append(ticket.number)
    clerk = session.get(Staff, window.clerk_id) if window.clerk_id else None
    window.state = WindowState.CLOSED.value
    window.clerk_id = None
    window.current_ticket_id = None
    window.pause_reason = None
    window.priority_streak = window.appointment_streak = 0
    record(session, hall, "window.closed", actor=actor, window=window, window_no=window.no,
           forced=True, reason=reason, clerk=clerk.username if clerk else None,
           returned=returned, **data)
    return returned


@operation
def hand_over(session: Session, hall_code: str, window_no: int, *, to_clerk: str,
              actor: Actor, reason: str) -> Window:
    """Give an open or paused window to another clerk of the hall who may work it; the
    visitor at it and those held there stay, for the new clerk."""
    hall = get_hall(session, hall_code)
    access.require_supervisor(actor, hall)
    why = _reason(reason)
    window = window_for_move(session, hall, window_no)
    if window.state == WindowState.CLOSED.value:
        raise WindowNotOpen(window=window.no)
    clerk = session.scalar(select(Staff).where(Staff.username == (to_clerk or "").strip()))
    if clerk is None:
        raise UnknownStaff(username=to_clerk)
    if (clerk.hall_id != hall.id or not clerk.active or not clerk.has_role(Role.CLERK)
            or not access.may_work_window(session, window, clerk.id)):
        raise ClerkNotAssigned(clerk=clerk.username, window=window.no)
    if clerk.id == window.clerk_id:
        return window
    elsewhere = session.scalar(select(Window).where(
        Window.clerk_id == clerk.id, Window.id != window.id,
        Window.state != WindowState.CLOSED.value))
    if elsewhere is not None:
        raise ClerkWorksOtherWindow(clerk=clerk.username, window=elsewhere.no)
    before = session.get(Staff, window.clerk_id) if window.clerk_id else None
    window.clerk = clerk
    record(session, hall, "window.handed_over", actor=actor, window=window,
           window_no=window.no, reason=why, from_clerk=before.username if before else None,
           to_clerk=clerk.username)
    return window


def windows_worked_by(session: Session, staff: Staff) -> list[Window]:
    """The windows ``staff`` has open or paused now (locked)."""
    return list(session.scalars(
        select(Window).where(Window.clerk_id == staff.id,
                             Window.state != WindowState.CLOSED.value)
        .with_for_update().execution_options(populate_existing=True)))
