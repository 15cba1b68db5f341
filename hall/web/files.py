"""Uploaded files on the web: reading an upload within its limit, and sending a stored file
so that a browser shows it and never runs it.

For the routes of the online hall (applications, questions, forms):

- ``@accepts_uploads`` on a view lets its requests be as large as UPLOAD_REQUEST_MAX_BYTES
  (the rest of the hall keeps MAX_CONTENT_LENGTH, 64 KiB); a larger request is answered 413,
  a page or problem+json, before anything is parsed.
- ``read_upload(storage)`` turns a werkzeug ``FileStorage`` into ``(filename, bytes)``,
  reading at most UPLOAD_MAX_BYTES + 1 bytes: an oversized file is refused without being
  read whole (``FileTooLarge``, 413).
- ``send_stored(file)`` answers with the file's own type (sniffed when it was stored),
  ``inline`` with its display name, and headers that keep a hostile file harmless: no type
  sniffing, a sandbox for anything rendered, never cached by a shared cache.
- ``upload_limited``: uploads per address (UPLOAD_RATE_LIMIT), on top of the domain's
  limits per submission and per day.
"""
from __future__ import annotations

from urllib.parse import quote

from flask import Flask, Request, Response, current_app
from werkzeug.datastructures import FileStorage

from hall import files
from hall.file_checks import Limits
from hall.file_errors import FileEmpty, FileTooLarge
from hall.models import StoredFile
from hall.storage import from_setting

from .extensions import db
from .limits import per_address

_CHUNK = 64 * 1024

# What a stored file may do once a browser shows it: nothing (no script, no form, no plugin,
# not the hall's origin); the hall's own pages may frame it (the division's pre-review).
SANDBOX = ("sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
           "frame-ancestors 'self'")

upload_limited = per_address("UPLOAD_RATE_LIMIT", scope="upload")


def init_app(app: Flask) -> None:
    """Bind the file settings to the app's engine, and let marked views take larger bodies."""
    config = app.config
    settings = files.FileSettings(
        storage=from_setting(config["UPLOAD_STORAGE"], config["UPLOAD_ROOT"]),
        max_bytes=int(config["UPLOAD_MAX_BYTES"]),
        max_files=int(config["UPLOAD_MAX_FILES"]),
        max_total_bytes=int(config["UPLOAD_MAX_TOTAL_BYTES"]),
        daily_limit=int(config["UPLOAD_DAILY_LIMIT"]),
        retention_days=int(config["UPLOAD_RETENTION_DAYS"]),
        limits=Limits(pdf_max_inflated=int(config["UPLOAD_PDF_MAX_INFLATED"]),
                      pdf_max_ratio=int(config["UPLOAD_PDF_MAX_RATIO"]),
                      max_pixels=int(config["UPLOAD_MAX_PIXELS"])))
    with app.app_context():
        files.configure(db.engine, settings)
    app.request_class = UploadRequest


def accepts_uploads(view):
    """Mark a view whose requests carry files: they may be UPLOAD_REQUEST_MAX_BYTES large."""
    view.accepts_uploads = True
    return view


class UploadRequest(Request):
    """Flask's request, whose size limit is UPLOAD_REQUEST_MAX_BYTES for a view marked with
    ``accepts_uploads``. Decided when the body is first parsed (by CSRF, the input guard or
    the view), from the matched view, so no hook's order matters."""

    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        if self._max_content_length is not None:  # type: ignore[attr-defined]
            return self._max_content_length  # type: ignore[attr-defined]
        if not current_app:
            return super().max_content_length
        view = current_app.view_functions.get(self.endpoint or "")
        if view is not None and getattr(view, "accepts_uploads", False):
            return int(current_app.config["UPLOAD_REQUEST_MAX_BYTES"])
        return current_app.config["MAX_CONTENT_LENGTH"]

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def read_upload(upload: FileStorage | None, *, max_bytes: int | None = None
                ) -> tuple[str, bytes]:
    """The name the browser gave and the bytes of one uploaded file, read a chunk at a time
    and refused (FileTooLarge) as soon as it passes the limit; FileEmpty if none was chosen."""
    limit = max_bytes if max_bytes is not None else int(current_app.config["UPLOAD_MAX_BYTES"])
    if upload is None or (not upload.filename and not upload.content_length):
        raise FileEmpty()
    chunks, size = [], 0
    while True:
        chunk = upload.stream.read(_CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise FileTooLarge(limit)
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise FileEmpty()
    return upload.filename or "", data


def content_disposition(name: str, *, attachment: bool = False) -> str:
    """``inline`` (or ``attachment``) with the display name in RFC 5987 form, and an ASCII
    fallback for old clients."""
    fallback = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\;'
                       else "_" for ch in name) or "file"
    kind = "attachment" if attachment else "inline"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def send_stored(file: StoredFile, *, attachment: bool = False, public: bool = False
                ) -> Response:
    """The stored file as a response that shows it and cannot harm: its sniffed type, no
    sniffing by the browser, a sandbox (no script, no form, no same origin) for whatever
    renders it, not framed by another site, never in a shared cache (``public``: a blank
    form, which any cache may keep a little)."""
    stream = files.open_bytes(file, db.session)
    response = Response(_chunks(stream), mimetype=file.content_type, direct_passthrough=True)
    response.content_length = file.size
    response.headers["Content-Disposition"] = content_disposition(file.original_name,
                                                                  attachment=attachment)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    response.headers["ETag"] = f'"{file.sha256}"'
    return response


def _chunks(stream):
    try:
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            yield chunk
    finally:
        stream.close()
