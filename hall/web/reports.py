"""Daily reports for managers: the kept days of a hall, each as PDF and CSV, and the month's
case figures (on time, overdue by division and person)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request

from hall import clock, endofday, reports, stats

from .auth import roles_required, visible_hall
from .extensions import db

bp = Blueprint("reports", __name__, url_prefix="/hall")


FIRST_YEAR, LAST_YEAR = 2000, 2099  # the months a hall can have figures for


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
        overdue=stats.overdue(db.session, period))


def _kept(hall: str, day: str):
    found = visible_hall(hall)
    try:
        wanted = date.fromisoformat(day)
    except ValueError:
        abort(404)
    kept = endofday.kept_report(db.session, found, wanted)
    if kept is None:
        abort(404)
    return found, kept


def _attachment(body: bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/<hall>/reports/<day>.pdf")
@roles_required("manager")
def pdf(hall: str, day: str):
    found, kept = _kept(hall, day)
    return _attachment(kept.pdf, "application/pdf", f"{found.code}-{kept.day.isoformat()}.pdf")


@bp.get("/<hall>/reports/<day>.csv")
@roles_required("manager")
def csv(hall: str, day: str):
    found, kept = _kept(hall, day)
    return _attachment(reports.csv_bytes(kept.csv), "text/csv; charset=utf-8",
                       f"{found.code}-{kept.day.isoformat()}.csv")


@bp.get("/<hall>/statistics")
@roles_required("manager")
def statistics(hall: str):
    """A month's figures from the event log: tickets by service, window, clerk, hour of
    arrival and day; ratings by window and clerk; the month's cases."""
    found = visible_hall(hall)
    year, month = _month(request.args.get("month"), found)
    return render_template("reports/statistics.html", hall=found,
                           month=f"{year:04d}-{month:02d}",
                           report=stats.report(db.session, found,
                                               stats.Period.month(found, year, month)))
