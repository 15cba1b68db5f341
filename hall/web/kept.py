"""The public reads answered before Flask, from the answer Flask gave last time (#13.2).

The public queue of a hall and the public view of a visit (its page and its API answer) are
polled by phones and kiosks every few seconds and change far less often. Flask already keeps
their rendered views (``hall.web.cache``) and tags them (``conditional``), but a request
still costs Flask's whole round: request context, session, hooks, routing, response object;
three quarters of a kept read's time. This WSGI layer, just inside the proxy fix, answers
such a request itself when it holds the very answer Flask gave for it:

- the same route, key (hall or service number), language and query string;
- the same stamp, read afresh on every request with the view's own query (the hall's floor
  sequence and day, ``progress.stamp`` for a visit): a move made by any process is seen by
  the next read, exactly as in the view;
- the same per-address rate limit, one counter shared with the view (``limits.hit``);
- ``304`` to a reader who holds its ETag, as ``Response.make_conditional`` answers.

It replays the headers Flask sent (security headers, ``Vary``, ``Cache-Control``, ``ETag``)
with a fresh ``Date`` and request id, and writes the same access line. Anything else goes to
Flask untouched: another method or query, an access code (header or ``?code=``/``?c=``),
a cookie other than a plain visitor's session, a session that is signed in or permanent,
conditional headers other than ``If-None-Match``, a refused limit, a stamp that moved. What
Flask answers with ``200`` and no cookie, for a request this layer could have answered, is
kept for next time: views mark such answers (``mark``), and nothing unmarked is ever kept,
so personal answers never are.
"""
from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from werkzeug.datastructures import LanguageAccept
from werkzeug.http import (
    http_date,
    parse_accept_header,
    parse_cookie,
    parse_etags,
    remove_entity_headers,
    unquote_etag,
)

from hall import board, progress
from hall.driver import first_row

from . import logs
from .cache import Views
from .i18n import DEFAULT_LOCALE, canonical, locale_of
from .limits import COUNTED, hit

MARK = "hall.kept"  # where a view marks an answer that is the same for every reader
_SANE_ID = logs.SANE_REQUEST_ID
# Headers that are the request's own, never replayed.
_OWN = frozenset(("date", "x-request-id"))
# A plain visitor's session: a language chosen, perhaps a form's CSRF token, Flask-Login's
# "_fresh" (false for nobody signed in). Anything more (signed in, a permanent session that
# Flask refreshes) is Flask's to answer.
_VISITOR_SESSION = frozenset(("lang", "csrf_token", "_fresh"))
# Headers that make a request Flask's alone: conditions other than If-None-Match, ranges,
# and the access code (a private answer).
_FLASKS_ALONE = ("HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_RANGE", "HTTP_RANGE",
                 "HTTP_X_ACCESS_CODE")


def mark(stamp: tuple, locale: str) -> None:
    """(In a view) this answer is the same for every reader while ``stamp`` holds."""
    from flask import request

    slot = request.environ.get(MARK)
    if slot is not None:  # a list: Flask-SocketIO's middleware hands Flask a copy of environ
        slot.append((stamp, locale))


@dataclass(frozen=True)
class Route:
    kind: str             # "queue", "api" or "page"
    pattern: re.Pattern
    api: bool             # the language from Accept-Language, not the session
    limit: tuple[str, str]  # (the setting, the scope): the view's own per-address limit
    # (the query, its parameter, the stamp of its row): what the view checks, the same
    stamp: tuple[Any, str, Callable]


_TRACK = ("TRACK_RATE_LIMIT", "track")
_VISIT = (progress.STAMP_QUERY, "number", progress.stamp_of)
ROUTES = (
    Route("queue", re.compile(r"/api/v1/halls/([A-Za-z0-9_-]{1,16})/queue"), True,
          ("PUBLIC_RATE_LIMIT", "public"),
          (board.QUEUE_STAMP, "queue_hall", board.queue_stamp_of)),
    Route("api", re.compile(r"/api/v1/track/([0-9]{15})"), True, _TRACK, _VISIT),
    Route("page", re.compile(r"/track/([0-9]{15})"), False, _TRACK, _VISIT),
)


@lru_cache(maxsize=256)
def _api_locale(accept_language: str) -> str:
    """As ``i18n._locale_name`` reads Accept-Language on the API (header values are few)."""
    best = parse_accept_header(accept_language, LanguageAccept).best_match(["zh-CN", "zh", "en"])
    return canonical(best) or DEFAULT_LOCALE


@dataclass(frozen=True)
class Kept:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str


