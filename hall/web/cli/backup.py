"""``flask backup [PATH]``: a consistent copy of the SQLite database while the hall runs.

SQLite's online backup API copies the database as one read transaction: in WAL mode that
snapshot includes every committed transaction (those still in the WAL too) and blocks no
writer, so kiosks keep issuing numbers during the copy. The copy is written beside its final
name, checked with ``PRAGMA integrity_check`` and only then renamed into place, so a
half-written file never carries a backup's name. PostgreSQL is backed up with its own tools
(``pg_dump``; see README, "Backups").
"""
from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db


@click.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path | None) -> None:
    """Copy the SQLite database to PATH (default: instance/backups/hall-YYYYMMDD-HHMMSS.db),
    consistently, while the server keeps running."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(
            f"`flask backup` copies SQLite databases; this installation uses "
            f"{url.get_backend_name()}. Back it up with pg_dump, e.g. "
            f"`pg_dump --format=custom --file=hall.dump \"$DATABASE_URL\"` "
            f"(without the +psycopg driver suffix); see README, \"Backups\".")
    source = url.database
    if not source or source == ":memory:" or source.startswith("file::memory:"):
        raise click.ClickException("The database is in memory: there is no file to back up.")
    if path is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = Path(current_app.instance_path) / "backups" / f"hall-{stamp}.db"
    if path.exists():
        raise click.ClickException(f"{path} already exists; give another path.")
    path.parent.mkdir(parents=True, exist_ok=True)
    backup_file(Path(source), path)
    counts = summary(path)
    click.echo(f"Backup written to {path} ({path.stat().st_size:,} bytes; "
               f"integrity ok; {counts}).")


def backup_file(source: Path, target: Path, *, busy_timeout_ms: int = 30_000) -> None:
    """Copy ``source`` to ``target`` with the online backup API; check it before naming it."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=busy_timeout_ms / 1000)
    try:
        dst = sqlite3.connect(partial)
        try:
            # All pages in one step: one read snapshot, so a write that commits meanwhile
            # neither restarts the copy nor half-appears in it.
            src.backup(dst, pages=-1)
            # One self-contained file: no -wal or -shm beside the copy.
            dst.execute("PRAGMA journal_mode=DELETE")
            problems = [row[0] for row in dst.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise click.ClickException(
                    "The copy failed its integrity check: " + "; ".join(problems[:5]))
        finally:
            dst.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    os.replace(partial, target)


def summary(path: Path) -> str:
    """What the copy holds, in a few counts an operator can compare with the hall."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        parts = []
        for table in ("halls", "tickets", "cases", "events"):
            try:
                n = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            except sqlite3.Error:
                continue
            parts.append(f"{n:,} {table}")
    connection.close()
    return ", ".join(parts) or "no hall tables"
