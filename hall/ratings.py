"""Ratings of the service (好差评) and the follow-up of every poor one.

A visitor rates a finished visit once, and each closed case once, on five levels. A rating of
2 or less opens a follow-up that a manager must close, with a note, within 15 working days;
the deadline job marks it yellow and red like a case.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import access, clock, deadlines
from .db import operation
from .devices import DevicePass
from .errors import (
    N_,
    AlreadyRated,
    CaseNotFound,
    FollowupClosed,
    InvalidRating,
    NotAManager,
    NotRateableHere,
    NotYetRateable,
)
from .events import Actor, record
from .lookup import get_window
from .models import Case, CaseState, Event, Rating, Role, Staff, Ticket, TicketStatus
from .text import bounded

LEVELS = {5: N_("Very satisfied"), 4: N_("Satisfied"), 3: N_("Fair"),
          2: N_("Dissatisfied"), 1: N_("Very dissatisfied")}
POOR = 2  # at or below: a follow-up is opened
# The rating device on a counter offers the visit just finished there for this long: enough
# for the visitor to pick up their papers and press a button, short enough that the next
# visitor does not rate someone else's service.
AT_WINDOW_FOR = timedelta(minutes=3)


def rateable(session: Session, ticket: Ticket, case: Case | None = None) -> bool:
    """Whether this visit (or this case of it) can be rated now: finished and not yet rated."""
    if case is None:
        done = ticket.status == TicketStatus.FINISHED.value
        query = select(Rating.id).where(Rating.ticket_id == ticket.id, Rating.case_id.is_(None))
    else:
        done = case.state == CaseState.CLOSED.value
        query = select(Rating.id).where(Rating.case_id == case.id)
    return done and session.scalar(query) is None


def rate(session: Session, ticket: Ticket, *, level: int, comment: str = "",
         case_id: int | None = None, channel: str = "tracking",
         actor: Actor, device: DevicePass | None = None) -> Rating:
    """Record the visitor's rating (the caller has checked the ticket's access code, or
    that ``device`` is the rating tablet of its window)."""
    try:
        return _rate(session, ticket.id, level=level, comment=comment, case_id=case_id,
                     channel=channel, actor=actor, device=device)
    except IntegrityError:
        raise AlreadyRated() from None  # a second submit raced the first: it was stored once


# What a window does on the floor that decides which visit its device may offer.
_FINISHED = "ticket.finished"
_WINDOW_MOVES = (_FINISHED, "ticket.called", "ticket.recalled", "ticket.resumed")


def last_visit_at_window(session: Session, hall_code: str, window_no: int,
                         now: datetime | None = None) -> Ticket | None:
    """The visit the rating device on this window's counter may offer now: the one the
    window finished last, as long as the window has not moved on (called anyone since) and
    the finish is less than ``AT_WINDOW_FOR`` old. The next visitor at the counter must never
    rate the last one's service; an earlier visit is rated with its ticket's access code."""
    window = get_window(session, hall_code, window_no)
    now = now or clock.now()
    # The window's last finish or call, by floor sequence: read through the hall's events of
    # the last few minutes (ix_events_hall_at), not the window's whole history.
    last = session.execute(
        select(Event.kind, Event.ticket_id)
        .where(Event.hall_id == window.hall_id, Event.at >= now - AT_WINDOW_FOR,
               Event.window_id == window.id, Event.kind.in_(_WINDOW_MOVES))
        .order_by(Event.seq.desc()).limit(1)).first()
    if last is None or last.kind != _FINISHED:
        return None
    ticket = session.get(Ticket, last.ticket_id)
    return ticket if ticket is not None and ticket.status == TicketStatus.FINISHED.value else None


def offer_ends_at(ticket: Ticket) -> datetime:
    """When the device stops offering this visit, unless the window moves on before."""
    assert ticket.finished_at is not None  # offered for finished visits only
    return ticket.finished_at + AT_WINDOW_FOR


@operation
def rate_at_window(session: Session, hall_code: str, window_no: int, ticket_id: int, *,
                   level: int, comment: str = "", actor: Actor,
                   device: DevicePass | None = None) -> Rating:
    """A rating pressed on the window's device: no access code, so only the visit that
    device may offer right now (``last_visit_at_window``) can be rated there; any other
    ticket, an earlier visit or one the window has moved on from, is refused. Checked in the
    same transaction as the rating, so a visit finished meanwhile cannot slip in between."""
    ticket = last_visit_at_window(session, hall_code, window_no)
    if ticket is None or ticket.id != ticket_id:
        raise NotRateableHere()
    return rate(session, ticket, level=level, comment=comment, channel="window", actor=actor,
                device=device)


@operation
def _rate(session: Session, ticket_id: int, *, level: int, comment: str, case_id: int | None,
          channel: str, actor: Actor, device: DevicePass | None = None) -> Rating:
    ticket = session.get(Ticket, ticket_id)
    assert ticket is not None  # rate() and rate_at_window() pass a ticket they hold
    if not isinstance(level, int) or level not in LEVELS:
        raise InvalidRating()
    case = None
    if case_id is not None:
        case = session.get(Case, case_id)
        if case is None or case.ticket_id != ticket.id:
            raise CaseNotFound(case=case_id)
    if not rateable(session, ticket, case):
        done = (ticket.status == TicketStatus.FINISHED.value if case is None
                else case.state == CaseState.CLOSED.value)
        raise AlreadyRated() if done else NotYetRateable()
    now = clock.now()
    rating = Rating(
        hall_id=ticket.hall_id, ticket_id=ticket.id, case_id=case.id if case else None,
        level=level, comment=bounded(comment, "comment", 500, multiline=True) or "",
        channel=channel, created_at=now,
        window_id=ticket.window_id,
        staff_id=(case.handler_id or case.first_owner_id) if case else ticket.first_owner_id,
        division_id=case.division_id if case else None,
        followup="none", followup_warning="none",
        device_id=device.device_id if device is not None else None,
    )
    if level <= POOR:
        due = deadlines.followup_deadline(session, ticket.hall, now)
        rating.followup = "open"
        rating.followup_due_at, rating.followup_yellow_at = due.due_at, due.yellow_at
    session.add(rating)
    session.flush()
    record(session, ticket.hall, "rating.given", actor=actor, ticket=ticket, case=case,
           rating=rating.id, level=level, channel=channel, followup=rating.followup,
           **(device.event_data() if device is not None else {}))
    return rating


@operation
def close_followup(session: Session, rating_id: int, *, note: str, actor: Actor) -> Rating:
    """A manager closes the follow-up of a poor rating, saying what was done."""
    rating = session.scalar(select(Rating).where(Rating.id == rating_id).with_for_update()
                            .execution_options(populate_existing=True))
    staff = session.get(Staff, actor.staff_id) if actor.staff_id else None
    if rating is None:
        raise CaseNotFound(case=rating_id)
    if staff is None or not staff.has_role(Role.MANAGER) or not access.sees_hall(
            staff, rating.ticket.hall):
        raise NotAManager()
    if rating.followup != "open":
        raise FollowupClosed()
    text = bounded(note, "reason", 1000, required=True, multiline=True) or ""  # required
    rating.followup = "closed"
    rating.followup_note = text
    rating.followup_closed_by_id = staff.id
    rating.followup_closed_at = clock.now()
    record(session, rating.ticket.hall, "rating.followup_closed", actor=actor,
           ticket=rating.ticket, case=rating.case, rating=rating.id,
           on_time=rating.followup_due_at is not None
           and rating.followup_closed_at <= rating.followup_due_at)
    return rating
