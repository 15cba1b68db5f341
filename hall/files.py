"""Uploaded files: the one place every part of the online hall keeps, reads and deletes them.

An online application's documents, a consultation's attachments and a service item's blank
forms are all ``StoredFile`` rows, their bytes in the storage back-end (``hall.storage``)
under a random key. What other parts call:

- ``store(session, hall, owner=…, owner_id=…, label=…, filename=…, data=…, actor=…)`` inside
  their own move (an ``@operation``): the file is checked (``hall.file_checks``: its type from
  its content, its size, a PDF's scripts and bombs, an image's pixels), counted against the
  limits, written, and recorded (``file.stored``). Should the move roll back, the written
  bytes are deleted again; a row is only ever committed after its bytes were written.
- ``files_of``, ``get`` (optionally checking the owner), ``read`` and ``open_bytes``.
- ``may_read(session, file, staff=…, access_ok=…)``: who may read a file. Never the file's id
  alone: a member of staff of the file's hall whom the owning part allows
  (``register_owner``), or the citizen who proved the owner's access code.
- ``retain`` when an application ends without a result (withdrawn, refused): its files are
  kept the legal time (UPLOAD_RETENTION_DAYS), then ``expire`` (a scheduled job and
  ``flask files expire``) deletes their bytes and records ``file.deleted`` for each.

The settings (limits, retention, the back-end) travel with the database engine (``configure``),
as the hall's other settings do (``hall.settings``).
"""
from __future__ import annotations

import hashlib
import logging
import secrets
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, object_session, scoped_session

from . import access, clock, events
from .db import in_write_transaction, operation
from .events import Actor
from .file_checks import Limits, check, sniff  # noqa: F401  (sniff: part of the API)
from .file_errors import (
    FileForbidden,  # noqa: F401  (for the owners' views)
    FileGone,
    FileNotFound,
    FilesTooLargeTogether,
    FileTooLarge,
    TooManyFiles,
    UploadDailyLimit,
)
from .image_scrub import scrub
from .models import Hall, Staff, StoredFile
from .storage import LocalStorage, Storage
from .text import bounded

log = logging.getLogger(__name__)

MB = 1024 * 1024
LABEL_LIMIT = 200
CITIZEN = "citizen"


@dataclass(frozen=True)
class FileSettings:
    """Where files go and how much may come (README, "Uploaded files")."""

    storage: Storage = field(default_factory=lambda: LocalStorage(_default_root()))
    max_bytes: int = 10 * MB              # UPLOAD_MAX_BYTES: one file
    max_files: int = 20                   # UPLOAD_MAX_FILES: files of one owner (a submission)
    max_total_bytes: int = 50 * MB        # UPLOAD_MAX_TOTAL_BYTES: bytes of one owner together
    daily_limit: int = 2000               # UPLOAD_DAILY_LIMIT: per hall and kind of owner, per day
    retention_days: int = 180             # UPLOAD_RETENTION_DAYS: kept after withdrawal/refusal
    limits: Limits = Limits()             # UPLOAD_PDF_MAX_INFLATED, …_RATIO, UPLOAD_MAX_PIXELS


def _default_root() -> Path:
    return Path(__file__).resolve().parents[1] / "instance" / "uploads"


_OPTION = "hall_files"


def configure(engine: Engine, settings: FileSettings) -> None:
    """Every session on ``engine`` keeps files as ``settings`` say from now on."""
    engine.update_execution_options(**{_OPTION: settings})


_DEFAULT: FileSettings | None = None


def settings_of(session: Session | scoped_session) -> FileSettings:
    """The file settings of the engine ``session`` works on (defaults if none were bound)."""
    bound = session.get_bind().get_execution_options().get(_OPTION)
    if bound is not None:
        return bound
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = FileSettings()
    return _DEFAULT


# -- bytes that must not outlive a rolled-back move ------------------------------------------------

_WRITTEN = "hall.files_written"   # (storage, key) written in the open transaction
_DOOMED = "hall.files_doomed"     # (storage, key) to delete once the transaction has committed


