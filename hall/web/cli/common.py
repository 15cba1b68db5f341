"""What the command-line tasks share: the administrator acting, and a refusal said once.

A refusal of the hall's rules prints "Refused: " and the reason (with every problem it carries)
on stderr and exits with status 1; nothing was written."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy import select

from hall.errors import HallError
from hall.events import Actor
from hall.models import Staff

from ..extensions import db


def administrator(username: str) -> Actor:
    """The active administrator ``--by`` names, as the actor of the task."""
    staff = db.session.scalar(select(Staff).where(Staff.username == username))
    if staff is None or not staff.active or not staff.has_role("admin"):
        raise click.BadParameter(f"{username} is not an active administrator", param_hint="--by")
    return Actor.of(staff)


@contextmanager
def refusal_said() -> Iterator[None]:
    try:
        yield
    except HallError as error:
        click.echo(f"Refused: {error}", err=True)
        for problem in getattr(error, "problems", ()):
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(1) from None


def run(operation, *args, **kwargs):
    """The operation on this app's session, or its refusal said."""
    with refusal_said():
        return operation(db.session, *args, **kwargs)
