"""``flask admin …``: what an operator scripts when setting a hall up or running it.

    flask admin add-staff HQ clerk23 --name 王芳 --role clerk --by admin   (asks the password)
    flask admin reset-password clerk23 --by admin
    flask admin deactivate clerk23 --by admin
    flask admin assign-windows clerk23 23 24 --by admin   (the windows they may work)
    flask admin add-window HQ 23 --service EXAM --service TITLE --by admin
    flask admin set-window-services HQ 23 --service AGENCY --by admin
    flask admin add-division HQ AUDIT --name-zh 审计处 --name-en "Audit Division" --by admin
    flask admin set-time-limit HQ EXAM 7 --by admin

Every command acts as the administrator named by ``--by`` and is audited like the pages.
A refusal prints the reason and exits with status 1; nothing is written.
"""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from hall import admin
from hall.models import Hall, ServiceItem

from ..extensions import db
from .common import administrator, run

admin_group = AppGroup("admin", help="Halls, windows, the catalogue and staff accounts.")

BY = click.option("--by", "by", required=True, help="The administrator acting (username).")
PASSWORD = click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
                        help="Asked for when not given, so that it stays out of the shell's "
                             "history.")
SERVICES = click.option("--service", "services", multiple=True,
                        help="Code of an item the window serves. Repeatable.")


@admin_group.command("add-staff")
@click.argument("hall")
@click.argument("username")
@click.option("--name", required=True, help="The person's name as pages show it.")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(["admin", "manager", "clerk", "division"]), help="Repeatable.")
@click.option("--division", help="Code of their division (division staff).")
@PASSWORD
@BY
def add_staff(hall, username, name, roles, division, password, by):
    """Add USERNAME to HALL; they can sign in at once."""
    staff = run(admin.create_staff, hall, username=username, name=name, password=password,
                roles=roles, division=division, actor=administrator(by))
    click.echo(f"{staff.username} ({', '.join(sorted(staff.roles))}) added to {staff.hall.code}.")


@admin_group.command("reset-password")
@click.argument("username")
@PASSWORD
@BY
def reset_password(username, password, by):
    """Give USERNAME a new password; their device tokens end."""
    run(admin.reset_password, username, password=password, actor=administrator(by))
    click.echo(f"New password set for {username}.")


@admin_group.command("deactivate")
@click.argument("username")
@click.option("--again", is_flag=True, help="Reactivate instead.")
@BY
def deactivate(username, again, by):
    """Stop USERNAME signing in (or, with --again, let them sign in again)."""
    run(admin.set_staff_active, username, active=again, actor=administrator(by))
    click.echo(f"{username} {'reactivated' if again else 'deactivated'}.")


@admin_group.command("assign-windows")
@click.argument("username")
@click.argument("windows", nargs=-1, type=int)
@BY
def assign_windows(username, windows, by):
    """The windows clerk USERNAME may work (window numbers of their hall; none: no window)."""
    from hall import assignments

    run(assignments.set_staff_windows, username, windows, actor=administrator(by))
    listed = ", ".join(str(no) for no in sorted(set(windows))) or "none"
    click.echo(f"{username} may work windows: {listed}.")


@admin_group.command("add-window")
@click.argument("hall")
@click.argument("no", type=int)
@click.option("--name-zh")
@click.option("--name-en")
@SERVICES
@BY
def add_window(hall, no, name_zh, name_en, services, by):
    """Add window NO to HALL, serving the items given."""
    window = run(admin.add_window, hall, no=no, name_zh=name_zh, name_en=name_en,
                 services=services, actor=administrator(by))
    served = ", ".join(i.code for i in window.services) or "nothing (out of service)"
    click.echo(f"Window {window.no} added to {hall}; serves {served}.")


@admin_group.command("set-window-services")
@click.argument("hall")
@click.argument("no", type=int)
@SERVICES
@BY
def set_window_services(hall, no, services, by):
    """The items window NO serves; none takes it out of service."""
    window = run(admin.set_window_services, hall, no, services, actor=administrator(by))
    served = ", ".join(i.code for i in window.services) or "nothing (out of service)"
    click.echo(f"Window {no} of {hall} serves {served}.")


@admin_group.command("add-division")
@click.argument("hall")
@click.argument("code")
@click.option("--name-zh", required=True)
@click.option("--name-en", required=True)
@click.option("--phone")
@BY
def add_division(hall, code, name_zh, name_en, phone, by):
    """Add division CODE to HALL."""
    division = run(admin.create_division, hall, code=code, name_zh=name_zh, name_en=name_en,
                   phone=phone, actor=administrator(by))
    click.echo(f"Division {division.code} added to {hall}.")


@admin_group.command("set-time-limit")
@click.argument("hall")
@click.argument("service")
@click.argument("days", type=int)
@click.option("--legal", type=int,
              help="The legal limit too (default: unchanged, raised to DAYS if shorter).")
@BY
def set_time_limit(hall, service, days, legal, by):
    """Set SERVICE's promised time limit to DAYS working days; cases already accepted keep
    theirs."""
    actor = administrator(by)
    item = db.session.scalar(select(ServiceItem).join(Hall).where(
        Hall.code == hall.upper(), ServiceItem.code == service.upper()))
    if legal is None and item is not None:
        legal = max(item.legal_limit_days, days) if days >= 0 else item.legal_limit_days
    run(admin.edit_service, hall, service, time_limit_days=days, legal_limit_days=legal,
        actor=actor)
    click.echo(f"{service.upper()}: {days} working days for cases accepted from now on.")