@event.listens_for(Session, "after_rollback")
def _forget_written(session: Session) -> None:
    """The move rolled back: its rows are gone, so are the bytes it wrote."""
    session.info.pop(_DOOMED, None)
    for storage, key in session.info.pop(_WRITTEN, ()):
        _delete_quietly(storage, key)


@event.listens_for(Session, "after_commit")
def _settle(session: Session) -> None:
    """The move committed: what it wrote stays, what it deleted goes."""
    session.info.pop(_WRITTEN, None)
    for storage, key in session.info.pop(_DOOMED, ()):
        _delete_quietly(storage, key)


def _delete_quietly(storage: Storage, key: str) -> None:
    try:
        storage.delete(key)
    except Exception:  # a stuck disk must not turn a finished move into an error
        log.exception("could not delete stored bytes %s", key)


def _delete_after_commit(session: Session, storage: Storage, key: str) -> None:
    """Bytes are deleted only once the row saying so is committed: a rolled-back deletion
    leaves a row whose bytes are still there."""
    session.info.setdefault(_DOOMED, []).append((storage, key))


# -- storing ---------------------------------------------------------------------------------

def store(session: Session, hall: Hall, *, owner: str, owner_id: int, label: str,
          filename: str | None, data: bytes, actor: Actor, case=None,
          ticket_id: int | None = None, extra: dict | None = None) -> StoredFile:
    """Check, write and record one file of ``owner`` ``owner_id`` (inside the caller's
    move, which must be a write transaction). ``label`` says what document it is (the
    required document's name); ``filename`` is only shown, never a path. ``case`` or
    ``ticket_id`` put the event on that case's or visit's timeline ("a document was
    uploaded", without its name); ``extra`` adds facts to that event (e.g. the item's
    code)."""
    row = _keep(session, hall, owner=owner, owner_id=owner_id, label=label,
                filename=filename, data=data, actor=actor)
    events.record(session, hall, "file.stored", actor=actor, case=case, ticket_id=ticket_id,
                  file=row.id, owner=owner, owner_id=owner_id, label=row.label,
                  content_type=row.content_type, size=row.size, **(extra or {}))
    return row


def seed(session: Session, hall: Hall, *, owner: str, owner_id: int, label: str,
         filename: str | None, data: bytes, actor: Actor) -> StoredFile:
    """``store`` for seeded data (the demo's blank forms): checked and kept the same way,
    without an event, as the demo's halls and staff are created without one."""
    return _keep(session, hall, owner=owner, owner_id=owner_id, label=label,
                 filename=filename, data=data, actor=actor)


def _keep(session: Session, hall: Hall, *, owner: str, owner_id: int, label: str,
          filename: str | None, data: bytes, actor: Actor) -> StoredFile:
    if not in_write_transaction(session):
        raise RuntimeError("files.store runs inside an @operation's transaction")
    settings = settings_of(session)
    label = bounded(label, "label", LABEL_LIMIT, required=True) or ""
    if len(data) > settings.max_bytes:
        raise FileTooLarge(settings.max_bytes)
    content_type, name = check(data, filename, settings.limits)
    # A photo's GPS position, device and comments are not part of the document: kept without
    # them, and the hash is of what is kept (hall.image_scrub).
    data = scrub(data, content_type)
    _within_limits(session, settings, hall, owner, owner_id, len(data))
    now = clock.now()
    key = secrets.token_hex(16)
    settings.storage.put(key, data)
    session.info.setdefault(_WRITTEN, []).append((settings.storage, key))
    row = StoredFile(hall_id=hall.id, owner=owner, owner_id=owner_id, label=label,
                     original_name=name, content_type=content_type, size=len(data),
                     sha256=hashlib.sha256(data).hexdigest(), storage_key=key, created_at=now,
                     uploaded_by=CITIZEN if actor.staff_id is None else actor.label,
                     uploaded_by_id=actor.staff_id)
    session.add(row)
    session.flush()
    return row


@operation
def store_now(session: Session, hall: Hall, **kwargs) -> StoredFile:
    """``store`` as a move of its own (one transaction), for a caller with nothing else to
    write."""
    return store(session, hall, **kwargs)


