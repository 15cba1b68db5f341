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
from .text import bounded
from .db import operation
from .errors import (
    AlreadyRated, CaseNotFound, FollowupClosed, InvalidRating, N_, NotAManager,
    NotRateableHere, NotYetRateable,
)
from .events import Actor, record
from .models import Case, CaseState, Rating, Role, Staff, Ticket, TicketStatus
from .queue import get_window

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
         actor: Actor) -> Rating:
    """Record the visitor's rating (the caller has checked the ticket's access code)."""
    try:
        return _rate(session, ticket.id, level=level, comment=comment, case_id=case_id,
                     channel=channel, actor=actor)
    except IntegrityError:
        raise AlreadyRated() from None  # a second submit raced the first: it was stored once


def last_visit_at_window(session: Session, hall_code: str, window_no: int,
                         now: datetime | None = None) -> Ticket | None:
    """The visit finished last at this window, if that was within ``AT_WINDOW_FOR``: the one
    the rating device on the counter may rate. Only the last: once the clerk has finished the
    next visitor, the earlier one can only be rated with the ticket's access code."""
    window = get_window(session, hall_code, window_no)
    now = now or clock.now()
    since = now - AT_WINDOW_FOR
    # Asked every few seconds by every device: read through the hall's tickets of today
    # (and yesterday, just after midnight) by ix_tickets_queue, not the window's history.
    days = {clock.local_date(at, window.hall.timezone) for at in (since, now)}
    return session.scalar(
        select(Ticket).where(Ticket.hall_id == window.hall_id, Ticket.day.in_(sorted(days)),
                             Ticket.status == TicketStatus.FINISHED.value,
                             Ticket.window_id == window.id, Ticket.finished_at >= since)
        .order_by(Ticket.finished_at.desc(), Ticket.id.desc()).limit(1))


@operation
def rate_at_window(session: Session, hall_code: str, window_no: int, ticket_id: int, *,
                   level: int, comment: str = "", actor: Actor) -> Rating:
    """A rating pressed on the window's device: no access code, so only the visit that
    device may offer right now can be rated there (checked in the same transaction as the
    rating, so a visit finished meanwhile cannot slip in between)."""
    ticket = last_visit_at_window(session, hall_code, window_no)
    if ticket is None or ticket.id != ticket_id:
        raise NotRateableHere()
    return rate(session, ticket, level=level, comment=comment, channel="window", actor=actor)


@operation
def _rate(session: Session, ticket_id: int, *, level: int, comment: str, case_id: int | None,
          channel: str, actor: Actor) -> Rating:
    ticket = session.get(Ticket, ticket_id)
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
        level=level, comment=bounded(comment, "comment", 500, multiline=True) or "", channel=channel, created_at=now,
        window_id=ticket.window_id,
        staff_id=(case.handler_id or case.first_owner_id) if case else ticket.first_owner_id,
        division_id=case.division_id if case else None,
        followup="none", followup_warning="none",
    )
    if level <= POOR:
        due = deadlines.followup_deadline(session, ticket.hall, now)
        rating.followup = "open"
        rating.followup_due_at, rating.followup_yellow_at = due.due_at, due.yellow_at
    session.add(rating)
    session.flush()
    record(session, ticket.hall, "rating.given", actor=actor, ticket=ticket, case=case,
           rating=rating.id, level=level, channel=channel, followup=rating.followup)
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
    text = bounded(note, "reason", 1000, required=True, multiline=True)
    rating.followup = "closed"
    rating.followup_note = text
    rating.followup_closed_by_id = staff.id
    rating.followup_closed_at = clock.now()
    record(session, rating.ticket.hall, "rating.followup_closed", actor=actor,
           ticket=rating.ticket, case=rating.case, rating=rating.id,
           on_time=rating.followup_closed_at <= rating.followup_due_at)
    return rating
