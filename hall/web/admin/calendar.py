"""The working-day calendar's administration page (admin role).

The calendar page shows every year's status, answers "when is it due?", takes a year's official
notice and keeps the administrator's hall's local days; each change is a CSRF-checked POST
that redirects with a message, or shows the page again with what to correct (422).
"""
from __future__ import annotations

from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from hall import calendar, calendar_admin, clock, closures
from hall.errors import HallError

from .. import refusals
from ..auth import roles_required
from ..extensions import db
from ..problems import translate
from .common import bp, cancelled_said, confirmed_bookings, warned_first


class DueForm(FlaskForm):
    """The due-date calculator: a question, so a GET without a CSRF token."""

    class Meta:
        csrf = False

    on = DateField(_l("Accepted on"), validators=[InputRequired(_l("Give a date."))])
    days = IntegerField(_l("Working days"), validators=[
        InputRequired(_l("Give a number of working days.")),
        NumberRange(1, 1000, _l("Between 1 and 1000 working days."))])


class NoticeForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[
        InputRequired(_l("Give the year.")),
        NumberRange(calendar.FIRST_YEAR, calendar.LAST_YEAR, _l("Not a year a notice can be "
                                                                "entered for."))])
    notice = StringField(_l("Notice reference"), validators=[
        DataRequired(_l("Give the notice's reference (its document number), at most 200 "
                        "characters.")),
        Length(max=200, message=_l("Give the notice's reference (its document number), at "
                                   "most 200 characters."))])
    lines = TextAreaField(_l("Holidays and make-up working days"), validators=[
        DataRequired(_l("List at least one holiday or make-up working day.")),
        Length(max=20_000)])


class LocalDayForm(FlaskForm):
    day = DateField(_l("Day"), validators=[InputRequired(_l("Give a date."))])
    kind = SelectField(_l("Kind"), choices=[SelectChoice("holiday", _l("Local holiday")),
                                            SelectChoice("workday", _l("Local working day"))])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=60)])


class RemoveLocalDayForm(FlaskForm):
    day = HiddenField(validators=[DataRequired()])


def _this_year() -> int:
    return clock.local_date(clock.now(), current_user.hall.timezone).year


def _notice_lines(year: int) -> str:
    """The year's national days as the notice form writes them, to correct a notice."""
    return "\n".join(f"{d.day.isoformat()} {d.kind} {d.name}".rstrip()
                     for d in calendar.national_days(db.session, year))


def _page(*, notice_form: NoticeForm | None = None, local_form: LocalDayForm | None = None,
          notice_problems: list[str] | None = None, warning: dict | None = None,
          status: int = 200):
    hall = current_user.hall
    this_year = _this_year()
    shown_year = request.args.get("year", type=int) or (notice_form.year.data if notice_form
                                                         else None)
    if shown_year is None or not calendar.FIRST_YEAR <= shown_year <= calendar.LAST_YEAR:
        shown_year = this_year + 1
    years = calendar.years(db.session, also=(this_year, this_year + 1, shown_year))
    if notice_form is None:
        notice_form = NoticeForm(formdata=None, year=shown_year,
                                 lines=_notice_lines(shown_year))
    due_form = DueForm(formdata=request.args if "on" in request.args else None)
    answer = None
    if "on" in request.args and due_form.validate():
        due, provisional = calendar.due_date(db.session, hall.id, due_form.on.data,
                                             due_form.days.data)
        missing = (calendar.load(db.session, hall.id)
                   .unofficial_years(due_form.on.data, due) if provisional else [])
        answer = {"due": due, "provisional": provisional,
                  "missing": ", ".join(str(y) for y in missing)}
    # Recent and coming years in full; the package's older years in one line unless asked.
    recent = [y for y in years if y.year >= this_year - 2 or request.args.get("all")]
    html = render_template(
        "admin/calendar.html", hall=hall, years=recent, earlier=years[:len(years) - len(recent)],
        shown_year=shown_year, close_of_business=current_app.config["CLOSE_OF_BUSINESS"],
        shown_status=next(y for y in years if y.year == shown_year),
        shown_days=calendar.national_days(db.session, shown_year),
        due_form=due_form, answer=answer, notice_form=notice_form,
        notice_problems=notice_problems or [],
        local_form=local_form or LocalDayForm(formdata=None),
        local_days=calendar.local_days(db.session, hall.id), warning=warning)
    return html, status


def _local_day(day: date, kind: str | None, name: str, endpoint: str, values: dict) -> list:
    """Set (or with ``kind`` None remove) a local day of the administrator's hall, the
    bookings it strands warned of first (``hall.closures``); returns those cancelled."""
    hall = current_user.hall
    with warned_first(lambda warning: _page(warning=warning, status=409),
                      action=url_for(endpoint), back=url_for("admin.calendar_page"),
                      values=values):
        _result, cancelled = closures.change_hours(
            db.session, hall.code, lambda: calendar_admin.set_local_day(
                db.session, hall, day, kind, name, current_user.actor),
            actor=current_user.actor, confirmed=confirmed_bookings())
    return cancelled


@bp.get("/calendar")
@roles_required("admin")
def calendar_page():
    """Every year's status, the due-date calculator, the notice form and the local days."""
    return _page()


@bp.post("/calendar/notice")
@roles_required("admin")
def enter_notice():
    """Enter a year's official notice; the whole notice is refused if any line is wrong."""
    form = NoticeForm()
    if not form.validate_on_submit():
        problems = [e for field in form for e in field.errors]
        return _page(notice_form=form, notice_problems=problems, status=422)
    try:
        calendar_admin.enter_notice_text(db.session, form.year.data, form.lines.data,
                                   notice=form.notice.data, actor=current_user.actor,
                                   hall=current_user.hall)
    except calendar.InvalidCalendarNotice as error:
        return _page(notice_form=form, notice_problems=[translate(p) for p in error.problems],
                     status=422)
    flash(_("The notice for %(year)s is entered: the year is official.", year=form.year.data),
          "ok")
    return redirect(url_for("admin.calendar_page", year=form.year.data))


@bp.post("/calendar/local")
@roles_required("admin")
def set_local_day():
    """Add or replace a local holiday or working day of the administrator's hall."""
    form = LocalDayForm()
    if form.validate_on_submit():
        try:
            cancelled = _local_day(form.day.data, form.kind.data, form.name.data or "",
                                   "admin.set_local_day",
                                   {"day": form.day.data.isoformat(), "kind": form.kind.data,
                                    "name": form.name.data or ""})
        except HallError as error:
            form.day.errors = [*form.day.errors, translate(error)]
        else:
            cancelled_said(cancelled)
            flash(_("Local day %(day)s saved.", day=form.day.data.isoformat()), "ok")
            return redirect(url_for("admin.calendar_page", _anchor="calendar-local"))
    return _page(local_form=form, status=422)


@bp.post("/calendar/local/remove")
@roles_required("admin")
def remove_local_day():
    """Remove a local day of the administrator's hall: the national calendar applies again."""
    form = RemoveLocalDayForm()
    try:
        day = date.fromisoformat(form.day.data or "") if form.validate_on_submit() else None
    except ValueError:
        day = None
    if day is None:
        flash(_("Choose a local day to remove."), "refused")
        return redirect(url_for("admin.calendar_page", _anchor="calendar-local"))
    with refusals.flashed():
        cancelled_said(_local_day(day, None, "", "admin.remove_local_day",
                                  {"day": day.isoformat()}))
        flash(_("Local day %(day)s removed.", day=day.isoformat()), "ok")
    return redirect(url_for("admin.calendar_page", _anchor="calendar-local"))

