"""``flask files …``: uploaded files from the server's shell.

    flask files expire     (delete the files whose retention time has passed, now; the
                            scheduler does it every SCHEDULER_INTERVAL seconds)
"""
from __future__ import annotations

import click
from flask.cli import AppGroup

from hall import clock, files

from ..extensions import db

files_group = AppGroup("files", help="Uploaded files: delete those past their retention time.")


@files_group.command("expire")
def expire() -> None:
    """Delete the bytes of files kept past their retention time (each one audited)."""
    total = 0
    while True:
        done = files.expire(db.session, clock.now())
        total += done
        if not done:
            break
    click.echo(f"Deleted {total} files past their retention time.")
