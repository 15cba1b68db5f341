"""Devices of a hall (SPEC §7): kiosks, wall displays and rating tablets.

An administrator (or the operator at the server's shell) registers a device for one hall and
one kind. An API client proves it is that device with the token shown once at registration
(``Authorization: Device <token>``); a browser with the cookie it received from a one-time
enrolment link. A request from a trusted network counts as a device of any kind for any
hall, without a token. A device acts only for its own hall and kind, inside its hours, and not
while locked. Registering, enrolling, locking, unlocking, revoking and changing hours are
audited events; only hashes of the secrets are stored.

A device is looked up by its secret on every ticket it issues; what was found is kept in the
process for ``CACHE_SECONDS``, so that issuing costs no query for it. A move on a device in
this process forgets it at once; another process sees the move within that time.
"""
from __future__ import annotations

import functools
import re
import secrets
import threading
import time as monotonic
import weakref
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from . import clock
from .admin import administers
from .db import operation, write_transaction
from .errors import (
    DeviceLocked,
    DeviceNotAllowed,
    DeviceOutsideHours,
    DeviceRequired,
    DeviceRevoked,
    EnrolmentInvalid,
    InvalidDevice,
    NotAnAdministrator,
    UnknownDevice,
)
from .events import SYSTEM, Actor, record
from .lookup import find_hall, get_hall
from .models import Device, DeviceKind, Hall, Staff, Window
from .staff import token_hash as secret_hash

KINDS = tuple(k.value for k in DeviceKind)
MAX_NAME = 80
CACHE_SECONDS = 5.0
# A device's last_seen_at is written at most this often (per process): it is a heartbeat
# for the dashboard, not a move, so it is not an event either.
SEEN_EVERY = 60.0
OPERATOR = Actor("operator")  # the person at the server's command line
ENROLMENT = Actor("enrolment")  # a browser taking up its enrolment link
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class DevicePass:
    """Who is acting, as far as devices go: a registered device, or an address on a trusted
    network (``device_id`` None: any hall, any kind)."""

    device_id: int | None
    hall: str | None
    kind: str | None
    name: str
    address: str
    locked: bool = False
    hours: tuple[time, time] | None = None
    timezone: str = "Asia/Shanghai"
    window_no: int | None = None

    @property
    def registered(self) -> bool:
        return self.device_id is not None

    @property
    def scope(self) -> str:
        """What rate limits and request keys are counted against: the device, else the
        address."""
        return f"device:{self.device_id}" if self.registered else f"address:{self.address}"

    def event_data(self) -> dict:
        """What a ticket's or rating's event notes about who made it."""
        return {"device": self.device_id} if self.registered else {"address": self.address}


def trusted_network(address: str) -> DevicePass:
    """A request from a trusted network: a device of any kind for any hall, known by its
    address alone."""
    return DevicePass(None, None, None, address, address)


# -- who may act ------------------------------------------------------------------------------

def admit(device: DevicePass | None, *, kind: str | tuple[str, ...], hall: str | None = None,
          window_no: int | None = None, at: datetime | None = None) -> DevicePass:
    """``device`` if it may act now as a ``kind`` (or one of several kinds) of ``hall`` (at
    ``window_no`` for a rating tablet); otherwise the refusal. ``hall`` None checks everything
    but the hall (a display socket learns its hall when it joins); ``window_no`` None leaves a
    tablet's window unchecked (it follows its hall's floor like a display)."""
    kinds = (kind,) if isinstance(kind, str) else kind
    if device is None:
        raise DeviceRequired()
    if device.locked:
        raise DeviceLocked(device=device.name)
    wrong_window = (device.window_no is not None and window_no is not None
                    and window_no != device.window_no)
    if ((device.kind is not None and device.kind not in kinds)
            or (hall is not None and device.hall not in (None, hall)) or wrong_window):
        raise DeviceNotAllowed(device=device.name, kind=device.kind or kinds[0],
                               hall=device.hall or hall or "")
    if device.hours is not None and not within(device.hours, at or clock.now(), device.timezone):
        start, end = device.hours
        raise DeviceOutsideHours(start=start.strftime("%H:%M"), end=end.strftime("%H:%M"))
    return device


def within(hours: tuple[time, time], at: datetime, tz: str) -> bool:
    """Whether ``at`` falls in the daily hours (hall time), which may run past midnight."""
    start, end = hours
    now = at.astimezone(ZoneInfo(tz)).time()
    return start <= now < end if start < end else (now >= start or now < end)


# -- finding a device by its secret -------------------------------------------------------------

_Known = dict[str, tuple[float, "DevicePass | None"]]
_known: weakref.WeakKeyDictionary[Engine | Connection, _Known] = weakref.WeakKeyDictionary()
_seen: dict[tuple[int, int], float] = {}
_guard = threading.Lock()
_CACHE_MAX = 10_000  # secrets remembered per database, unknown ones included


