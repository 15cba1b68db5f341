"""Errors as answers: application/problem+json (RFC 9457) for the API, a page for people.

Every refusal has a stable ``code``; the same domain error reads the same in both forms.
"""
from __future__ import annotations

import logging

from flask import Flask, Response, json, render_template, request
from flask_babel import get_locale, gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from hall.errors import N_, HallError, Moment, Term
from hall.messages import Named

from .when import when

log = logging.getLogger(__name__)

PROBLEM_TYPE = "/api/v1/problems/{code}"
_BIGGEST_ID = 2**63 - 1  # SQLite's and PostgreSQL's BIGINT

# Titles for HTTP-level refusals (the request never reached the hall's rules).
_HTTP_CODES = {
    400: ("bad-request", N_("The request could not be understood.")),
    401: ("unauthorized", N_("Please sign in first.")),
    403: ("forbidden", N_("You are not allowed to do this.")),
    404: ("not-found", N_("There is nothing at this address.")),
    405: ("method-not-allowed", N_("This address does not accept that method.")),
    413: ("body-too-large", N_("The request is too large.")),
    415: ("unsupported-media-type", N_("Send the request body as application/json.")),
    429: ("too-many-requests", N_("Too many requests; please wait a moment and try again.")),
    500: ("internal-error", N_("Something went wrong on our side; nothing was changed.")),
    503: ("busy", N_("The hall's system is busy; please try again in a moment.")),
}


def wants_problem_json() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, code: str, title: str, detail: str | None = None,
            **extra: object) -> Response:
    """An application/problem+json response with a stable type and code."""
    body = {"type": PROBLEM_TYPE.format(code=code), "code": code, "title": title,
            "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    body.update(extra)
    response = Response(json.dumps(body, ensure_ascii=False), status=status,
                        mimetype="application/problem+json")
    response.headers["Cache-Control"] = "no-store"
    return response


def refusal(status: int, code: str, title: str, detail: str | None = None,
            **extra: object) -> Response:
    """The same refusal as problem+json under /api, as a readable page elsewhere."""
    if wants_problem_json():
        return problem(status, code, title, detail, **extra)
    html = render_template("errors/refusal.html", status=status, code=code, title=title,
                           detail=detail)
    return Response(html, status=status, mimetype="text/html")


def translate(error: HallError) -> str:
    english = str(get_locale()).startswith("en")
    params = {k: gettext(v) if isinstance(v, Term) else
              when(v.at, v.tz) if isinstance(v, Moment) else
              v.en if isinstance(v, Named) and english else v for k, v in error.params.items()}
    return gettext(error.message, **params)


def register(app: Flask) -> None:
    """Map every way a request can fail to a clear answer, never a bare 500."""

    @app.errorhandler(HallError)
    def hall_error(error: HallError):
        response = refusal(error.status, error.code, translate(error), None,
                           **error.problem_fields())
        retry_after = getattr(error, "retry_after", None)  # a device issuing too fast (429)
        if retry_after:
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return refusal(400, "csrf-failed",
                       gettext("The form has expired. Please go back and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code, title = _HTTP_CODES.get(error.code or 500, ("http-error", error.name))
        response = refusal(error.code or 500, code, gettext(title))
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        retry_after = getattr(error, "retry_after", None)  # a limit (hall/web/limits.py)
        if retry_after:
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.errorhandler(OperationalError)
    def database_busy(error: OperationalError):
        # SQLite answers "database is locked" when another process held it past the busy
        # timeout; the transaction was rolled back, so the visitor can simply try again.
        log.warning("database operational error on %s: %s", request.path, error)
        code, title = _HTTP_CODES[503]
        response = refusal(503, code, gettext(title))
        response.headers["Retry-After"] = "2"
        return response

    @app.errorhandler(OverflowError)
    def number_too_large(error: OverflowError):
        # An integer from the request past the database's range ("Python int too large to
        # convert to SQLite INTEGER"): no row can have it. In the address: nothing there.
        log.info("number out of range on %s: %s", request.path, error)
        in_path = any(isinstance(v, int) and abs(v) > _BIGGEST_ID
                      for v in (request.view_args or {}).values())
        status = 404 if in_path else 400
        code, title = _HTTP_CODES[status]
        return refusal(status, code, gettext(title))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        code, title = _HTTP_CODES[500]
        return refusal(500, code, gettext(title))
