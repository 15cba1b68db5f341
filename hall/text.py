"""Free text typed by people, made safe to keep, show and print: one function for every field.

Invisible characters are taken out: the bidirectional controls (U+202A–202E, U+2066–2069,
U+200E/F, U+061C), which can make a receipt read "approved" where the data says otherwise,
the zero-width ones (U+200B–200D, U+2060, U+FEFF), and every other format (Cf), control (Cc)
or lone surrogate (Cs) character, which no printer and no database column wants. What is
left is what a person sees, so nothing visible changes. Length is then checked on what is
kept and an overlong value is refused with its field named, never cut without a word.
"""
from __future__ import annotations

import unicodedata

from .errors import CaseFieldRequired, FieldTooLong

_DROPPED = {"Cc", "Cf", "Cs"}
_KEPT_CONTROLS = {"\n"}


def clean(value: str | None, *, multiline: bool = False) -> str:
    """``value`` without invisible characters, tabs as spaces, trimmed; line breaks kept only
    when ``multiline``."""
    if not value:
        return ""
    text = value.replace("\r\n", "\n").replace("\t", " ")
    if not multiline:
        text = text.replace("\n", " ").replace("\r", " ")
    kept = "".join(ch for ch in text if ch in _KEPT_CONTROLS
                   or unicodedata.category(ch) not in _DROPPED)
    return kept.strip()


def has_invisible(value: str) -> bool:
    """Whether ``value`` holds a character :func:`clean` would take out (line breaks and tabs
    aside)."""
    return any(unicodedata.category(ch) in _DROPPED and ch not in "\n\r\t" for ch in value)


def bounded(value: str | None, field: str, limit: int, *, required: bool = False,
            multiline: bool = False) -> str | None:
    """The cleaned text, None if blank and optional; refused when blank and ``required``
    (CaseFieldRequired) or longer than ``limit`` (FieldTooLong, naming the field)."""
    text = clean(value, multiline=multiline)
    if not text:
        if required:
            raise CaseFieldRequired(field)
        return None
    if len(text) > limit:
        raise FieldTooLong(field, max=limit, given=len(text))
    return text
