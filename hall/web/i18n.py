"""Which language a page speaks: Chinese first, English on request."""
from __future__ import annotations

from functools import cache

from babel import Locale
from flask import Blueprint, redirect, request, session, url_for

from .input_guard import local_path

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
_ALIASES = {"zh": "zh_CN", "zh-cn": "zh_CN", "zh_cn": "zh_CN", "en": "en", "en-us": "en",
            "en_us": "en", "en-gb": "en"}

bp = Blueprint("i18n", __name__)


def canonical(code: str | None) -> str | None:
    return _ALIASES.get((code or "").strip().lower())


def select_locale() -> Locale:
    """The locale of this request, parsed once per process (Flask-Babel would parse the
    name on every request, a quarter of a tracking page's time)."""
    return locale_of(_locale_name())


@cache
def locale_of(name: str) -> Locale:
    return Locale.parse(name)


def _locale_name() -> str:
    """``?lang=`` on this request, else the visitor's earlier choice, else Chinese.

    The browser's Accept-Language is deliberately ignored: the hall's working language is
    Chinese whatever the kiosk's or phone's settings say; English is a visible choice."""
    chosen = canonical(request.args.get("lang"))
    if chosen:
        return chosen
    if request.path.startswith("/api/"):
        # Devices and outside clients say what they want the way HTTP clients do.
        best = request.accept_languages.best_match(["zh-CN", "zh", "en"])
        return canonical(best) or DEFAULT_LOCALE
    return session.get("lang") or DEFAULT_LOCALE


def is_english() -> bool:
    from flask_babel import get_locale

    return str(get_locale()).startswith("en")


@bp.get("/lang/<code>")
def choose(code: str):
    """Remember a language choice for this browser and go back where the visitor was."""
    locale = canonical(code)
    if locale:
        session["lang"] = locale
    # Only local paths: never redirect a visitor off the hall's site.
    target = local_path(request.args.get("next") or "/") or url_for("tracking.lookup")
    return redirect(target)
