"""Putting the domain's message ids into sentences of the page's language.

The domain gives a message id and its parameters; a parameter may itself be a message id
(a ``Term``), a division's name in both languages, or a time, shown in the hall's zone."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext

from hall.errors import Term
from hall.timeline import Name, Step
from hall.web.templating import local_time, localized


def say(words: str, params: dict | None = None, tz: str = "Asia/Shanghai") -> str:
    params = {k: _param(v, tz) for k, v in (params or {}).items()}
    return gettext(words, **params) if params else gettext(words)


def step_text(step: Step, tz: str) -> str:
    return say(step.words, step.params, tz)


def _param(value, tz: str):
    if isinstance(value, Term):
        return gettext(value)
    if isinstance(value, Name):
        return localized(value)
    if isinstance(value, datetime):
        return local_time(value, tz)
    return value
