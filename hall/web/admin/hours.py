"""A hall's opening hours (administrators): the spans of each weekday, the last-ticket minutes,
the dated exceptions, and the coming weeks as the kiosk will keep them (the working-day
calendar included). Each change is one domain operation (``hall.hours``), audited.

A change that takes away booked slots (``hall.closures``) first answers with a warning that
lists the bookings it would cancel, and a form that sends the same change again with those
bookings confirmed; nothing is written until then."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hall import clock, closures, hours, hours_admin, settings
from hall.errors import N_, HallError

from .. import refusals
from ..auth import roles_required
from ..extensions import db
from ..problems import translate
from .common import bp, cancelled_said, confirmed_bookings, managed_hall, warned_first

SHOWN_DAYS = 28


def _page(hall, *, week_values: dict | None = None, exception_values: dict | None = None,
          week_problem: str | None = None, exception_problem: str | None = None,
          warning: dict | None = None, status: int = 200):
    opening = hours.of(db.session, hall)
    today = clock.local_date(clock.now(), hall.timezone)
    if week_values is None:
        week_values = {name: hours.spans_text(opening.rules.week.get(d, ()))
                       for d, name in enumerate(hours.WEEKDAYS)}
        week_values["last_ticket_minutes"] = str(opening.rules.last_ticket_minutes)
    html = render_template(
        "admin/hours.html", hall=hall, weekdays=list(enumerate(hours.WEEKDAYS)),
        week_values=week_values, own_week=opening.rules.own_week,
        exception_values=exception_values or {"kind": "closed"},
        week_problem=week_problem, exception_problem=exception_problem,
        exceptions=hours_admin.exceptions_ahead(db.session, hall),
        coming=[(d, opening.ticket_spans(d.day)) for d in opening.days(today, SHOWN_DAYS)],
        end_of_day=settings.of(db.session).end_of_day, today=today, warning=warning)
    return html, status


def _warned_first(hall, endpoint: str, values: dict):
    return warned_first(lambda warning: _page(hall, warning=warning, status=409),
                        action=url_for(endpoint, hall=hall.code),
                        back=url_for("admin.hours_page", hall=hall.code), values=values)


@bp.get("/halls/<hall>/hours")
@roles_required("admin")
def hours_page(hall: str):
    return _page(managed_hall(hall))


@bp.post("/halls/<hall>/hours")
@roles_required("admin")
def save_week(hall: str):
    """The spans of every weekday (empty: closed) and the last-ticket minutes."""
    found = managed_hall(hall)
    values = {name: request.form.get(name, "")[:200] for name in hours.WEEKDAYS}
    values["last_ticket_minutes"] = request.form.get("last_ticket_minutes", "").strip()[:8]
    with refusals.form_again(lambda problem: _page(found, week_values=values,
                                                   week_problem=problem)), \
            _warned_first(found, "admin.save_week", values):
        week = {d: hours.parse_spans(values[name]) for d, name in enumerate(hours.WEEKDAYS)}
        try:
            minutes = int(values["last_ticket_minutes"])
        except ValueError:
            raise hours_admin.InvalidLastTicket(max=hours.MAX_LAST_TICKET) from None
        changed, cancelled = closures.change_hours(
            db.session, found.code, lambda: hours_admin.set_week(
                db.session, found.code, week, actor=current_user.actor,
                last_ticket_minutes=minutes),
            actor=current_user.actor, confirmed=confirmed_bookings())
    cancelled_said(cancelled)
    flash(_("Opening hours of %(hall)s saved.", hall=found.code) if changed
          else _("Nothing was changed."), "ok")
    return redirect(url_for("admin.hours_page", hall=found.code))


@bp.post("/halls/<hall>/hours/exceptions")
@roles_required("admin")
def set_exception(hall: str):
    """Close the hall on a date, or open it with special hours."""
    found = managed_hall(hall)
    values = {"day": request.form.get("day", "").strip()[:10],
              "kind": "special" if request.form.get("kind") == "special" else "closed",
              "spans": request.form.get("spans", "")[:200],
              "note": request.form.get("note", "")[:400]}
    with refusals.form_again(lambda problem: _page(found, exception_values=values,
                                                 exception_problem=problem)), \
            _warned_first(found, "admin.set_exception", values):
        try:
            day = date.fromisoformat(values["day"])
        except ValueError:
            raise HallError(N_("Give a date.")) from None
        spans = hours.parse_spans(values["spans"]) if values["kind"] == "special" else ()
        if values["kind"] == "special" and not spans:
            raise hours.InvalidHours(text=values["spans"][:40])
        _result, cancelled = closures.change_hours(
            db.session, found.code, lambda: hours_admin.set_exception(
                db.session, found.code, day, spans, values["note"], actor=current_user.actor),
            actor=current_user.actor, confirmed=confirmed_bookings())
    cancelled_said(cancelled)
    flash(_("Exception for %(day)s saved.", day=day.isoformat()), "ok")
    return redirect(url_for("admin.hours_page", hall=found.code, _anchor="hours-exceptions"))


@bp.post("/halls/<hall>/hours/exceptions/remove")
@roles_required("admin")
def remove_exception(hall: str):
    found = managed_hall(hall)
    values = {"day": request.form.get("day", "").strip()[:10]}
    try:
        day = date.fromisoformat(values["day"])
        with _warned_first(found, "admin.remove_exception", values):
            _result, cancelled = closures.change_hours(
                db.session, found.code, lambda: hours_admin.remove_exception(
                    db.session, found.code, day, actor=current_user.actor),
                actor=current_user.actor, confirmed=confirmed_bookings())
    except ValueError:
        flash(_("Choose an exception to remove."), "refused")
    except HallError as error:
        flash(translate(error), "refused")
    else:
        cancelled_said(cancelled)
        flash(_("Exception for %(day)s removed: the usual hours apply.", day=day.isoformat()),
              "ok")
    return redirect(url_for("admin.hours_page", hall=found.code, _anchor="hours-exceptions"))

