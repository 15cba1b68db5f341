"""The administration's blueprint (``admin``, under /admin) and what its sections share."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Blueprint, abort, flash, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from hall import admin, closures, lookup
from hall.errors import HallError
from hall.models import Hall

from ..extensions import db
from ..problems import translate

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


def managed_hall(code: str) -> Hall:
    """The hall of the address, if the signed-in administrator runs it (else 403/404)."""
    hall = lookup.get_hall(db.session, code)
    if not admin.administers(current_user.staff, hall):
        abort(403)
    return hall


def problem_page(template: str, error: HallError, **context):
    """The form again with what to correct; nothing was written (422)."""
    return render_template(template, problem=translate(error), **context), 422


MAX_CONFIRMED = 2000  # booking codes a confirmation may carry


def confirmed_bookings() -> list[str]:
    """The booking codes a closing warning's form confirms (``hall.closures``)."""
    return [code[:16] for code in request.form.getlist("confirm")[:MAX_CONFIRMED]]


@contextmanager
def warned_first(page: Callable[[dict], ResponseReturnValue], *, action: str, back: str,
                 values: dict) -> Iterator[None]:
    """Bookings a change of the hours or the calendar would cancel: ``page(warning)``, the
    page again with their list and a form that sends ``values`` to ``action`` again with
    them confirmed (``admin/_closing_warning.html``); nothing was written."""
    try:
        yield
    except closures.BookingsWouldBeCancelled as error:
        abort(make_response(page({"bookings": error.bookings, "days": error.days,
                                  "action": action, "values": values, "back": back})))


def cancelled_said(cancelled: list) -> None:
    """How many bookings a confirmed change cancelled, said to the administrator."""
    if cancelled:
        flash(_("%(count)s bookings were cancelled; their holders are told.",
                count=len(cancelled)), "ok")
