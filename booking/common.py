"""What every booking page shares: the limits, the codes this browser was given, the language
kept in links, refusals as readable pages, and the address in the QR code."""
from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import format_date

from hall.errors import HallError
from hall.models import Booking
from hall.web import devices
from hall.web import remembered as remembered_codes
from hall.web.i18n import canonical
from hall.web.limits import per_address
from hall.web.problems import translate

from . import bp

# Booking, and every try of an access code, spend the budget the booking API spends
# (BOOKING_RATE_LIMIT per address, one counter); the pages that only show what is offered
# are public reads.
booking_limited = per_address("BOOKING_RATE_LIMIT", scope="booking")
public_read = devices.public_read


def remember(booking: Booking) -> None:
    """Keep the access code of a booking made or opened here, in this browser's session only:
    its page opens again here without the code, and nowhere else."""
    remembered_codes.remember("bookings", booking.booking_code, booking.access_code)


def remembered(booking_code: str) -> str | None:
    return remembered_codes.code_for("bookings", booking_code)


def forget(booking_code: str) -> None:
    remembered_codes.forget("bookings", booking_code)


def booking_url(hall_code: str, booking_code: str) -> str:
    """The booking's page as an absolute address: the QR code's text, which a kiosk's scanner
    types (its last part is the booking code, ``hall.bookings.normalize_code``)."""
    base = current_app.config["PUBLIC_BASE_URL"] or request.host_url.rstrip("/")
    return f"{base}/book/{hall_code}/b/{booking_code}"


@bp.url_defaults
def _keep_language(endpoint: str, values: dict) -> None:
    """``?lang=en`` stays on every link and form of the booking pages."""
    if "lang" not in values and canonical(request.args.get("lang")) == "en":
        values["lang"] = "en"


@bp.after_request
def _no_store(response):
    """Codes and names are on these pages: never in a shared or cached copy."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_filter("day_label")
def day_label(day) -> str:
    return format_date(day, "EEE M/d")


@bp.app_template_filter("day_full")
def day_full(day) -> str:
    return format_date(day, "full")


@bp.errorhandler(HallError)
def _refused(error: HallError):
    """Any refusal of the hall, said in words with a way back to the start."""
    hall_code = (request.view_args or {}).get("hall")
    html = render_template("booking/refused.html", message=translate(error), status=error.status,
                           code=error.code, hall_code=hall_code)
    return html, error.status
