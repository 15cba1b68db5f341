"""``flask end-of-day``: close a hall's day by hand, or re-run a closed day's report.

    flask end-of-day                       → every hall: the days that have ended and are not
                                             closed yet (what the scheduler does)
    flask end-of-day --hall HQ --day 2026-11-23
    flask end-of-day --hall HQ --day 2026-11-23 --rerun --by manager --reason "补录"

A day is closed only once its business has ended (its last closing time, or END_OF_DAY when
later); before that the command refuses and says when it ends. A re-run keeps the new report
as the next version; the earlier ones stay downloadable.
"""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from hall import endofday
from hall.events import Actor
from hall.models import Hall, Staff

from ..extensions import db
from .common import refusal_said


def _say(done: endofday.DayClosed) -> None:
    if done.already:
        click.echo(f"{done.hall} {done.day}: already closed (report {done.report_id}, "
                   f"version {done.version}); --rerun makes it again")
        return
    what = f"report made again (version {done.version}), " if done.version > 1 else ""
    click.echo(f"{done.hall} {done.day}: {what}{done.unserved} not served "
               f"({done.never_arrived} taken from home never arrived), "
               f"{done.finished} finished by the system, {done.windows_closed} windows "
               f"closed, report {done.report_id} ({done.totals.get('tickets', 0)} tickets)")


@click.command("end-of-day")
@click.option("--hall", "hall_code", help="One hall's code (default: every hall).")
@click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The hall's local date (default: every day that has ended unclosed).")
@click.option("--rerun", is_flag=True,
              help="Make the day's report again, kept as a new version (needs --hall, "
                   "--day and --by).")
@click.option("--by", "by_username", help="The manager re-running the report (audited).")
@click.option("--reason", default="", help="Why the report is made again (kept with it).")
@with_appcontext
def end_of_day_command(hall_code: str | None, day, rerun: bool, by_username: str | None,
                       reason: str) -> None:
    """Close the day: unserved tickets recorded, windows closed, the daily report kept.
    A day already closed is left as it was, unless --rerun."""
    with refusal_said():
        if rerun:
            if not (hall_code and day and by_username):
                raise click.UsageError("--rerun needs --hall, --day and --by")
            staff = db.session.scalar(select(Staff).where(Staff.username == by_username))
            if staff is None:
                raise click.BadParameter(f"there is no member of staff {by_username}",
                                         param_hint="--by")
            _say(endofday.rerun_day(db.session, hall_code, day.date(),
                                    actor=Actor.of(staff), reason=reason))
            return
        codes = [hall_code] if hall_code else list(
            db.session.scalars(select(Hall.code).order_by(Hall.id)))
        if day is not None:
            for code in codes:
                _say(endofday.close_day(db.session, code, day.date()))
            return
        done = endofday.close_due(db.session, hall_code=hall_code)
        for closed in done:
            _say(closed)
        if not done:
            click.echo("No day to close: every day that has ended is closed.")
