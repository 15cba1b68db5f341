"""Signing in: pages use a session cookie (Flask-Login), the API uses bearer tokens only.

The API is exempt from CSRF checks, so it must never accept the session cookie: a page on
another site could otherwise make a signed-in clerk's browser call visitors.
"""
from __future__ import annotations

import functools

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from hall import floor
from hall import staff as accounts
from hall.access import sees_hall  # the rule lives in the domain; pages use it from here
from hall.events import Actor
from hall.lookup import get_hall
from hall.models import Hall, Role, Staff

from . import sign_in_guard
from .extensions import db, login_manager
from .input_guard import local_path
from .problems import problem

bp = Blueprint("auth", __name__)



class SignedIn(UserMixin):
    """The member of staff behind the session, as the pages see them."""

    def __init__(self, staff: Staff) -> None:
        self.staff = staff
        self.id = staff.id

    username = property(lambda self: self.staff.username)
    name = property(lambda self: self.staff.name)
    roles = property(lambda self: self.staff.roles)
    hall = property(lambda self: self.staff.hall)

    def has_role(self, *roles: Role | str) -> bool:
        return any(self.staff.has_role(r) for r in roles)

    @property
    def actor(self) -> Actor:
        return Actor.of(self.staff)


def init(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in first.")
    login_manager.session_protection = "basic"
    app.register_blueprint(bp)


SESSION_VERSION = "sv"  # the person's session version when this browser signed in


@login_manager.user_loader
def _load(staff_id: str) -> SignedIn | None:
    """The signed-in person, unless the account was deactivated or its sessions ended
    (sign-out, new password, deactivation) since this browser signed in."""
    staff = db.session.get(Staff, int(staff_id))
    if staff is None or not staff.active:
        return None
    if session.get(SESSION_VERSION) != staff.session_version:
        return None
    return SignedIn(staff)


def visible_hall(code: str) -> Hall:
    """The hall ``code`` for a staff page: unknown is the hall's own refusal (404), a hall the
    signed-in person may not see is a 403 page."""
    hall = get_hall(db.session, code)
    if not sees_hall(current_user.staff, hall):
        abort(403)
    return hall


def roles_required(*roles: Role | str):
    """A page for signed-in staff holding one of ``roles`` (any role if none is named)."""
    wanted = {Role(r).value for r in roles}

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if wanted and not (current_user.roles & wanted):
                abort(403)
            return view(*args, **kwargs)
        return wrapper
    return decorate


# -- the API's bearer tokens -----------------------------------------------------------------

class NotAuthorized(Exception):
    def __init__(self, response) -> None:
        self.response = response


def api_staff(*roles: Role | str) -> Staff:
    """The member of staff whose bearer token came with this API request, holding one of
    ``roles``; otherwise a 401 (no or bad token) or 403 (wrong role) problem is raised."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    bearer = scheme.lower() == "bearer" and token
    owner = accounts.token_owner(db.session, token.strip()) if bearer else None
    if owner is None:
        response = problem(401, "unauthorized",
                           _("Send a valid staff token: Authorization: Bearer <token>."))
        response.headers["WWW-Authenticate"] = 'Bearer realm="service-hall"'
        raise NotAuthorized(response)
    staff, token_row = owner
    wanted = {Role(r).value for r in roles}
    if wanted and not (staff.roles & wanted):
        raise NotAuthorized(problem(403, "forbidden", _("You are not allowed to do this.")))
    g.api_token = token_row
    return staff


# -- the sign-in page --------------------------------------------------------------------------

class SignInForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never send someone who just signed in elsewhere."""
    return local_path(target)


def home_for(staff: Staff) -> str:
    """Where each one starts the day: a clerk at a window they work now goes straight back
    to it; a manager at the dashboard, division staff at their inbox, a clerk at their own
    window (the one they opened lately; the list if they move between windows), an
    administrator at the administration."""
    hall = staff.hall.code
    window = floor.home_window(db.session, staff) if staff.has_role(Role.CLERK) else None
    if window is not None and window.state != "closed":
        return url_for("console.window", hall=window.hall.code, no=window.no)
    if staff.has_role(Role.MANAGER):
        return url_for("dashboard.hall_dashboard", hall=hall)
    if staff.has_role(Role.DIVISION):
        return url_for("division.cases_inbox", hall=hall)
    if staff.has_role(Role.CLERK):
        if window is not None:
            return url_for("console.window", hall=window.hall.code, no=window.no)
        return url_for("console.windows", hall=hall)
    if staff.has_role(Role.ADMIN):
        return url_for("admin.home")
    return url_for("console.windows", hall=hall)


@bp.route("/login", methods=["GET", "POST"])
@sign_in_guard.limited
def login():
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        wait = sign_in_guard.wait_seconds(form.username.data)
        if wait:
            form.password.errors.append(waiting_text(wait))
            response = make_response(render_template("auth/login.html", form=form), 429)
            response.headers["Retry-After"] = str(wait)
            return response
        staff = accounts.authenticate(db.session, form.username.data, form.password.data)
        if staff is not None:
            sign_in_guard.succeeded(form.username.data)
            accounts.record_sign_in(db.session, staff, via="page")
            session.clear()  # nothing from before the sign-in survives it
            login_user(SignedIn(staff))
            session[SESSION_VERSION] = staff.session_version
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")) or home_for(staff))
        sign_in_guard.failed(form.username.data, via="page")
        form.password.errors.append(_("Wrong username or password."))
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


def waiting_text(seconds: int) -> str:
    return _("Too many wrong passwords for this account: please try again in %(seconds)s "
             "seconds.", seconds=seconds)


@bp.post("/logout")
def logout():
    """Sign out here and everywhere: every browser session of this person ends (a copied
    cookie included); their API tokens stay until revoked or expired."""
    if current_user.is_authenticated:
        accounts.sign_out(db.session, current_user.staff)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


def token_hours() -> float:
    return float(current_app.config["API_TOKEN_HOURS"])