def authenticate(session: Session, secret: str, *, via: str, address: str) -> DevicePass | None:
    """The unrevoked device holding ``secret`` (``via`` "token": an API token; "cookie": an
    enrolled browser's cookie), or None."""
    if not secret or len(secret) > 128:
        return None
    digest = secret_hash(secret)
    engine = session.get_bind()
    with _guard:
        known = _known.setdefault(engine, {})
        hit = known.get(f"{via}:{digest}")
    if hit is not None and hit[0] > monotonic.monotonic():
        found = hit[1]
    else:
        column = Device.token_hash if via == "token" else Device.cookie_hash
        row = session.execute(
            select(Device, Hall.code, Hall.timezone).join(Hall, Hall.id == Device.hall_id)
            .where(column == digest, Device.revoked_at.is_(None))).first()
        found = _pass(*row) if row is not None else None
        with _guard:
            if len(known) >= _CACHE_MAX:
                known.clear()
            known[f"{via}:{digest}"] = (monotonic.monotonic() + CACHE_SECONDS, found)
    return replace(found, address=address) if found is not None else None


def _pass(device: Device, hall_code: str, timezone: str) -> DevicePass:
    hours = ((device.active_from, device.active_until)
             if device.active_from and device.active_until else None)
    return DevicePass(device.id, hall_code, device.kind, device.name, "", locked=device.locked,
                      hours=hours, timezone=timezone, window_no=device.window_no)


def forget(session: Session) -> None:
    """Drop what this process remembers of the devices of ``session``'s database."""
    with _guard:
        _known.pop(session.get_bind(), None)


def seen(session: Session, device: DevicePass) -> None:
    """Note that a registered device was seen now (at most once a minute per process)."""
    if not device.registered:
        return
    if device.device_id is None:
        return
    key = (id(session.get_bind()), device.device_id)
    now = monotonic.monotonic()
    with _guard:
        if _seen.get(key, 0.0) > now:
            return
        _seen[key] = now + SEEN_EVERY
    with write_transaction(session):
        session.execute(update(Device).where(Device.id == device.device_id)
                        .values(last_seen_at=clock.now()))


# -- registering and running devices ------------------------------------------------------------

def _moves_a_device(fn):
    """An operation on a device: one transaction, after which this process forgets what it
    knew of any device (so that a lock or a revocation holds from the next request on)."""
    move = operation(fn)

    @functools.wraps(fn)
    def wrapper(session: Session, *args, **kwargs):
        try:
            return move(session, *args, **kwargs)
        finally:
            forget(session)

    return wrapper


def _manager(session: Session, actor: Actor, hall: Hall) -> None:
    """Devices are the administrators' business, or the operator's at the server itself."""
    if actor == OPERATOR:
        return
    staff = session.get(Staff, actor.staff_id) if actor.staff_id else None
    if not administers(staff, hall):
        raise NotAnAdministrator()


def _device(session: Session, device_id: int, actor: Actor) -> Device:
    device = session.scalar(select(Device).where(Device.id == device_id).with_for_update()
                            .execution_options(populate_existing=True))
    if device is None:
        raise UnknownDevice(device=device_id)
    _manager(session, actor, device.hall)
    return device


def _live(device: Device) -> Device:
    if device.revoked_at is not None:
        raise DeviceRevoked(device=device.name)
    return device


def parse_hours(text: str | None) -> tuple[time, time] | None:
    """``08:00-18:00`` (hall time) → (08:00, 18:00); empty → None (any hour)."""
    if not (text or "").strip():
        return None
    match = _HOURS.match(text or "")
    if not match:
        raise InvalidDevice("hours")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59 or (h1, m1) == (h2, m2):
        raise InvalidDevice("hours")
    return time(h1, m1), time(h2, m2)


def hours_text(device: Device) -> str:
    if device.active_from is None:
        return ""
    return f"{device.active_from:%H:%M}-{device.active_until:%H:%M}"


@_moves_a_device
def register(session: Session, hall_code: str, *, kind: str, name: str,
             hours: str | None = None, window_no: int | None = None,
             actor: Actor) -> tuple[Device, str]:
    """A new device of ``hall``, and its token (returned once, stored only as a hash)."""
    hall = get_hall(session, hall_code, typed=True)
    _manager(session, actor, hall)
    if kind not in KINDS:
        raise InvalidDevice("kind")
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_NAME:
        raise InvalidDevice("name")
    span = parse_hours(hours)
    if window_no is not None and (kind != DeviceKind.RATING.value or not session.scalar(
            select(Window.id).where(Window.hall_id == hall.id, Window.no == window_no))):
        raise InvalidDevice("window")
    token = secrets.token_urlsafe(32)
    device = Device(hall=hall, kind=kind, name=name, window_no=window_no,
                    token_hash=secret_hash(token), locked=False,
                    active_from=span[0] if span else None, active_until=span[1] if span else None,
                    created_at=clock.now())
    session.add(device)
    session.flush()
    record(session, hall, "device.registered", actor=actor, device=device.id, device_kind=kind,
           name=name, hours=hours_text(device) or None, window_no=window_no)
    return device, token


