"""What every template may use: the locale, localized names, times in the hall's zone."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask

from hall import numbers

from .i18n import is_english


def local_time(at: datetime | str | None, tz: str = "Asia/Shanghai",
               fmt: str = "%Y-%m-%d %H:%M") -> str:
    if isinstance(at, str):  # an instant from a JSON-ready snapshot
        at = datetime.fromisoformat(at)
    return at.astimezone(ZoneInfo(tz)).strftime(fmt) if at else ""


def localized(obj, field: str = "name") -> str:
    """``obj.name_en`` for English pages, else ``obj.name_zh``; falls back to Chinese."""
    if is_english():
        value = getattr(obj, f"{field}_en", None)
        if value:
            return value
    return getattr(obj, f"{field}_zh")


def in_language(words: dict) -> str:
    """``words["en"]`` for English pages, else ``words["zh"]`` (the catalogue's JSON: the
    documents of a guide, the fields of an item's form)."""
    if is_english() and words.get("en"):
        return str(words["en"])
    return str(words.get("zh") or "")


def register(app: Flask) -> None:
    app.jinja_env.filters["in_language"] = in_language
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["localized"] = localized
    app.jinja_env.filters["grouped"] = numbers.grouped

    @app.context_processor
    def _locale():
        return {"is_english": is_english(), "html_lang": "en" if is_english() else "zh-CN"}
