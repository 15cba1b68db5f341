"""The administration's home page: the sections an administrator works in."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from hall import admin

from ..auth import roles_required
from ..extensions import db
from .common import bp


@bp.get("")
@bp.get("/")
@roles_required("admin")
def home():
    """The sections an administrator works in, and the halls they run."""
    staff = current_user.staff
    return render_template("admin/home.html", hall=staff.hall,
                           halls=admin.halls_administered(db.session, staff),
                           may_create_hall=admin.administers(staff, None))
