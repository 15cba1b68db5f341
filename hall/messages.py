"""Words the domain says without a locale: message ids marked for translation, and the
parameters that are words themselves (a term, an instant). The web translates them."""
from __future__ import annotations

from datetime import datetime


def N_(message: str) -> str:
    """Mark a message for translation without translating it here (the domain has no locale)."""
    return message


class Term(str):
    """A parameter that is itself a message id (a status, a move): translated before it is
    put into the sentence, so a Chinese sentence never carries an English word."""


class Named(str):
    """A parameter that is a name kept in both languages (a form field, a list of documents):
    the Chinese is the string itself (what the API and the logs carry), ``en`` is put into an
    English sentence."""

    en: str

    def __new__(cls, zh: str, en: str | None = None) -> Named:
        named = super().__new__(cls, zh)
        named.en = en or zh
        return named


class Moment(str):
    """A parameter that is an instant in a hall's zone: put into the sentence in the
    reader's words ("tomorrow (Tuesday) at 09:00"); as a plain string, ISO 8601."""

    at: datetime
    tz: str

    def __new__(cls, at: datetime, tz: str) -> Moment:
        moment = super().__new__(cls, at.isoformat())
        moment.at, moment.tz = at, tz
        return moment
