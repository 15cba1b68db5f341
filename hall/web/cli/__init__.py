"""Command-line tasks for operators: ``flask seed-demo`` and friends."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from hall import demo, demo_qa
from hall.models import Hall

from ..extensions import db


def register(app: Flask) -> None:
    from .admin import admin_group
    from .backup import backup_command
    from .booking import booking_group
    from .calendar import calendar_group
    from .devices import device_group
    from .enquiry import enquiry_group  # issue 15: questions and complaints
    from .files import files_group
    from .hours import hours_group
    from .notices import notices_group  # issue 15: public notices (公示)
    from .outbox import outbox_group
    from .reports import end_of_day_command

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(calendar_group)
    app.cli.add_command(admin_group)
    app.cli.add_command(end_of_day_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(device_group)
    app.cli.add_command(hours_group)
    app.cli.add_command(outbox_group)
    app.cli.add_command(booking_group)
    app.cli.add_command(door_code_command)
    app.cli.add_command(enquiry_group)
    app.cli.add_command(files_group)  # issue 15: uploaded files
    app.cli.add_command(notices_group)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True,
              help="Do nothing when the database already holds a hall (used by `make run`).")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo halls, catalogue, divisions and accounts (safe to run twice)."""
    if if_empty and db.session.scalar(select(func.count()).select_from(Hall)):
        click.echo("Database already has halls; demo data not loaded.")
        return
    report = demo.seed_demo(db.session, password=current_app.config["DEMO_PASSWORD"],
                            pending_application=True)
    click.echo(f"Demo data: {report}")
    click.echo(f"Public Q&A: {demo_qa.seed_demo_answers(db.session)} answers published")
    click.echo("Demo accounts (password: the DEMO_PASSWORD setting, 'demo' by default):")
    for account in demo.DEMO_ACCOUNTS:
        click.echo(f"  {account.username:<14} {account.hall:<4} {','.join(account.roles):<9} "
                   f"{account.duty}")


@click.command("door-code")
@click.argument("hall_code")
@click.option("--base", default=None, help="The hall's public address (default: "
                                           "PUBLIC_BASE_URL, else http://HOST:PORT).")
@with_appcontext
def door_code_command(hall_code: str, base: str | None) -> None:
    """Today's address of the hall's door QR code (queueing from home): it changes daily."""
    from hall import clock
    from hall.lookup import get_hall
    from remote.routes import door_url

    from .common import run

    hall = run(get_hall, hall_code, typed=True)
    config = current_app.config
    base = base or config["PUBLIC_BASE_URL"] or f"http://{config['HOST']}:{config['PORT']}"
    today = clock.local_date(clock.now(), hall.timezone)
    click.echo(door_url(base, hall.code, today, config["SECRET_KEY"]))
    click.echo(f"Valid on {today.isoformat()} only (the hall's date); print it each morning.",
               err=True)
