"""Where the bytes of uploaded files live: a small interface, and the local disk behind it.

The hall keeps a file's facts in the database (``StoredFile``) and its bytes in a storage
back-end under a random key (32 hex digits) that no visitor ever chose, so no name typed by
anybody becomes a path. The built-in back-end is ``LocalStorage``: a directory outside the
web root (``UPLOAD_ROOT``, by default ``instance/uploads``), which production can point at a
shared volume that every server mounts. Another back-end (an object store) is a class with
the same five methods, named by ``UPLOAD_STORAGE`` as ``package.module:Class`` and built
with the root setting (see ``from_setting``).
"""
from __future__ import annotations

import importlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

KEY = re.compile(r"^[0-9a-f]{32}$")


@runtime_checkable
class Storage(Protocol):
    """What the hall asks of a place that keeps bytes under keys."""

    def put(self, key: str, data: bytes) -> None:
        """Keep ``data`` under ``key``, whole or not at all (a reader never sees half)."""

    def get(self, key: str) -> bytes:
        """The bytes under ``key`` (FileNotFoundError if there are none)."""

    def open(self, key: str) -> BinaryIO:
        """The bytes under ``key`` as a stream to read (and close)."""

    def delete(self, key: str) -> None:
        """Forget ``key``; nothing happens if it is not there."""

    def exists(self, key: str) -> bool:
        """Whether bytes are kept under ``key``."""


class BadKey(ValueError):
    """A key that is not one the hall makes: never turned into a path."""


def check_key(key: str) -> str:
    if not isinstance(key, str) or not KEY.match(key):
        raise BadKey(repr(key))
    return key


class LocalStorage:
    """Files in a directory: ``<root>/<first two hex digits>/<key>``, readable by the
    server's user only (0600, directories 0700). Writing goes to a temporary file in the same
    directory, synced, then renamed over the key: atomic on one file system, so a crash
    leaves the old state or the new one, never half a file."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def path(self, key: str) -> Path:
        key = check_key(key)
        return self.root / key[:2] / key

    def put(self, key: str, data: bytes) -> None:
        target = self.path(key)
        if not target.parent.is_dir():
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            target.parent.mkdir(mode=0o700, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, target)
        except BaseException:
            try:
                os.unlink(temporary)
            except FileNotFoundError:
                pass
            raise

    def get(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def delete(self, key: str) -> None:
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            pass

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def keys(self) -> list[str]:
        """Every key kept (for a check of orphans; not for the hot path)."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.glob("??/*") if KEY.match(p.name))


BACKENDS = {"local": LocalStorage}


def from_setting(name: str, root: str | os.PathLike[str]) -> Storage:
    """The back-end ``UPLOAD_STORAGE`` names: ``local``, or ``package.module:Class`` (a class
    or factory taking the root setting, e.g. a bucket's address)."""
    name = (name or "local").strip()
    if name in BACKENDS:
        return BACKENDS[name](root)
    module, _, attribute = name.partition(":")
    if not module or not attribute:
        raise ValueError(f"UPLOAD_STORAGE must be 'local' or 'package.module:Class', not {name!r}")
    backend = getattr(importlib.import_module(module), attribute)(root)
    if not isinstance(backend, Storage):
        raise ValueError(f"UPLOAD_STORAGE {name!r} lacks put, get, open, delete or exists")
    return backend