def _within_limits(session: Session, settings: FileSettings, hall: Hall, owner: str,
                   owner_id: int, size: int) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # Two uploads to one owner at once count one after the other (SQLite's writes
        # already do: a write transaction there has the database to itself).
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                        {"k": zlib.crc32(f"files:{owner}:{owner_id}".encode())})
    count, total = session.execute(
        select(func.count(), func.coalesce(func.sum(StoredFile.size), 0))
        .where(StoredFile.owner == owner, StoredFile.owner_id == owner_id,
               StoredFile.deleted_at.is_(None))).one()
    if count >= settings.max_files:
        raise TooManyFiles(max=settings.max_files)
    if total + size > settings.max_total_bytes:
        raise FilesTooLargeTogether(settings.max_total_bytes)
    today = _start_of_day(hall)
    stored_today = session.scalar(
        select(func.count()).select_from(StoredFile)
        .where(StoredFile.hall_id == hall.id, StoredFile.owner == owner,
               StoredFile.created_at >= today))
    if (stored_today or 0) >= settings.daily_limit:
        raise UploadDailyLimit()


def _start_of_day(hall: Hall) -> datetime:
    zone = ZoneInfo(hall.timezone)
    day = clock.local_date(clock.now(), hall.timezone)
    return datetime.combine(day, time(0), zone)


# -- reading ---------------------------------------------------------------------------------

def files_of(session: Session, owner: str, owner_id: int) -> list[StoredFile]:
    """The files of ``owner`` ``owner_id`` not deleted, oldest first."""
    return list(session.scalars(
        select(StoredFile).where(StoredFile.owner == owner, StoredFile.owner_id == owner_id,
                                 StoredFile.deleted_at.is_(None))
        .order_by(StoredFile.created_at, StoredFile.id)))


def get(session: Session, file_id: int, *, owner: str | None = None,
        owner_id: int | None = None) -> StoredFile:
    """The file ``file_id`` (deleted ones too: their row stays); FileNotFound when there
    is none, or when it does not belong to ``owner`` ``owner_id`` as the caller says it
    must (a route under an application never serves another's file)."""
    row = session.get(StoredFile, file_id) if isinstance(file_id, int) else None
    if row is None or (owner is not None and row.owner != owner) or (
            owner_id is not None and row.owner_id != owner_id):
        raise FileNotFound()
    return row


def _storage_of(file: StoredFile, session: Session | None) -> Storage:
    session = session or object_session(file)
    if session is None:
        raise RuntimeError("the file is not attached to a session: pass session=")
    return settings_of(session).storage


def read(file: StoredFile, session: Session | None = None) -> bytes:
    """The file's bytes (FileGone once deleted)."""
    if file.deleted_at is not None:
        raise FileGone()
    return _storage_of(file, session).get(file.storage_key)


def open_bytes(file: StoredFile, session: Session | None = None) -> BinaryIO:
    """The file's bytes as a stream to send (FileGone once deleted)."""
    if file.deleted_at is not None:
        raise FileGone()
    return _storage_of(file, session).open(file.storage_key)


# -- who may read ---------------------------------------------------------------------------------

StaffRule = Callable[[Session, StoredFile, Staff], bool]


@dataclass(frozen=True)
class OwnerRules:
    may_staff_read: StaffRule
    public: bool = False


_owners: dict[str, OwnerRules] = {}


def register_owner(owner: str, may_staff_read: StaffRule, *, public: bool = False) -> None:
    """Say which members of staff (of the file's hall) may read the files of ``owner``: the
    owning part knows its cases and divisions. ``public``: anybody may (blank forms). An
    owner nobody registered is read by nobody but the holder of its access code."""
    _owners[owner] = OwnerRules(may_staff_read, public)


