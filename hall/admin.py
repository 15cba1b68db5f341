"""Running the hall: halls, windows and what they serve, the catalogue and its service guide,
divisions, staff accounts and roles.

Each change is one operation, checked before anything is written, and recorded as an
``admin.*`` event saying who changed what: for an edit, the changed fields before and after
(never a password or its hash). A change that changes nothing records nothing.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from . import clock, supervision
from .db import operation
from .errors import (
    N_,
    DivisionCodeTaken,
    HallCodeTaken,
    InvalidInput,
    NodeNumberTaken,
    NotAnAdministrator,
    SelfLockout,
    ServiceCodeTaken,
    Term,
    UnknownDivision,
    UsernameTaken,
    WindowInUse,
    WindowNumberTaken,
)
from .events import Actor, record
from .lookup import find_hall, get_division, get_hall, get_service, get_staff, window_of
from .models import (
    ApiToken,
    Division,
    Hall,
    Role,
    ServiceItem,
    Staff,
    StaffRole,
    Window,
    WindowState,
)
from .notice_errors import InvalidNoticeField
from .staff import hash_password
from .text import clean as clean_text

# The letters a queue number may start with: no I or O, read as 1 and 0 on a ticket.
# Y is the appointment series (hall.checkin.APPOINTMENT_PREFIX): no item may take it.
PREFIXES = "ABCDEFGHJKLMNPQRSTUVWXZ"
LEVELS = ("province", "city", "county")
# A promise longer than a working year is a typing mistake, not a commitment.
MAX_LIMIT_DAYS = 250
MAX_STANDARD_MINUTES = 480
MAX_WINDOW_NO = 999
MAX_GUIDE_LINES = 40
MAX_GUIDE_LINE = 300
MIN_PASSWORD = 8
_CODE = re.compile(r"^[A-Z0-9_-]{1,16}$")
_HALL_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")
_USERNAME = re.compile(r"^[A-Za-z0-9._-]{3,40}$")
# The first passwords a guesser tries; a hall's own words belong here too.
_COMMON = {"password", "password1", "12345678", "123456789", "1234567890", "qwerty123",
           "abc12345", "abcd1234", "1qaz2wsx", "a1234567", "admin123", "admin1234",
           "woaini1314", "iloveyou1", "passw0rd", "p@ssw0rd", "demo1234", "hall1234"}

FIELDS = {
    "code": N_("the code"), "name_zh": N_("the Chinese name"),
    "name_en": N_("the English name"), "address_zh": N_("the address in Chinese"),
    "address_en": N_("the address in English"), "phone": N_("the telephone"),
    "fees_zh": N_("the fees in Chinese"), "fees_en": N_("the fees in English"),
    "legal_basis_zh": N_("the legal basis in Chinese"),
    "legal_basis_en": N_("the legal basis in English"),
    "documents": N_("the documents"), "procedure": N_("the procedure"),
    "username": N_("the username"), "name": N_("the person's name"),
    "password": N_("the password"),
}


# -- checking input ------------------------------------------------------------------------------

def _text(value: str | None, field: str, limit: int, *, required: bool = True) -> str | None:
    text = " ".join(clean_text(value).split())
    if not text:
        if required:
            raise InvalidInput("admin-field-required", on=field, field=Term(FIELDS[field]))
        return None
    if len(text) > limit:
        raise InvalidInput("admin-field-too-long", on=field, field=Term(FIELDS[field]), max=limit)
    return text


def _long_text(value: str | None, field: str, limit: int = 2000) -> str | None:
    text = clean_text(value, multiline=True)
    if len(text) > limit:
        raise InvalidInput("admin-field-too-long", on=field, field=Term(FIELDS[field]), max=limit)
    return text or None


def _code(value: str | None) -> str:
    code = (value or "").strip().upper()
    if not _CODE.match(code):
        raise InvalidInput("invalid-code", on="code")
    return code


def _int(value: Any, low: int, high: int, error) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise error from None
    if isinstance(value, float) and value != number or not low <= number <= high:
        raise error
    return number


def _limit(value: Any) -> int:
    return _int(value, 0, MAX_LIMIT_DAYS,
                InvalidInput("invalid-time-limit", on="time_limit_days", max=MAX_LIMIT_DAYS))


def _prefix(value: str | None) -> str:
    prefix = (value or "").strip().upper()
    if len(prefix) != 1 or prefix not in PREFIXES:
        raise InvalidInput("invalid-prefix", on="prefix")
    return prefix


# A document line that starts with this is uploaded when applying online (hall.applications
# reads ``"upload": true``); the rest are originals shown at the window.
UPLOAD_MARK = "*"


def guide_lines(text: str | None) -> list[dict]:
    """``中文 | English`` a line (the English may be left out) as the catalogue keeps them;
    a line starting with ``*`` (or ``＊``) is a document uploaded online."""
    lines = []
    for raw in (text or "").splitlines():
        raw = raw.strip()
        upload = raw[:1] in (UPLOAD_MARK, "＊")
        zh, _sep, en = (raw[1:] if upload else raw).partition("|")
        if zh.strip() or en.strip():
            line: dict[str, Any] = {"zh": " ".join(zh.split()), "en": " ".join(en.split())}
            if upload:
                line["upload"] = True
            lines.append(line)
    return lines


def guide_text(lines: Iterable[dict] | None) -> str:
    """The inverse of :func:`guide_lines`, to edit a guide in a text box."""
    return "\n".join(
        (UPLOAD_MARK + " " if line.get("upload") else "")
        + f"{line.get('zh', '')} | {line.get('en', '')}".rstrip(" |") for line in lines or [])


def _guide(lines: list[dict] | None, field: str) -> list[dict]:
    lines = [{"zh": " ".join(clean_text(str(line.get("zh", ""))).split()),
              "en": " ".join(clean_text(str(line.get("en", ""))).split()),
              **({"upload": True} if line.get("upload") else {})} for line in lines or []]
    if len(lines) > MAX_GUIDE_LINES:
        raise InvalidInput("invalid-guide-line", on=field, field=Term(FIELDS[field]),
                           line=MAX_GUIDE_LINES + 1, max=MAX_GUIDE_LINES)
    for no, line in enumerate(lines, 1):
        if not line["zh"] or len(line["zh"]) > MAX_GUIDE_LINE or len(line["en"]) > MAX_GUIDE_LINE:
            raise InvalidInput("invalid-guide-line", on=field, field=Term(FIELDS[field]),
                               line=no, max=MAX_GUIDE_LINES)
    return lines


def check_password(password: str | None, username: str) -> str:
    """A password an administrator may give out: long enough, letters and digits, not the
    username, not among the first a guesser tries."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput.weak_password("short")
    if len(password) > 200:
        raise InvalidInput.weak_password("long")
    if not (re.search(r"[^\W\d_]", password) and re.search(r"\d", password)):
        raise InvalidInput.weak_password("mix")
    if username and username.lower() in password.lower():
        raise InvalidInput.weak_password("username")
    if password.lower() in _COMMON:
        raise InvalidInput.weak_password("common")
    return password


