"""``flask end-of-day``: close a hall's day by hand (what the scheduler does at closing).

    flask end-of-day                       → every hall, today (or the days left unclosed)
    flask end-of-day --hall HQ --day 2026-11-23
"""
from __future__ import annotations

from datetime import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from hall import endofday
from hall.errors import HallError
from hall.models import Hall

from .extensions import db


@click.command("end-of-day")
@click.option("--hall", "hall_code", help="One hall's code (default: every hall).")
@click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The hall's local date (default: today).")
@with_appcontext
def end_of_day_command(hall_code: str | None, day) -> None:
    """Close the day: unserved tickets recorded, windows closed, the daily report kept.
    A day already closed is left as it was."""
    endofday.settings.end_of_day = time.fromisoformat(current_app.config["END_OF_DAY"])
    codes = [hall_code] if hall_code else list(
        db.session.scalars(select(Hall.code).order_by(Hall.id)))
    for code in codes:
        try:
            done = endofday.close_day(db.session, code, day.date() if day else None)
        except HallError as error:
            raise click.ClickException(f"{code}: {error}") from None
        if done.already:
            click.echo(f"{done.hall} {done.day}: already closed (report {done.report_id})")
        else:
            click.echo(f"{done.hall} {done.day}: {done.unserved} not served, "
                       f"{done.finished} finished by the system, {done.windows_closed} "
                       f"windows closed, report {done.report_id} "
                       f"({done.totals.get('tickets', 0)} tickets)")