def may_read(session: Session, file: StoredFile, *, staff: Staff | None = None,
             access_ok: bool = False) -> bool:
    """Whether the file may be shown: to anyone for a public owner (a form); to the citizen
    who proved the owner's access code (``access_ok``, which the caller checked for this
    file's owner); to an active member of staff of the file's hall (or a provincial manager
    or administrator) whom the owner's rule allows. Never because the id was known."""
    if file.deleted_at is not None:
        return False
    rules = _owners.get(file.owner)
    if rules is not None and rules.public:
        return True
    if access_ok:
        return True
    if staff is None or not staff.active or rules is None:
        return False
    own = staff.hall_id == file.hall_id
    provincial = staff.hall.level == "province" and bool(staff.roles & access.SUPERVISORS)
    if not (own or provincial):
        return False
    return bool(rules.may_staff_read(session, file, staff))


# -- keeping for the legal time, then deleting -----------------------------------------------------

def retain(session: Session, owner: str, owner_id: int, until: datetime | None = None) -> int:
    """Keep the files of ``owner`` ``owner_id`` until ``until`` (by default the legal
    retention time from now), then let ``expire`` delete them. Inside the owner's move (the
    withdrawal, the refusal); returns how many files it concerns."""
    if until is None:
        until = clock.now() + timedelta(days=settings_of(session).retention_days)
    rows = files_of(session, owner, owner_id)
    for row in rows:
        row.retain_until = until
    return len(rows)


def remove(session: Session, file: StoredFile, *, actor: Actor, hall: Hall) -> None:
    """Delete one file now (inside the caller's move, which checked who may): its row stays
    with ``deleted_at``, its bytes go once the move has committed; ``file.removed``."""
    if file.deleted_at is not None:
        raise FileGone()
    file.deleted_at = clock.now()
    _delete_after_commit(session, settings_of(session).storage, file.storage_key)
    events.record(session, hall, "file.removed", actor=actor, file=file.id, owner=file.owner,
                  owner_id=file.owner_id, label=file.label)


@operation
def expire(session: Session, now: datetime | None = None, *, batch: int = 500) -> int:
    """Delete the files whose retention has ended (at most ``batch`` per run): bytes gone
    after the commit, the row kept with ``deleted_at``, and ``file.deleted`` recorded for
    each (the audit log). Safe in several processes at once: a file is taken by one."""
    now = now or clock.now()
    query = (select(StoredFile).where(StoredFile.retain_until <= now,
                                      StoredFile.deleted_at.is_(None))
             .order_by(StoredFile.retain_until, StoredFile.id).limit(batch))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(session.scalars(query))
    storage = settings_of(session).storage
    halls = {h.id: h for h in session.scalars(
        select(Hall).where(Hall.id.in_({r.hall_id for r in rows})))} if rows else {}
    for row in rows:
        row.deleted_at = now
        _delete_after_commit(session, storage, row.storage_key)
        events.record(session, halls[row.hall_id], "file.deleted", actor=events.SYSTEM,
                      file=row.id, owner=row.owner, owner_id=row.owner_id, label=row.label,
                      retain_until=row.retain_until.isoformat()
                      if row.retain_until else None)
    return len(rows)


# -- checking the storage against the rows ------------------------------------------------

@dataclass(frozen=True)
class StorageCheck:
    """Bytes no row names (a process killed between writing and committing), and rows whose
    bytes are missing (a restore of the database without the volume, or the reverse)."""

    orphans: list[str]
    missing: list[int]


def check_storage(session: Session) -> StorageCheck:
    """Compare the rows with what the back-end keeps (it must list its keys: ``keys()``)."""
    storage = settings_of(session).storage
    kept = set(storage.keys()) if hasattr(storage, "keys") else set()
    rows = session.execute(select(StoredFile.id, StoredFile.storage_key, StoredFile.deleted_at))
    named, missing = set(), []
    for file_id, key, deleted_at in rows:
        named.add(key)
        if deleted_at is None and key not in kept:
            missing.append(file_id)
    return StorageCheck(sorted(kept - named), missing)


def delete_orphans(session: Session, keys: list[str]) -> int:
    """Delete the bytes of ``keys`` that still no row names (checked again now)."""
    storage = settings_of(session).storage
    named = set(session.scalars(select(StoredFile.storage_key)
                                .where(StoredFile.storage_key.in_(keys)))) if keys else set()
    doomed = [key for key in keys if key not in named]
    for key in doomed:
        storage.delete(key)
    return len(doomed)