# -- who may -----------------------------------------------------------------------------------

def administers(staff: Staff | None, hall: Hall | None) -> bool:
    """An active administrator of ``hall``: their own hall, or any hall if theirs is the
    provincial hall (as managers see halls). ``hall`` None: a provincial administrator."""
    if staff is None or not staff.active or not staff.has_role(Role.ADMIN):
        return False
    if hall is not None and staff.hall_id == hall.id:
        return True
    return staff.hall.level == "province"


def administered_hall(session: Session, code: str, actor: Actor) -> Hall:
    """The hall ``code`` (locked for the move), if ``actor`` administers it; else
    NotAnAdministrator. What every administrative move of a hall starts with."""
    hall = get_hall(session, code, typed=True, lock=True)
    _administrator(session, actor, hall)
    return hall


def _administrator(session: Session, actor: Actor, hall: Hall | None) -> Staff:
    staff = session.get(Staff, actor.staff_id) if actor.staff_id else None
    if staff is None or not administers(staff, hall):
        raise NotAnAdministrator()
    return staff


def _plain(value: Any) -> Any:
    if isinstance(value, (Hall, Division, ServiceItem)):
        return value.code
    return value


def _apply(row, values: dict[str, Any]) -> dict[str, dict]:
    """Set ``values`` on ``row``; the changed fields, before and after, for the event."""
    changed = {}
    for field, value in values.items():
        before = getattr(row, field)
        if _plain(before) != _plain(value):
            changed[field] = {"before": _plain(before), "after": _plain(value)}
            setattr(row, field, value)
    return changed