class KeptAnswers:
    """WSGI middleware: ``KeptAnswers(wsgi_app, flask_app, engine)``."""

    def __init__(self, wsgi_app, flask_app, engine) -> None:
        self.wsgi_app, self.flask_app, self.engine = wsgi_app, flask_app, engine
        self.kept = Views()  # same bounds as the rendered views: 10,000, a minute at most
        self._access = flask_app.extensions.get("access_log", False)

    def __call__(self, environ, start_response):
        found = self._route(environ) if environ.get("REQUEST_METHOD") == "GET" else None
        if found is None:
            return self.wsgi_app(environ, start_response)
        route, key = found
        if hit(self.flask_app.config[route.limit[0]], environ.get("REMOTE_ADDR") or "",
               route.limit[1]) is not None:
            return self.wsgi_app(environ, start_response)  # Flask answers the 429
        environ[COUNTED] = route.limit[1]  # counted: the view must not count it again
        query, param, stamp_of = route.stamp
        try:
            stamp = stamp_of(first_row(self.engine, query, {param: key[1]}))
        except Exception:  # noqa: BLE001 - whatever went wrong, Flask answers it properly
            return self.wsgi_app(environ, start_response)
        kept = self.kept.peek(key, stamp) if stamp is not None else None
        if kept is None:
            return self._through(environ, start_response, key)
        return self._replay(environ, start_response, kept)

    # -- which requests ----------------------------------------------------------------------

    def _route(self, environ) -> tuple[Route, tuple] | None:
        if any(name in environ for name in _FLASKS_ALONE):
            return None
        path = environ.get("PATH_INFO", "")
        for route in ROUTES:
            match = route.pattern.fullmatch(path)
            if match is not None:
                break
        else:
            return None
        query = environ.get("QUERY_STRING", "")
        name = self._locale(environ, route, query)
        if name is None:
            return None
        # as the view names it (str(get_locale()): zh_CN is zh_Hans_CN)
        return route, (route.kind, match.group(1), str(locale_of(name)), query)

    def _locale(self, environ, route: Route, query: str) -> str | None:
        """The language Flask would answer in, or None if this request is Flask's."""
        session = self._visitor_session(environ.get("HTTP_COOKIE"))
        if session is None:
            return None
        if query:  # only a language choice: ?lang=en
            name, _, value = query.partition("=")
            chosen = canonical(value) if name == "lang" and "&" not in value else None
            return chosen  # an unknown language or another parameter: Flask's
        if route.api:
            return _api_locale(environ.get("HTTP_ACCEPT_LANGUAGE", ""))
        return session.get("lang") or DEFAULT_LOCALE

    def _visitor_session(self, cookie: str | None) -> dict | None:
        if not cookie:
            return {}
        app = self.flask_app
        cookies = parse_cookie(cookie)
        name = app.config["SESSION_COOKIE_NAME"]
        if set(cookies) - {name}:
            return None  # a device's, a remembered sign-in's: Flask's to renew or drop
        serializer = app.session_interface.get_signing_serializer(app)
        if serializer is None:
            return None
        try:
            data = serializer.loads(cookies[name],
                                    max_age=int(app.permanent_session_lifetime.total_seconds()))
        except Exception:  # noqa: BLE001 - a bad signature: Flask starts a new session
            return None
        if not isinstance(data, dict) or set(data) - _VISITOR_SESSION:
            return None
        return data

    # -- answers -----------------------------------------------------------------------------

    def _replay(self, environ, start_response, kept: Kept):
        started = time.perf_counter()
        given = environ.get("HTTP_X_REQUEST_ID", "")
        rid = given if _SANE_ID.match(given) else uuid.uuid4().hex
        headers = [*kept.headers, ("Date", http_date()), (logs.HEADER, rid)]
        status, body = kept.status, kept.body
        if parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains_weak(kept.etag):
            status, body = "304 NOT MODIFIED", b""
            remove_entity_headers(headers)
        start_response(status, headers)
        if self._access:
            logs.access_line("GET", environ.get("PATH_INFO", ""), int(status[:3]),
                             (time.perf_counter() - started) * 1000,
                             environ.get("REMOTE_ADDR"), rid)
        return [body]

    def _through(self, environ, start_response, key: tuple):
        """Flask answers; a marked 200 in this request's language is kept."""
        seen: list = []

        def capture(status, headers, exc_info=None):
            seen[:] = [status, headers]
            return start_response(status, headers, exc_info) if exc_info else \
                start_response(status, headers)

        slot: list = []
        environ[MARK] = slot
        answer = self.wsgi_app(environ, capture)
        mark = slot[-1] if slot else None
        if (mark is None or not seen or not seen[0].startswith("200")
                or mark[1] != key[2]
                or any(name.lower() == "set-cookie" for name, _ in seen[1])):
            return answer
        try:
            body = b"".join(answer)
        finally:
            if hasattr(answer, "close"):
                answer.close()
        headers = [(n, v) for n, v in seen[1] if n.lower() not in _OWN]
        etag = next((v for n, v in headers if n.lower() == "etag"), None)
        if etag is not None:  # every public read is tagged (conditional.revalidated)
            self.kept.put(key, mark[0], Kept(seen[0], headers, body, unquote_etag(etag)[0]))
        return [body]
