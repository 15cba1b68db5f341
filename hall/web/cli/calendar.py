"""``flask calendar …``: the working-day calendar from the command line.

    flask calendar due 2026-09-18 20            → 2026-10-22
    flask calendar import-official              → the years taken from chinesecalendar
    flask calendar show 2027                    → the year's status and national days
    flask calendar enter 2027 --notice "国办发明电〔2026〕X号" --by admin days.txt
"""
from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy import select

from hall import calendar, calendar_admin
from hall.events import Actor
from hall.lookup import find_hall
from hall.models import Hall, Staff

from ..extensions import db
from .common import refusal_said

calendar_group = AppGroup("calendar", help="The working-day calendar and deadlines.")

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _hall(code: str | None) -> Hall | None:
    if code is None:
        return None
    hall = find_hall(db.session, code)
    if hall is None:
        raise click.BadParameter(f"there is no hall {code}", param_hint="--hall")
    return hall


def _pause(text: str) -> tuple[date, date]:
    start, sep, end = text.partition(":")
    try:
        span = date.fromisoformat(start.strip()), date.fromisoformat(end.strip())
    except ValueError:
        span = None
    if not sep or span is None or span[1] < span[0]:
        raise click.BadParameter(f"{text!r}: write START:END, e.g. 2026-09-21:2026-09-23",
                                 param_hint="--pause")
    return span


@calendar_group.command("due")
@click.argument("accepted_on", type=DATE)
@click.argument("days", type=click.IntRange(min=1))
@click.option("--hall", "hall_code", help="Count with this hall's local days too (its code).")
@click.option("--pause", "pauses", multiple=True, metavar="START:END",
              help="Clock paused from START up to END (dates; END counts). Repeatable.")
def due_command(accepted_on, days: int, hall_code: str | None, pauses: tuple[str, ...]) -> None:
    """The due day of a matter accepted on ACCEPTED_ON with a limit of DAYS working days
    (the acceptance day does not count)."""
    hall = _hall(hall_code)
    accepted_on = accepted_on.date()
    due, provisional = calendar.due_date(db.session, hall.id if hall else None, accepted_on,
                                         days, [_pause(p) for p in pauses])
    line = due.isoformat()
    if provisional:
        missing = calendar.load(db.session, hall.id if hall else None).unofficial_years(
            accepted_on, due)
        years = ", ".join(str(y) for y in missing)
        verb = "has" if len(missing) == 1 else "have"
        line += f" (provisional: {years} {verb} no official notice yet)"
    click.echo(line)


@calendar_group.command("import-official")
def import_official_command() -> None:
    """Enter the years the chinesecalendar package covers and the calendar does not have yet
    (never overwrites a year already there)."""
    imported = calendar.import_official(db.session)
    if imported:
        click.echo(f"Imported {len(imported)} years: {', '.join(str(y) for y in imported)}")
    else:
        click.echo("Nothing to import: every year chinesecalendar covers is already there.")


@calendar_group.command("show")
@click.argument("year", type=int)
def show_command(year: int) -> None:
    """A year's status and its national holidays and make-up working days."""
    status = next(s for s in calendar.years(db.session, also=[year]) if s.year == year)
    if status.official:
        click.echo(f"{year}: official ({status.notice}); {status.holidays} holidays on "
                   f"weekdays, {status.workdays} make-up working days")
    else:
        click.echo(f"{year}: no official notice yet; deadlines reaching into it are counted "
                   "on weekdays and marked provisional")
    for row in calendar.national_days(db.session, year):
        click.echo(f"  {row.day.isoformat()} {row.day:%a} {row.kind:<8} {row.name}".rstrip())


@calendar_group.command("enter")
@click.argument("year", type=int)
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--notice", required=True, help="The notice's reference, e.g. 国办发明电〔2026〕X号.")
@click.option("--by", "username", required=True, help="The administrator entering it.")
def enter_command(year: int, file, notice: str, username: str) -> None:
    """Enter YEAR's official notice from FILE: one day a line, e.g. ``2027-01-01 holiday 元旦``
    or ``2027-02-20 workday 春节`` (``#`` starts a comment). Replaces the year's national
    days and makes the year official."""
    staff = db.session.scalar(select(Staff).where(Staff.username == username))
    if staff is None or not staff.active or not staff.has_role("admin"):
        raise click.BadParameter(f"{username} is not an active administrator", param_hint="--by")
    with refusal_said():
        calendar_admin.enter_notice_text(db.session, year, file.read(), notice=notice,
                                         actor=Actor.of(staff), hall=staff.hall)
    status = next(s for s in calendar.years(db.session) if s.year == year)
    click.echo(f"{year} is official ({status.notice}): {status.holidays} holidays on weekdays, "
               f"{status.workdays} make-up working days.")