# -- halls ---------------------------------------------------------------------------------------

def _hall_details(session: Session, hall: Hall | None, *, name_zh, name_en, level, parent,
                  address_zh=None, address_en=None, phone=None,
                  notice_unit=None) -> dict[str, Any]:
    if level not in LEVELS:
        raise InvalidInput("invalid-hall-level", on="level")
    unit = (notice_unit or "working").strip()  # public notice days (hall.notices_public)
    if unit not in ("working", "calendar"):
        raise InvalidNoticeField("unit")
    parent_hall = get_hall(session, parent, typed=True) if (parent or "").strip() else None
    ancestor = parent_hall
    while ancestor is not None and hall is not None:
        if ancestor.id == hall.id:
            raise InvalidInput("invalid-parent-hall", on="parent")
        ancestor = ancestor.parent
    return {"name_zh": _text(name_zh, "name_zh", 120), "name_en": _text(name_en, "name_en", 160),
            "level": level, "parent": parent_hall,
            "address_zh": _text(address_zh, "address_zh", 200, required=False),
            "address_en": _text(address_en, "address_en", 240, required=False),
            "phone": _text(phone, "phone", 40, required=False), "notice_unit": unit}


@operation
def create_hall(session: Session, *, code: str, node_no: Any, timezone_name: str = "Asia/Shanghai",
                actor: Actor, **details: Any) -> Hall:
    """A new hall. Its code, node number and time zone are fixed from then on: the node
    number is printed in every service number, the zone decides the day of every ticket."""
    _administrator(session, actor, None)
    code = (code or "").strip().upper()
    if not _HALL_CODE.match(code):
        raise InvalidInput("invalid-hall-code", on="code")
    node = _int(node_no, 1, 999, InvalidInput("invalid-node-number", on="node_no"))
    try:
        ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("invalid-timezone", on="timezone", timezone=timezone_name) from None
    if find_hall(session, code):
        raise HallCodeTaken(hall=code)
    holder = session.scalar(select(Hall.code).where(Hall.node_no == node))
    if holder:
        raise NodeNumberTaken(node=node, hall=holder)
    hall = Hall(code=code, node_no=node, timezone=timezone_name,
                **_hall_details(session, None, **details))
    session.add(hall)
    session.flush()
    record(session, hall, "admin.hall_created", actor=actor, hall_code=code, node_no=node,
           timezone=timezone_name, name_zh=hall.name_zh, level=hall.level,
           parent=hall.parent.code if hall.parent else None)
    return hall


@operation
def edit_hall(session: Session, code: str, *, actor: Actor, **details: Any) -> Hall:
    """Change a hall's names, address, telephone, level or parent."""
    hall = get_hall(session, code, typed=True, lock=True)
    _administrator(session, actor, hall)
    changed = _apply(hall, _hall_details(session, hall, **details))
    if changed:
        record(session, hall, "admin.hall_edited", actor=actor, hall_code=hall.code,
               changed=changed)
    return hall


# -- windows -------------------------------------------------------------------------------------

def _services(session: Session, hall: Hall, codes: Iterable[str]) -> list[ServiceItem]:
    return [get_service(session, hall, code, typed=True)
            for code in dict.fromkeys(c for c in codes if c)]


@operation
def add_window(session: Session, hall_code: str, *, no: Any, name_zh: str | None = None,
               name_en: str | None = None, services: Iterable[str] = (),
               actor: Actor) -> Window:
    """A new counter, closed, serving ``services`` (codes of the hall's items)."""
    hall = get_hall(session, hall_code, typed=True, lock=True)
    _administrator(session, actor, hall)
    no = _int(no, 1, MAX_WINDOW_NO, InvalidInput("invalid-window-number", on="no"))
    if session.scalar(select(Window.id).where(Window.hall_id == hall.id, Window.no == no)):
        raise WindowNumberTaken(hall=hall.code, window=no)
    items = _services(session, hall, services)
    window = Window(hall=hall, no=no, name_zh=_text(name_zh, "name_zh", 80, required=False),
                    name_en=_text(name_en, "name_en", 120, required=False),
                    state=WindowState.CLOSED.value, services=items)
    session.add(window)
    session.flush()
    record(session, hall, "admin.window_added", actor=actor, window=window, window_no=no,
           services=[i.code for i in items])
    return window


