"""``flask outbox …``: the notifications from the server's shell.

    flask outbox send                  (send what is due now, once; the scheduler does it
                                        every NOTIFY_SEND_INTERVAL seconds)
    flask outbox list [--hall HQ] [--status failed]
    flask outbox retry 42 [--by manager]   (send a failed one again; audited)

``retry`` acts as the manager named by ``--by``, or else as "operator", the person at the
server's command line.
"""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from hall import clock, notices, outbox, privacy
from hall.events import Actor
from hall.lookup import get_hall
from hall.models import NotificationStatus, Staff

from ..extensions import db
from .common import refusal_said, run

outbox_group = AppGroup("outbox", help="Notifications to visitors: send, list, send again.")


@outbox_group.command("send")
@click.option("--batch", type=int, default=None, help="At most this many (NOTIFY_BATCH).")
def send(batch: int | None) -> None:
    """Write the "nearly your turn" notices now due, then send what the outbox has due."""
    written = notices.queue_nearly(db.session, clock.now())
    report = outbox.send_due(db.session, current_app.extensions["notify_channels"],
                             clock.now(), batch or current_app.config["NOTIFY_BATCH"])
    click.echo(f"Sent {report.sent}, to retry {report.retrying}, failed {report.failed} "
               f"(claimed {report.claimed}; {written} 'nearly' written).")


def _line(n) -> str:
    to = n.recipient if "@" in n.recipient else privacy.mask_phone(n.recipient)
    error = f"  [{n.last_error[:80]}]" if n.last_error else ""
    return (f"{n.id:>6}  {n.created_at.isoformat(timespec='seconds')}  {n.status:<8} "
            f"{n.attempts}x  {n.kind:<26} {to:<16} {n.text[:60]}{error}")


@outbox_group.command("list")
@click.option("--hall", default=None, help="Only this hall.")
@click.option("--status", type=click.Choice([s.value for s in NotificationStatus]),
              default=None)
@click.option("--limit", type=int, default=100)
def list_command(hall: str | None, status: str | None, limit: int) -> None:
    """The newest notifications first."""
    hall_id = None
    if hall:
        with refusal_said():
            hall_id = get_hall(db.session, hall).id
    for n in outbox.listing(db.session, hall_id=hall_id, status=status, limit=limit):
        click.echo(_line(n))


@outbox_group.command("retry")
@click.argument("notification_id", type=int)
@click.option("--by", "by", default=None, help="The manager acting (username); default: "
                                               "the operator.")
def retry(notification_id: int, by: str | None) -> None:
    """Send a failed (or stuck) notification again, with a full set of tries."""
    actor = outbox.OPERATOR
    if by:
        staff = db.session.scalar(select(Staff).where(Staff.username == by))
        if staff is None or not staff.active:
            raise click.BadParameter(f"{by} is not an active member of staff", param_hint="--by")
        actor = Actor.of(staff)
    n = run(outbox.retry, notification_id, actor=actor)
    click.echo(f"To be sent again: {_line(n)}")
