"""Which windows each clerk may work: set by an administrator of the hall, one window's
clerks or one clerk's windows at a time, each change an audited ``admin.*`` event with the
list before and after. A clerk opens only the windows given to them (``queue.open_window``).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import access
from .admin import administers
from .db import operation
from .errors import InvalidInput, NotAClerkOfHall, NotAnAdministrator, UnknownStaff, UnknownWindow
from .events import Actor, record
from .lookup import get_hall
from .models import Hall, Role, Staff, Window


def _administrator(session: Session, actor: Actor, hall: Hall) -> None:
    staff = session.get(Staff, actor.staff_id) if actor.staff_id else None
    if not administers(staff, hall):
        raise NotAnAdministrator()


def _hall(session: Session, code: str) -> Hall:
    return get_hall(session, code, typed=True)


def _window(session: Session, hall: Hall, no: Any) -> Window:
    try:
        number = int(no)
    except (TypeError, ValueError):
        raise InvalidInput("invalid-window-number", on="no") from None
    window = session.scalar(select(Window).where(Window.hall_id == hall.id, Window.no == number)
                            .with_for_update())
    if window is None:
        raise UnknownWindow(hall=hall.code, window=number)
    return window


def _clerk(session: Session, hall: Hall, username: str) -> Staff:
    staff = session.scalar(select(Staff).where(Staff.username == (username or "").strip())
                           .with_for_update())
    if staff is None:
        raise UnknownStaff(username=username)
    if staff.hall_id != hall.id or not staff.has_role(Role.CLERK):
        raise NotAClerkOfHall(username=staff.username, hall=hall.code)
    return staff


@operation
def set_window_clerks(session: Session, hall_code: str, window_no: Any,
                      usernames: Iterable[str], *, actor: Actor) -> Window:
    """The clerks who may work a window (an empty list: nobody may open it)."""
    hall = _hall(session, hall_code)
    _administrator(session, actor, hall)
    window = _window(session, hall, window_no)
    wanted = [_clerk(session, hall, u) for u in dict.fromkeys(u for u in usernames if u)]
    before = [s.username for s in access.clerks_of(session, window)]
    after = sorted(s.username for s in wanted)
    if before != after:
        access.replace_assignments(session, of_window=window, staff=wanted)
        record(session, hall, "admin.window_clerks_set", actor=actor, window=window,
               window_no=window.no, changed={"clerks": {"before": before, "after": after}})
    return window


@operation
def set_staff_windows(session: Session, username: str, window_nos: Iterable[Any], *,
                      actor: Actor) -> Staff:
    """The windows a clerk may work, in their own hall."""
    staff = session.scalar(select(Staff).where(Staff.username == (username or "").strip())
                           .with_for_update())
    if staff is None:
        raise UnknownStaff(username=username)
    _administrator(session, actor, staff.hall)
    wanted = [_window(session, staff.hall, no) for no in dict.fromkeys(window_nos)
              if str(no).strip()]
    if wanted and not staff.has_role(Role.CLERK):
        raise NotAClerkOfHall(username=staff.username, hall=staff.hall.code)
    before = [w.no for w in access.windows_of(session, staff)]
    after = sorted(w.no for w in wanted)
    if before != after:
        access.replace_assignments(session, of_staff=staff, windows=wanted)
        record(session, staff.hall, "admin.staff_windows_set", actor=actor,
               username=staff.username, changed={"windows": {"before": before, "after": after}})
    return staff
