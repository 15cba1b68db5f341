"""The audit log: every event of the halls an administrator runs, newest first, filtered by
hall, kind, actor and days, 50 a page.

Administrators only. Managers follow their hall on the dashboard and in the statistics; the
raw log shows every account's sign-ins and every change to the hall's set-up, which is the
administrators' business.
"""
from __future__ import annotations

from datetime import date

from flask import render_template, request
from flask_babel import gettext
from flask_login import current_user

from hall import admin, kinds
from hall import audit as audit_log

from ..auth import roles_required
from ..event_words import actor_name, hall_names, kind_name, lines, separators
from ..extensions import db
from .common import bp

PAGE_SIZE = 50


def kind_choices() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The filter's list: each family (its prefix and words) with its kinds in words."""
    return [(prefix, gettext(words),
             sorted(((code, kind_name(code)) for code in kinds.KINDS if code.startswith(prefix)),
                    key=lambda pair: pair[1]))
            for prefix, words in kinds.FAMILIES.items()]


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return None


@bp.get("/audit")
@roles_required("admin")
def audit():
    staff = current_user.staff
    halls = admin.halls_administered(db.session, staff)
    codes = {h.id: h.code for h in halls}
    chosen = request.args.get("hall", "").strip().upper()
    shown = [h.id for h in halls if not chosen or h.code == chosen]
    since, until = _day("since"), _day("until")
    tz = staff.hall.timezone
    where = audit_log.AuditFilter(halls=shown, kind=request.args.get("kind", "").strip()[:40],
                                  actor=request.args.get("actor", "").strip()[:40], since=since,
                                  until=until, tz=tz)
    events, next_before = audit_log.audit_events(db.session, where,
                                                 before=request.args.get("before", type=int),
                                                 limit=PAGE_SIZE)
    names = hall_names(db.session, (e.hall_id for e in events))
    rows = [{"event": e, "hall": codes.get(e.hall_id, "?"), "what": kind_name(e.kind),
             "who": actor_name(e.actor), "lines": lines(e.kind, e.data or {},
                                                        names[e.hall_id], tz)}
            for e in events]
    filters = {k: v for k, v in {"hall": chosen, "kind": where.kind, "actor": where.actor,
                                 "since": since.isoformat() if since else "",
                                 "until": until.isoformat() if until else ""}.items() if v}
    return render_template("admin/audit.html", hall=staff.hall, halls=halls, rows=rows,
                           filters=filters, choices=kind_choices(), colon=separators()[0],
                           next_before=next_before, first_page="before" in request.args)
