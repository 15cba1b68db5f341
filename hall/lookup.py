"""Finding the hall's things by what people and URLs call them: a hall by its code, a window by
its number, a service item by its code, a division, a member of staff by username.

One function per thing, used by every module (queue moves, administration, devices, jobs, the
web) instead of a ``select(...)`` of their own, each raising the domain's own error when the
thing is not there. ``typed=True`` is for a code a person typed (spaces and case forgiven, the
error quoting what was typed); codes from URLs and from the database are taken as they are.
``lock=True`` reads the row afresh under a row lock, for a move that changes it.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import UnknownDivision, UnknownHall, UnknownService, UnknownStaff, UnknownWindow
from .models import Division, Hall, ServiceItem, Staff, Window


def _locked(query, lock: bool):
    # read afresh under the lock, not from what this session saw before
    return query.with_for_update().execution_options(populate_existing=True) if lock else query


def typed_code(code: str | None) -> str:
    """A code as a person may type it: surrounding spaces and lower case forgiven."""
    return (code or "").strip().upper()


def find_hall(session: Session, code: str | None, *, typed: bool = False,
              lock: bool = False) -> Hall | None:
    """The hall with this code, or None."""
    wanted = typed_code(code) if typed else code
    return session.scalar(_locked(select(Hall).where(Hall.code == wanted), lock))


def get_hall(session: Session, code: str, *, typed: bool = False, lock: bool = False) -> Hall:
    """The hall with this code (``UnknownHall`` if there is none)."""
    hall = find_hall(session, code, typed=typed, lock=lock)
    if hall is None:
        raise UnknownHall(hall=code)
    return hall


def get_service(session: Session, hall: Hall, code: str, *, typed: bool = False) -> ServiceItem:
    """The hall's service item with this code (``UnknownService`` if there is none)."""
    wanted = typed_code(code) if typed else code
    service = session.scalar(
        select(ServiceItem).where(ServiceItem.hall_id == hall.id, ServiceItem.code == wanted))
    if service is None:
        raise UnknownService(hall=hall.code, service=code)
    return service


def window_of(session: Session, hall: Hall, no: int, *, lock: bool = True) -> Window:
    """The hall's window with this number, locked unless ``lock`` is False
    (``UnknownWindow`` if there is none)."""
    window = session.scalar(
        _locked(select(Window).where(Window.hall_id == hall.id, Window.no == no), lock))
    if window is None:
        raise UnknownWindow(hall=hall.code, window=no)
    return window


def get_window(session: Session, hall_code: str, no: int) -> Window:
    """A window to look at (not to change: moves lock it themselves)."""
    return window_of(session, get_hall(session, hall_code), no, lock=False)


def window_for_move(session: Session, hall: Hall, no: int) -> Window:
    """The window, locked and read afresh, for a move on it."""
    return window_of(session, hall, no)


def get_division(session: Session, hall: Hall, code: str | None) -> Division | None:
    """The hall's division with this (typed) code, None when no code was given
    (``UnknownDivision`` when one was and there is none)."""
    if not (code or "").strip():
        return None
    division = session.scalar(select(Division).where(
        Division.hall_id == hall.id, Division.code == typed_code(code)))
    if division is None:
        raise UnknownDivision(hall=hall.code, division=code)
    return division


def get_staff(session: Session, username: str, *, lock: bool = True) -> Staff:
    """The member of staff with this (typed) username, locked unless ``lock`` is False
    (``UnknownStaff`` if there is none)."""
    query = select(Staff).where(Staff.username == (username or "").strip())
    staff = session.scalar(query.with_for_update() if lock else query)
    if staff is None:
        raise UnknownStaff(username=username)
    return staff
