"""A moment in words, as a visitor reads it on the kiosk: "today at 13:30", "tomorrow
(Tuesday) at 09:00", "Thursday 8 October at 09:00" — 今天 13:30, 明天（星期二）09:00,
10月8日（星期四）09:00. Always in the hall's zone, relative to the hall's clock."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import gettext as _

from hall import clock
from hall.errors import N_

WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
            N_("Saturday"), N_("Sunday"))
MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
          N_("July"), N_("August"), N_("September"), N_("October"), N_("November"),
          N_("December"))


def weekday_name(index: int) -> str:
    return _(WEEKDAYS[index])


def when(at: datetime, tz: str) -> str:
    """``at`` in words, in the page's language, seen from the hall's today."""
    local = at.astimezone(ZoneInfo(tz))
    today = clock.now().astimezone(ZoneInfo(tz)).date()
    hhmm, weekday = local.strftime("%H:%M"), _(WEEKDAYS[local.weekday()])
    if local.date() == today:
        return _("today at %(time)s", time=hhmm)
    if local.date() == today + timedelta(days=1):
        return _("tomorrow (%(weekday)s) at %(time)s", weekday=weekday, time=hhmm)
    if local.year == today.year:
        return _("%(weekday)s %(day)s %(month)s at %(time)s", weekday=weekday, day=local.day,
                 month=_(MONTHS[local.month - 1]), time=hhmm)
    return _("%(weekday)s %(day)s %(month)s %(year)s at %(time)s", weekday=weekday,
             day=local.day, month=_(MONTHS[local.month - 1]), year=local.year, time=hhmm)


def register(app: Flask) -> None:
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["weekday_name"] = weekday_name