@operation
def edit_window(session: Session, hall_code: str, no: int, *, name_zh: str | None,
                name_en: str | None, services: Iterable[str] | None = None,
                actor: Actor) -> Window:
    """A window's names and (unless None) the items it serves, together or not at all."""
    hall = get_hall(session, hall_code, typed=True)
    _administrator(session, actor, hall)
    window = window_of(session, hall, no)
    changed = _apply(window, {"name_zh": _text(name_zh, "name_zh", 80, required=False),
                              "name_en": _text(name_en, "name_en", 120, required=False)})
    if changed:
        record(session, hall, "admin.window_edited", actor=actor, window=window,
               window_no=window.no, changed=changed)
    if services is not None:
        set_window_services(session, hall_code, no, services, actor=actor)
    return window


@operation
def set_window_services(session: Session, hall_code: str, no: int, services: Iterable[str], *,
                        actor: Actor) -> Window:
    """The items a window may serve. No item at all takes the window out of service
    (nobody can be called there), which waits until its clerk has closed it."""
    hall = get_hall(session, hall_code, typed=True)
    _administrator(session, actor, hall)
    window = window_of(session, hall, no)
    items = _services(session, hall, services)
    before = [i.code for i in window.services]
    after = [i.code for i in items]
    if sorted(before) == sorted(after):
        return window
    if not items and window.state != WindowState.CLOSED.value:
        raise WindowInUse(window=window.no)
    window.services = items
    kind = ("admin.window_disabled" if not items else
            "admin.window_enabled" if not before else "admin.window_services_set")
    record(session, hall, kind, actor=actor, window=window, window_no=window.no,
           changed={"services": {"before": before, "after": after}})
    return window


def in_service(window: Window) -> bool:
    return bool(window.services)


# -- divisions -----------------------------------------------------------------------------------

@operation
def create_division(session: Session, hall_code: str, *, code: str, name_zh: str, name_en: str,
                    phone: str | None = None, actor: Actor) -> Division:
    hall = get_hall(session, hall_code, typed=True, lock=True)
    _administrator(session, actor, hall)
    code = _code(code)
    if session.scalar(select(Division.id).where(Division.hall_id == hall.id,
                                                Division.code == code)):
        raise DivisionCodeTaken(hall=hall.code, division=code)
    division = Division(hall=hall, code=code, name_zh=_text(name_zh, "name_zh", 80),
                        name_en=_text(name_en, "name_en", 160),
                        phone=_text(phone, "phone", 40, required=False))
    session.add(division)
    session.flush()
    record(session, hall, "admin.division_created", actor=actor, division=code,
           name_zh=division.name_zh, name_en=division.name_en)
    return division


@operation
def edit_division(session: Session, hall_code: str, code: str, *, name_zh: str, name_en: str,
                  phone: str | None = None, actor: Actor) -> Division:
    hall = get_hall(session, hall_code, typed=True)
    _administrator(session, actor, hall)
    division = get_division(session, hall, code)
    if division is None:
        raise UnknownDivision(hall=hall.code, division=code)
    changed = _apply(division, {"name_zh": _text(name_zh, "name_zh", 80),
                                "name_en": _text(name_en, "name_en", 160),
                                "phone": _text(phone, "phone", 40, required=False)})
    if changed:
        record(session, hall, "admin.division_edited", actor=actor, division=division.code,
               changed=changed)
    return division


# -- the catalogue and its guide -------------------------------------------------------------------

