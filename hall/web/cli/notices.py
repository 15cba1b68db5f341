"""``flask notices …``: public notices (公示) from the server's shell.

    flask notices end-due          (end every notice whose period is over; the scheduler
                                    does it every SCHEDULER_INTERVAL seconds)
    flask notices list [--hall HQ] (the notices running now, the soonest to end first)
"""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from hall import notices_public
from hall.lookup import get_hall
from hall.models import Hall

from ..extensions import db
from .common import refusal_said

notices_group = AppGroup("notices", help="Public notices (公示): end those due, list them.")


@notices_group.command("end-due")
def end_due() -> None:
    """End the notices whose period is over, by the hall's clock (HALL_CLOCK)."""
    ended = notices_public.end_due(db.session)
    for notice in ended:
        click.echo(f"Ended notice {notice.id} of case {notice.case.case_no}: "
                   f"{notice.objections} objections.")
    click.echo(f"{len(ended)} public notices ended.")


@notices_group.command("list")
@click.option("--hall", default=None, help="Only this hall.")
def list_command(hall: str | None) -> None:
    """The notices running now, with the objections received so far."""
    with refusal_said():
        halls = [get_hall(db.session, hall, typed=True)] if hall else list(
            db.session.scalars(select(Hall).order_by(Hall.code)))
    for found in halls:
        for notice in notices_public.running(db.session, found):
            objections = notices_public.objection_count(db.session, notice.id)
            click.echo(f"{found.code:<6} {notice.id:>5}  {notice.case.case_no}  until "
                       f"{notice.ends_at.isoformat(timespec='minutes')}  "
                       f"{objections} objections  {notice.text}")
