"""The audit log: every event of the halls an administrator runs, newest first, filtered by
hall, kind, actor and days, 50 a page.

Administrators only. Managers follow their hall on the dashboard and in the statistics; the
raw log shows every account's sign-ins and every change to the hall's set-up, which is the
administrators' business.
"""
from __future__ import annotations

import json
from datetime import date

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hall import admin
from hall import audit as audit_log

from .admin import bp
from .auth import roles_required
from .extensions import db

PAGE_SIZE = 50
KINDS = {
    "admin.hall_created": _l("Hall created"), "admin.hall_edited": _l("Hall changed"),
    "admin.window_added": _l("Window added"), "admin.window_edited": _l("Window renamed"),
    "admin.window_services_set": _l("Window items changed"),
    "admin.window_enabled": _l("Window in service"),
    "admin.window_disabled": _l("Window out of service"),
    "admin.division_created": _l("Division created"),
    "admin.division_edited": _l("Division changed"),
    "admin.service_created": _l("Service item created"),
    "admin.service_edited": _l("Service item changed"),
    "admin.staff_created": _l("Account created"), "admin.staff_edited": _l("Account changed"),
    "admin.staff_deactivated": _l("Account deactivated"),
    "admin.staff_reactivated": _l("Account reactivated"),
    "admin.password_reset": _l("Password reset"),
    "calendar.notice_entered": _l("Calendar notice entered"),
    "calendar.local_day_set": _l("Local day set"),
    "staff.signed_in": _l("Signed in"),
    "hours.week_set": _l("Opening hours changed"),
    "hours.exception_set": _l("Opening exception set"),
    "hours.exception_removed": _l("Opening exception removed"),
    "day.closed": _l("Day closed"),
    "day.report_rerun": _l("Daily report made again"),
}
PREFIXES = [("", _l("Everything")), ("admin.", _l("Administration")),
            ("calendar.", _l("Calendar")), ("staff.", _l("Sign-ins and tokens")),
            ("case.", _l("Cases")), ("ticket.", _l("Tickets")), ("window.", _l("Windows")),
            ("rating.", _l("Ratings")), ("hours.", _l("Opening hours")),
            ("day.", _l("End of day and reports"))]


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return None


def _short(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:119] + "…"


def describe(data: dict) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """An event's data as lines: the changed fields (before, after), then the rest."""
    changed = [(field, _short(pair.get("before")), _short(pair.get("after")))
               for field, pair in (data.get("changed") or {}).items() if isinstance(pair, dict)]
    rest = [(key, _short(value)) for key, value in data.items() if key != "changed"]
    return changed, rest


@bp.get("/audit")
@roles_required("admin")
def audit():
    staff = current_user.staff
    halls = admin.halls_administered(db.session, staff)
    codes = {h.id: h.code for h in halls}
    chosen = request.args.get("hall", "").strip().upper()
    shown = [h.id for h in halls if not chosen or h.code == chosen]
    since, until = _day("since"), _day("until")
    where = audit_log.AuditFilter(halls=shown, kind=request.args.get("kind", "").strip()[:40],
                              actor=request.args.get("actor", "").strip()[:40], since=since,
                              until=until, tz=staff.hall.timezone)
    events, next_before = audit_log.audit_events(db.session, where,
                                             before=request.args.get("before", type=int),
                                             limit=PAGE_SIZE)
    rows = [(e, codes.get(e.hall_id, "?"), *describe(e.data or {})) for e in events]
    filters = {k: v for k, v in {"hall": chosen, "kind": where.kind, "actor": where.actor,
                                 "since": since.isoformat() if since else "",
                                 "until": until.isoformat() if until else ""}.items() if v}
    return render_template("admin/audit.html", hall=staff.hall, halls=halls, rows=rows,
                           filters=filters, kinds=KINDS, prefixes=PREFIXES,
                           next_before=next_before, first_page="before" in request.args)