def _item_values(session: Session, hall: Hall, *, prefix, name_zh, name_en, division=None,
                 time_limit_days=0, legal_limit_days=None, standard_minutes=10,
                 documents=None, procedure=None, fees_zh=None, fees_en=None,
                 legal_basis_zh=None, legal_basis_en=None, active=True,
                 sort_order=0, results_public=False, apply_online=False) -> dict[str, Any]:
    promised = _limit(time_limit_days)
    legal = promised if legal_limit_days in (None, "") else _limit(legal_limit_days)
    if legal < promised:
        raise InvalidInput("legal-limit-shorter", on="legal_limit_days", legal=legal,
                           promised=promised)
    handler = get_division(session, hall, division)
    if promised and handler is None:
        raise InvalidInput("case-item-needs-division", on="division")
    return {
        "prefix": _prefix(prefix), "name_zh": _text(name_zh, "name_zh", 80),
        "name_en": _text(name_en, "name_en", 160), "division": handler,
        "time_limit_days": promised, "legal_limit_days": legal,
        "standard_minutes": _int(standard_minutes, 1, MAX_STANDARD_MINUTES,
                                 InvalidInput("invalid-standard-minutes", on="standard_minutes",
                                              max=MAX_STANDARD_MINUTES)),
        "documents": _guide(documents, "documents"), "procedure": _guide(procedure, "procedure"),
        "fees_zh": _text(fees_zh, "fees_zh", 200, required=False) or "不收费",
        "fees_en": _text(fees_en, "fees_en", 240, required=False) or "Free of charge",
        "legal_basis_zh": _long_text(legal_basis_zh, "legal_basis_zh"),
        "legal_basis_en": _long_text(legal_basis_en, "legal_basis_en"),
        "active": bool(active), "sort_order": _sort_order(sort_order),
        # decided cases listed in the open, applicant masked (hall.results; issue 15)
        "results_public": bool(results_public),
        # taken online at /apply/<hall>/<item> (hall.applications; issue 15)
        "apply_online": bool(apply_online),
    }


def _sort_order(value: Any) -> int:
    try:
        return min(max(int(value or 0), 0), 100_000)
    except (TypeError, ValueError):
        return 0


@operation
def create_service(session: Session, hall_code: str, *, code: str, actor: Actor,
                   **values: Any) -> ServiceItem:
    """A new catalogue item with its guide; no window serves it until one is given it."""
    hall = get_hall(session, hall_code, typed=True, lock=True)
    _administrator(session, actor, hall)
    code = _code(code)
    if session.scalar(select(ServiceItem.id).where(ServiceItem.hall_id == hall.id,
                                                   ServiceItem.code == code)):
        raise ServiceCodeTaken(hall=hall.code, service=code)
    item = ServiceItem(hall=hall, code=code, **_item_values(session, hall, **values))
    session.add(item)
    session.flush()
    record(session, hall, "admin.service_created", actor=actor, service=code,
           name_zh=item.name_zh, prefix=item.prefix, time_limit_days=item.time_limit_days,
           division=item.division.code if item.division else None)
    return item


def current_values(item: ServiceItem) -> dict[str, Any]:
    """An item's fields as :func:`create_service` and :func:`edit_service` take them."""
    return {"prefix": item.prefix, "name_zh": item.name_zh, "name_en": item.name_en,
            "division": item.division.code if item.division else None,
            "time_limit_days": item.time_limit_days, "legal_limit_days": item.legal_limit_days,
            "standard_minutes": item.standard_minutes, "documents": item.documents,
            "procedure": item.procedure, "fees_zh": item.fees_zh, "fees_en": item.fees_en,
            "legal_basis_zh": item.legal_basis_zh, "legal_basis_en": item.legal_basis_en,
            "active": item.active, "sort_order": item.sort_order,
            "results_public": item.results_public, "apply_online": item.apply_online}


@operation
def edit_service(session: Session, hall_code: str, code: str, *, actor: Actor,
                 **values: Any) -> ServiceItem:
    """Change an item and its guide (the fields given; the others stay). A new time limit
    applies to cases accepted from now on: each case keeps the limit recorded when it was
    accepted."""
    hall = get_hall(session, hall_code, typed=True)
    _administrator(session, actor, hall)
    item = get_service(session, hall, code, typed=True)
    changed = _apply(item, _item_values(session, hall, **{**current_values(item), **values}))
    if changed:
        record(session, hall, "admin.service_edited", actor=actor, service=item.code,
               changed=changed)
    return item


# -- staff ---------------------------------------------------------------------------------------

def _roles(roles: Iterable[str]) -> set[str]:
    wanted = {str(r).strip().lower() for r in roles if str(r).strip()}
    if not wanted:
        raise InvalidInput("role-required", on="roles")
    for role in wanted:
        if role not in {r.value for r in Role}:
            raise InvalidInput("unknown-role", on="roles", role=role)
    return wanted


