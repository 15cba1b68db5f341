"""Who may act in which hall and at which window: one set of rules for the pages, the API,
the sockets and the command line, checked inside every domain move.

- A member of staff works in their own hall. Managers and administrators of the provincial
  hall may also look after every other hall (the dashboard, reports, closing a window).
- A clerk opens only the windows an administrator has assigned to them (``window_clerks``).
- Devices and jobs (the kiosk, the scheduler) act without a member of staff; the checks
  here are about people, the devices' own checks are elsewhere.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, exists, insert, select
from sqlalchemy.orm import Session

from .errors import NotAWindowSupervisor, OutsideYourHall
from .events import Actor
from .models import Hall, Role, Staff, Window, window_clerks

SUPERVISORS = frozenset({Role.MANAGER.value, Role.ADMIN.value})


def _as_actor(who: Staff | Actor) -> Actor:
    return who if isinstance(who, Actor) else Actor.of(who)


def sees_hall(who: Staff | Actor | None, hall: Hall) -> bool:
    """Staff see their own hall; managers and administrators of a provincial hall see every
    hall under it (here: every hall)."""
    if who is None:
        return False
    actor = _as_actor(who)
    if actor.staff_id is None:
        return False
    if actor.hall_id == hall.id:
        return True
    return actor.provincial and bool(actor.roles & SUPERVISORS)


def require_own_hall(actor: Actor, hall: Hall) -> None:
    """A member of staff works (calls, serves, accepts) only in their own hall."""
    if actor.staff_id is not None and actor.hall_id != hall.id:
        raise OutsideYourHall(hall=hall.code)


def require_supervisor(actor: Actor, hall: Hall) -> None:
    """A manager or administrator who may look after ``hall``."""
    if actor.staff_id is None or not actor.roles & SUPERVISORS:
        raise NotAWindowSupervisor()
    if not sees_hall(actor, hall):
        raise OutsideYourHall(hall=hall.code)


# -- which windows a clerk may work -------------------------------------------------------------

def may_work_window(session: Session, window: Window, staff_id: int | None) -> bool:
    if staff_id is None:
        return False
    return bool(session.scalar(select(exists().where(
        window_clerks.c.window_id == window.id, window_clerks.c.staff_id == staff_id))))


def windows_of(session: Session, staff: Staff) -> list[Window]:
    """The windows ``staff`` may work, by number."""
    return list(session.scalars(
        select(Window).join(window_clerks, window_clerks.c.window_id == Window.id)
        .where(window_clerks.c.staff_id == staff.id).order_by(Window.no)))


def clerks_of(session: Session, window: Window) -> list[Staff]:
    """The clerks who may work ``window``, by username."""
    return list(session.scalars(
        select(Staff).join(window_clerks, window_clerks.c.staff_id == Staff.id)
        .where(window_clerks.c.window_id == window.id).order_by(Staff.username)))


def replace_assignments(session: Session, *, windows: Iterable[Window] | None = None,
                        staff: Iterable[Staff] | None = None, of_window: Window | None = None,
                        of_staff: Staff | None = None) -> None:
    """Set the clerks of one window, or the windows of one clerk (inside the caller's
    transaction; ``hall.assignments`` checks and audits)."""
    if of_window is not None:
        session.execute(delete(window_clerks).where(window_clerks.c.window_id == of_window.id))
        rows = [{"window_id": of_window.id, "staff_id": s.id} for s in staff or ()]
    else:
        assert of_staff is not None
        session.execute(delete(window_clerks).where(window_clerks.c.staff_id == of_staff.id))
        rows = [{"window_id": w.id, "staff_id": of_staff.id} for w in windows or ()]
    if rows:
        session.execute(insert(window_clerks), rows)
