"""``flask device …``: registering and running the hall's devices from the server's shell.

    flask device add --hall HQ --kind kiosk --name "入口取号机 2"      (prints the token, once)
    flask device add --hall HQ --kind rating --name "3号窗口评价器" --window 3 --hours 08:30-17:30
    flask device list [--hall HQ]
    flask device enrol-link 4            (a one-time link for the device's browser)
    flask device lock 4 / unlock 4 / revoke 4
    flask device hours 4 08:00-18:00     ("" for any hour)

Each command is audited: as the administrator named by ``--by``, or else as "operator", the
person at the server's command line.
"""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from hall import devices
from hall.models import Hall

from ..extensions import db
from .common import administrator, run

device_group = AppGroup("device", help="Kiosks, wall displays and rating tablets of a hall.")

BY = click.option("--by", "by", default=None,
                  help="The administrator acting (username); default: the operator.")


def _who(by: str | None):
    return administrator(by) if by else devices.OPERATOR


def _line(device) -> str:
    state = "revoked" if device.revoked else "locked" if device.locked else "in use"
    window = f" window {device.window_no}" if device.window_no else ""
    hours = devices.hours_text(device) or "any hour"
    seen = device.last_seen_at.isoformat(timespec="seconds") if device.last_seen_at else "never"
    return (f"{device.id:>4}  {device.hall.code:<5} {device.kind:<8} {device.name}{window}  "
            f"[{state}; {hours}; last seen {seen}]")


@device_group.command("add")
@click.option("--hall", required=True, help="The hall's code.")
@click.option("--kind", required=True, type=click.Choice(devices.KINDS))
@click.option("--name", required=True, help="What the hall calls it, e.g. 入口取号机 2.")
@click.option("--hours", default="", help="Daily hours of use in hall time, e.g. 08:00-18:00.")
@click.option("--window", "window_no", type=int, help="A rating tablet's window.")
@BY
def add(hall: str, kind: str, name: str, hours: str, window_no: int | None,
        by: str | None) -> None:
    """Register a device and print its token (shown this once)."""
    device, token = run(devices.register, hall, kind=kind, name=name, hours=hours,
                        window_no=window_no, actor=_who(by))
    click.echo(f"Registered: {_line(device)}")
    click.echo("Token (shown once; the device sends it as 'Authorization: Device <token>'):")
    click.echo(token)
    click.echo(f"A browser device is enrolled instead with: flask device enrol-link {device.id}")


@device_group.command("list")
@click.option("--hall", default=None, help="Only this hall.")
def list_devices(hall: str | None) -> None:
    """Every device, revoked ones last."""
    query = select(Hall).order_by(Hall.node_no)
    if hall:
        query = query.where(Hall.code == hall)
    for device in devices.devices_of(db.session, list(db.session.scalars(query))):
        click.echo(_line(device))


@device_group.command("enrol-link")
@click.argument("device_id", type=int)
@click.option("--base", default=None, help="The hall's address as the device reaches it "
                                           "(default: PUBLIC_BASE_URL, else http://HOST:PORT).")
@BY
def enrol_link(device_id: int, base: str | None, by: str | None) -> None:
    """A one-time link that enrols the browser that opens it as this device."""
    hours = current_app.config["DEVICE_ENROL_HOURS"]
    device, code = run(devices.open_enrolment, device_id, hours=hours, actor=_who(by))
    config = current_app.config
    base = (base or config["PUBLIC_BASE_URL"] or f"http://{config['HOST']}:{config['PORT']}")
    click.echo(f"{base.rstrip('/')}/devices/enrol/{code}")
    click.echo(f"Open it once on the device's browser within {hours:g} hours.", err=True)


def _simple(name: str, help_text: str, move, done: str, **fixed):
    @device_group.command(name, help=help_text)
    @click.argument("device_id", type=int)
    @BY
    def command(device_id: int, by: str | None) -> None:
        device = run(move, device_id, actor=_who(by), **fixed)
        click.echo(f"{done}: {_line(device)}")

    return command


_simple("lock", "Refuse the device until it is unlocked (it keeps its credentials).",
        devices.set_locked, "Locked", locked=True)
_simple("unlock", "Let a locked device act again.", devices.set_locked, "Unlocked", locked=False)
_simple("revoke", "End the device for good: token, browser cookie and enrolment link.",
        devices.revoke, "Revoked")


@device_group.command("hours")
@click.argument("device_id", type=int)
@click.argument("hours")
@BY
def hours_command(device_id: int, hours: str, by: str | None) -> None:
    """Set the daily hours of use (hall time), e.g. 08:00-18:00; "" for any hour."""
    device = run(devices.set_hours, device_id, hours, actor=_who(by))
    click.echo(f"Hours set: {_line(device)}")