@_moves_a_device
def open_enrolment(session: Session, device_id: int, *, hours: float,
                   actor: Actor) -> tuple[Device, str]:
    """A one-time enrolment code for a browser device, valid for ``hours``; a new one
    replaces any earlier code not yet used."""
    device = _live(_device(session, device_id, actor))
    code = secrets.token_urlsafe(24)
    device.enrol_hash = secret_hash(code)
    device.enrol_expires_at = clock.now() + timedelta(hours=hours)
    record(session, device.hall, "device.enrolment_opened", actor=actor, device=device.id,
           expires_at=device.enrol_expires_at.isoformat())
    return device, code


def awaiting_enrolment(session: Session, code: str) -> Device | None:
    """The device this enrolment code is for, while it can still be used."""
    if not code or len(code) > 128:
        return None
    device = session.scalar(select(Device).where(Device.enrol_hash == secret_hash(code)))
    if (device is None or device.revoked_at is not None or device.enrol_expires_at is None
            or device.enrol_expires_at <= clock.now()):
        return None
    return device


@_moves_a_device
def enrol(session: Session, code: str, *, address: str) -> tuple[Device, str]:
    """Use up the enrolment code: the browser's new cookie secret (returned once). It
    replaces the device's earlier cookie, so a browser enrolled before is shut out."""
    device = awaiting_enrolment(session, code)
    if device is None:
        raise EnrolmentInvalid()
    device = session.scalar(select(Device).where(Device.id == device.id).with_for_update()
                            .execution_options(populate_existing=True))
    # None, or another hash: used by a concurrent request meanwhile
    if device is None or device.enrol_hash != secret_hash(code):
        raise EnrolmentInvalid()
    cookie = secrets.token_urlsafe(32)
    replaced = device.cookie_hash is not None
    device.cookie_hash = secret_hash(cookie)
    device.enrol_hash = device.enrol_expires_at = None
    record(session, device.hall, "device.enrolled", actor=ENROLMENT, device=device.id,
           address=address, replaced_browser=replaced)
    return device, cookie


@_moves_a_device
def set_locked(session: Session, device_id: int, *, locked: bool, actor: Actor) -> Device:
    """Lock a device (it is refused until unlocked, its credentials kept) or unlock it."""
    device = _live(_device(session, device_id, actor))
    if device.locked != locked:
        device.locked = locked
        record(session, device.hall, "device.locked" if locked else "device.unlocked",
               actor=actor, device=device.id)
    return device


@_moves_a_device
def set_hours(session: Session, device_id: int, hours: str | None, *, actor: Actor) -> Device:
    """The device's daily hours of use (hall time); empty: any hour."""
    device = _live(_device(session, device_id, actor))
    before = hours_text(device)
    span = parse_hours(hours)
    device.active_from, device.active_until = span if span else (None, None)
    after = hours_text(device)
    if before != after:
        record(session, device.hall, "device.hours_set", actor=actor, device=device.id,
               changed={"hours": {"before": before or None, "after": after or None}})
    return device


@_moves_a_device
def revoke(session: Session, device_id: int, *, actor: Actor) -> Device:
    """End the device for good: its token, cookie and any enrolment code stop working."""
    device = _device(session, device_id, actor)
    if device.revoked_at is None:
        device.revoked_at = clock.now()
        device.token_hash = device.cookie_hash = device.enrol_hash = None
        device.enrol_expires_at = None
        record(session, device.hall, "device.revoked", actor=actor, device=device.id)
    return device


@operation
def report_fast(session: Session, device: DevicePass, hall_code: str, *, tickets: int,
                seconds: int) -> None:
    """Tell the hall's managers (an event their dashboard shows) that a device asks for
    tickets unusually fast: more than ``tickets`` within ``seconds``."""
    hall = find_hall(session, hall_code)
    if hall is not None:
        record(session, hall, "device.issuing_fast", actor=SYSTEM, name=device.name,
               tickets=tickets, seconds=seconds, **device.event_data())


# -- what there is ------------------------------------------------------------------------------

def devices_of(session: Session, halls: list[Hall]) -> list[Device]:
    """The devices of these halls, revoked ones last."""
    return list(session.scalars(
        select(Device).where(Device.hall_id.in_([h.id for h in halls]))
        .order_by(Device.revoked_at.is_not(None), Device.hall_id, Device.kind, Device.name)))
