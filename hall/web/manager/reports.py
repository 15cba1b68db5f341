"""Daily reports for managers: the kept days of a hall, each as PDF and CSV in every version
made (a manager may re-run a closed day's report; each run is audited), and the month's case
figures (on time, overdue by division and person)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hall import booking_figures, channel_figures, clock, endofday, reports, stats

from .. import refusals
from ..auth import roles_required, visible_hall
from ..extensions import db
from ..i18n import is_english

bp = Blueprint("reports", __name__, url_prefix="/hall", template_folder="templates")


FIRST_YEAR, LAST_YEAR = 2000, 2099  # the months a hall can have figures for


def detail_words() -> dict[str, str]:
    """The names of the figures beside a channel's row, in the page's language."""
    english = is_english()
    return {name: en if english else zh for name, (zh, en) in channel_figures.DETAILS.items()}


def _month(text: str | None, hall) -> tuple[int, int]:
    """``?month=YYYY-MM``, this month when not given; anything else is no such page (404)."""
    if not text:
        today = clock.local_date(clock.now(), hall.timezone)
        return today.year, today.month
    try:
        year, month = (int(part) for part in text.split("-"))
        date(year, month, 1)
    except (ValueError, OverflowError):
        abort(404)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    return year, month


@bp.get("/<hall>/reports")
@roles_required("manager")
def index(hall: str):
    """The kept days, newest first, and the month's cases on time and overdue."""
    found = visible_hall(hall)
    year, month = _month(request.args.get("month"), found)
    period = stats.Period.month(found, year, month)
    return render_template(
        "reports/index.html", hall=found, days=endofday.kept(db.session, found),
        month=f"{year:04d}-{month:02d}", on_time=stats.on_time(db.session, period),
        overdue=stats.overdue(db.session, period), enquiries=stats.enquiries(db.session, period),
        kinds=ENQUIRY_KINDS, channels_of=reports.channel_summary)


# The kinds of enquiry as the accountability table names them.
ENQUIRY_KINDS = {"consultation": _l("Questions"), "complaint": _l("Complaints"),
                 "report": _l("Reports")}


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(404)


def _kept(hall: str, day: str, version: int | None = None):
    found = visible_hall(hall)
    kept = endofday.kept_report(db.session, found, _day(day), version)
    if kept is None:
        abort(404)
    return found, kept


def _name(hall, kept, ext: str) -> str:
    suffix = f"-v{kept.version}" if kept.version > 1 else ""
    return f"{hall.code}-{kept.day.isoformat()}{suffix}.{ext}"


def _attachment(body: bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/<hall>/reports/<day>.pdf")
@bp.get("/<hall>/reports/<day>/v<int:version>.pdf")
@roles_required("manager")
def pdf(hall: str, day: str, version: int | None = None):
    """The day's newest report, or an earlier version."""
    found, kept = _kept(hall, day, version)
    return _attachment(kept.pdf, "application/pdf", _name(found, kept, "pdf"))


@bp.get("/<hall>/reports/<day>.csv")
@bp.get("/<hall>/reports/<day>/v<int:version>.csv")
@roles_required("manager")
def csv(hall: str, day: str, version: int | None = None):
    found, kept = _kept(hall, day, version)
    return _attachment(reports.csv_bytes(kept.csv), "text/csv; charset=utf-8",
                       _name(found, kept, "csv"))


@bp.post("/<hall>/reports/<day>/rerun")
@roles_required("manager")
def rerun(hall: str, day: str):
    """Make a closed day's report again from the tickets as they are now; the new version
    is kept beside the earlier ones."""
    found = visible_hall(hall)
    wanted = _day(day)
    with refusals.flashed():
        done = endofday.rerun_day(db.session, found.code, wanted, actor=current_user.actor,
                                  reason=(request.form.get("reason") or "")[:200])
        flash(_("The report of %(day)s was made again: version %(version)s, %(tickets)s "
                "tickets.", day=wanted.isoformat(), version=done.version,
                tickets=done.totals.get("tickets", 0)), "ok")
    return redirect(url_for("reports.index", hall=found.code, _anchor=f"day-{wanted}"))


@bp.get("/<hall>/statistics")
@roles_required("manager")
def statistics(hall: str):
    """A month's figures from the event log: tickets by service, window, clerk, hour of
    arrival and day; appointments and the waits of each channel by day; ratings by window
    and clerk; the month's cases; the windows and the online channels side by side."""
    found = visible_hall(hall)
    year, month = _month(request.args.get("month"), found)
    return render_template("reports/statistics.html", hall=found,
                           month=f"{year:04d}-{month:02d}", channels=booking_figures.CHANNELS,
                           on_time_minutes=booking_figures.ON_TIME_MINUTES,
                           details=detail_words(),
                           report=stats.report(db.session, found,
                                               stats.Period.month(found, year, month)))
