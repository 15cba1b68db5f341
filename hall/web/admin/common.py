"""The administration's blueprint (``admin``, under /admin) and what its sections share."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from hall import admin, lookup
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