def _revoke_tokens(session: Session, staff: Staff) -> int:
    return cast(CursorResult, session.execute(
        update(ApiToken).where(ApiToken.staff_id == staff.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )).rowcount or 0


@operation
def create_staff(session: Session, hall_code: str, *, username: str, name: str, password: str,
                 roles: Iterable[str], division: str | None = None, actor: Actor) -> Staff:
    """A new account that can sign in at once with ``password``."""
    hall = get_hall(session, hall_code, typed=True)
    _administrator(session, actor, hall)
    username = (username or "").strip()
    if not username:
        raise InvalidInput("admin-field-required", on="username", field=Term(FIELDS["username"]))
    if not _USERNAME.match(username):
        raise InvalidInput("invalid-username", on="username")
    if session.scalar(select(Staff.id).where(Staff.username == username)):
        raise UsernameTaken(username=username)
    wanted = _roles(roles)
    handler = get_division(session, hall, division)
    if Role.DIVISION.value in wanted and handler is None:
        raise InvalidInput("division-role-needs-division", on="division")
    staff = Staff(hall=hall, username=username, name=_text(name, "name", 40),
                  password_hash=hash_password(check_password(password, username)),
                  division=handler, active=True,
                  role_rows=[StaffRole(role=r) for r in sorted(wanted)])
    session.add(staff)
    session.flush()
    record(session, hall, "admin.staff_created", actor=actor, username=username,
           name=staff.name, roles=sorted(wanted), division=handler.code if handler else None)
    return staff


@operation
def edit_staff(session: Session, username: str, *, name: str, roles: Iterable[str],
               division: str | None = None, actor: Actor) -> Staff:
    """Change a person's name, division and roles."""
    staff = get_staff(session, username)
    _administrator(session, actor, staff.hall)
    wanted = _roles(roles)
    if staff.id == actor.staff_id and Role.ADMIN.value not in wanted:
        raise SelfLockout()
    handler = get_division(session, staff.hall, division)
    if Role.DIVISION.value in wanted and handler is None:
        raise InvalidInput("division-role-needs-division", on="division")
    changed = _apply(staff, {"name": _text(name, "name", 40), "division": handler})
    before = sorted(staff.roles)
    if before != sorted(wanted):
        staff.role_rows = [row for row in staff.role_rows if row.role in wanted] + [
            StaffRole(role=r) for r in sorted(wanted - staff.roles)]
        changed["roles"] = {"before": before, "after": sorted(wanted)}
    if changed:
        session.flush()
        record(session, staff.hall, "admin.staff_edited", actor=actor, username=staff.username,
               changed=changed)
    return staff


@operation
def set_staff_active(session: Session, username: str, *, active: bool, actor: Actor) -> Staff:
    """Deactivate (they can no longer sign in, their tokens end) or reactivate an account."""
    staff = get_staff(session, username)
    _administrator(session, actor, staff.hall)
    if staff.id == actor.staff_id and not active:
        raise SelfLockout()
    if staff.active == bool(active):
        return staff
    staff.active = bool(active)
    revoked = 0
    if not active:
        # Gone from the hall at once: their browser sessions and tokens end, and a window
        # they left open is closed with its visitors back in line (hall.supervision).
        staff.session_version += 1
        revoked = _revoke_tokens(session, staff)
        for window in supervision.windows_worked_by(session, staff):
            supervision.close_for(session, window.hall, window, actor=actor,
                                  reason="account deactivated", deactivated=staff.username)
    record(session, staff.hall,
           "admin.staff_reactivated" if active else "admin.staff_deactivated", actor=actor,
           username=staff.username, changed={"active": {"before": not active, "after": active}},
           tokens_revoked=revoked)
    return staff


@operation
def reset_password(session: Session, username: str, *, password: str, actor: Actor) -> Staff:
    """Give a person a new password; their API tokens end with the old one."""
    staff = get_staff(session, username)
    _administrator(session, actor, staff.hall)
    staff.password_hash = hash_password(check_password(password, staff.username))
    staff.session_version += 1  # whoever is signed in with the old password is signed out
    revoked = _revoke_tokens(session, staff)
    record(session, staff.hall, "admin.password_reset", actor=actor, username=staff.username,
           tokens_revoked=revoked)
    return staff


# -- what there is -------------------------------------------------------------------------------

def halls_administered(session: Session, staff: Staff) -> list[Hall]:
    return [h for h in session.scalars(select(Hall).order_by(Hall.node_no))
            if administers(staff, h)]


def staff_of(session: Session, hall: Hall) -> list[Staff]:
    return list(session.scalars(select(Staff).where(Staff.hall_id == hall.id)
                                .order_by(Staff.active.desc(), Staff.username)))
