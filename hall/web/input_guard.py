"""Input no part of the hall can use, refused at the door before any view or query sees it.

- A NUL character (``%00``, ``\\u0000``) anywhere in the path, the query string, a form field
  or a JSON string: PostgreSQL cannot store or even compare it ("A string literal cannot
  contain NUL"), and no hall code, number, name or reason ever holds one. So it is one
  refusal here instead of a 500 in fourteen places: 400 (a problem under /api, a page
  elsewhere), or for a JSON body the API's usual 422 naming each field.
- A JSON string with half of a surrogate pair (``"\\ud800"``), which cannot be written as
  UTF-8 to the database or a PDF: the same 422.
- A JSON body nested deeper than ``MAX_JSON_DEPTH`` (32; no request of the hall nests more
  than 2): 400 before it is parsed, since Python's parser would recurse until it fails.

Bodies are at most ``MAX_CONTENT_LENGTH`` (64 KiB) and refused with 413 before this runs.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_babel import gettext as _

from .problems import problem, refusal

NUL = "\x00"


def register(app: Flask) -> None:
    app.before_request(_guard)


def _guard():
    if NUL in request.path or _nul_in_args():
        return _nul_refusal()
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    if request.is_json:
        return _guard_json()
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # A multipart part without a name reaches the form with None for a key: not text.
        if any(NUL in (key or "") or NUL in (value or "")
               for key, value in request.form.items(multi=True)):
            return _nul_refusal()
    return None


def _nul_in_args() -> bool:
    # %00 is decoded only in the parsed arguments; the raw query string holds "%00".
    return any(NUL in key or NUL in value for key, value in request.args.items(multi=True))


def _nul_refusal():
    return refusal(400, "nul-character", _("The request holds a character that cannot be "
                                           "part of any entry (NUL). Please check what was "
                                           "typed."))


def _guard_json():
    raw = request.get_data(cache=True)
    if depth(raw) > current_app.config["MAX_JSON_DEPTH"]:
        return problem(400, "json-too-deep", _("The request body is nested too deeply."))
    body = request.get_json(silent=True)  # malformed JSON: the view's own 400 problem
    bad = list(unusable_strings(body))
    if not bad:
        return None
    errors = [{"field": field or "(body)",
               "message": _("A character that cannot be stored (NUL or half a surrogate "
                            "pair).")} for field in bad]
    return problem(422, "invalid-request", _("Some fields are missing or invalid."),
                   errors=errors)


def depth(raw: bytes) -> int:
    """How deeply ``raw`` JSON nests arrays and objects (brackets inside strings aside),
    counted without parsing it."""
    deepest = level = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            level += 1
            deepest = max(deepest, level)
        elif byte in (0x5D, 0x7D):  # ] }
            level -= 1
    return deepest


def _unusable(text: str) -> bool:
    if NUL in text:
        return True
    try:
        text.encode("utf-8")  # fails on half a surrogate pair only
    except UnicodeEncodeError:
        return True
    return False


def unusable_strings(value, path: str = ""):
    """The dotted paths of keys and strings in ``value`` that no database can store."""
    stack = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            if _unusable(item):
                yield where
        elif isinstance(item, dict):
            for key, inner in item.items():
                name = f"{where}.{key}" if where else str(key)
                if _unusable(str(key)):
                    yield name
                else:
                    stack.append((name, inner))
        elif isinstance(item, list):
            stack.extend((f"{where}.{i}" if where else str(i), inner)
                         for i, inner in enumerate(item))


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site to send someone back to, else None.

    Browsers drop tabs and line breaks from an address and read a backslash as a slash, so
    ``/\\t/evil.example`` or ``/\\evil.example`` would leave the site: any control character,
    space or backslash is refused, as is anything with a scheme or a host."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if any(ch in "\\ " or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
