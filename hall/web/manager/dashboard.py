"""The manager's dashboard: one hall's day at a glance, and every hall side by side for a
provincial manager.

The page is complete without JavaScript (the snapshot rendered on the server, charts as SVG);
``dashboard.js`` then follows the hall's ``dashboard`` messages on the /staff stream and
redraws the figures in place.
"""
from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hall import booking_figures, dashboard
from hall.db import consistent_read

from ..auth import roles_required, visible_hall
from ..extensions import db
from .charts import bar_chart
from .reports import detail_words

# The manager's scripts and styles (static/) are served from here, for every manager page.
bp = Blueprint("dashboard", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/manager")


def charts(snapshot: dashboard.Snapshot) -> dict:
    """The two charts of a snapshot: arrivals per hour, and how long people waited."""
    buckets = snapshot.wait_distribution
    return {
        "arrivals": bar_chart(snapshot.arrivals_by_hour, [f"{h:02d}" for h in range(24)],
                              label_every=2),
        "waits": bar_chart([b.count for b in buckets], [bucket_label(b) for b in buckets]),
    }


def bucket_label(bucket: dashboard.WaitBucket) -> str:
    if bucket.high is None:
        return f"{bucket.low}+"
    return f"{bucket.low}–{bucket.high}"


def reports_url(hall_code: str) -> str:
    """The list of the hall's daily reports (PDF, CSV)."""
    return url_for("reports.index", hall=hall_code)


def _texts() -> dict:
    """What the page's script writes itself, in the page's language."""
    return {
        "live": _("Live"), "connecting": _("Connecting…"), "offline": _("Offline: reconnecting…"),
        "minutes": _("min"), "none": "—", "unassigned": _("Not taken up"),
        "states": {"open": _("Open"), "paused": _("Paused"), "closed": _("Closed")},
    }


def _device_texts() -> dict:
    """The devices panel's words (templates/dashboard/_devices.html, device_panel.js)."""
    return {
        "kinds": {"kiosk": _("Ticket kiosk"), "display": _("Wall display"),
                  "rating": _("Rating tablet")},
        "window": _("Window %(no)s", no="{no}"), "locked": _("Locked"), "in_use": _("In use"),
        "none": _("No devices registered."),
        "alert": _("%(name)s asked for more than %(tickets)s tickets within %(seconds)s seconds",
                   name="{name}", tickets="{tickets}", seconds="{seconds}"),
    }


@bp.get("/hall/<hall>/dashboard")
@roles_required("manager")
def hall_dashboard(hall: str):
    """One hall's figures for today, live."""
    found = visible_hall(hall)
    with consistent_read(db.session) as session:
        snap = dashboard.snapshot(session, found)
    return _no_store(render_template(
        "dashboard/hall.html", hall=found, snap=snap, charts=charts(snap), texts=_texts(),
        reports_url=reports_url(found.code), device_texts=_device_texts(),
        on_time_minutes=booking_figures.ON_TIME_MINUTES, details=detail_words(),
        province=current_user.hall.level == "province"))


@bp.get("/dashboard")
@roles_required("manager")
def overview():
    """Every hall side by side for a provincial manager; anyone else goes to their hall."""
    own = current_user.hall
    if own.level != "province":
        return redirect(url_for("dashboard.hall_dashboard", hall=own.code))
    with consistent_read(db.session) as session:
        halls = dashboard.visible_halls(session, own)
        snaps = dashboard.province(session, halls)
    return _no_store(render_template("dashboard/province.html", hall=own, snaps=snaps,
                                     texts=_texts(), reports_url=reports_url))


def _no_store(html: str) -> Response:
    response = Response(html)
    response.headers["Cache-Control"] = "no-store"
    return response
