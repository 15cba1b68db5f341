"""``flask files …``: uploaded files from the server's shell.

    flask files expire     (delete the files whose retention time has passed, now; the
                            scheduler does it every SCHEDULER_INTERVAL seconds)
    flask files check [--delete-orphans]
                           (bytes no row names, rows whose bytes are missing; exit 1 if any
                            row misses its bytes)
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


@files_group.command("check")
@click.option("--delete-orphans", is_flag=True,
              help="Delete the bytes no row names (left by a process killed mid-upload).")
def check(delete_orphans: bool) -> None:
    """Compare the stored files' rows with the bytes in UPLOAD_ROOT (or the back-end)."""
    found = files.check_storage(db.session)
    db.session.rollback()
    click.echo(f"{len(found.orphans)} orphaned byte files, {len(found.missing)} rows "
               f"without their bytes.")
    for file_id in found.missing[:50]:
        click.echo(f"  missing bytes: stored file {file_id}", err=True)
    if delete_orphans and found.orphans:
        deleted = files.delete_orphans(db.session, found.orphans)
        db.session.rollback()
        click.echo(f"Deleted {deleted} orphaned byte files.")
    if found.missing:
        raise SystemExit(1)
