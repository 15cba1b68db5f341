"""The device API's blueprint and what its routes share: reading a request body as a model,
and the problem responses of a bad body or a refused token."""
from __future__ import annotations

from typing import TypeVar

from flask import Blueprint, request
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import BadRequest

from ..auth import NotAuthorized
from ..problems import problem

M = TypeVar("M", bound=BaseModel)

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class BadBody(Exception):
    """The body is not the JSON the operation takes; carries the problem response."""

    def __init__(self, response) -> None:
        self.response = response


@bp.errorhandler(BadBody)
def _bad_body(error: BadBody):
    return error.response


@bp.errorhandler(NotAuthorized)
def _not_authorized(error: NotAuthorized):
    return error.response


def parse_body(model: type[M]) -> M:
    """The request's JSON body as ``model``, or a 415/400/422 problem naming what is wrong."""
    if not request.is_json:
        raise BadBody(problem(415, "unsupported-media-type",
                              _("Send the request body as application/json.")))
    try:
        # Not silent: a JSON ``null`` is valid JSON and gets the 422 below, not a 400. A body
        # over MAX_CONTENT_LENGTH raises 413 here, before anything is parsed.
        data = request.get_json()
    except BadRequest:
        raise BadBody(problem(400, "malformed-json",
                              _("The request body is not valid JSON."))) from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]) or "(body)", "message": e["msg"]}
            for e in error.errors(include_url=False, include_input=False)
        ]
        raise BadBody(problem(422, "invalid-request", _("Some fields are missing or invalid."),
                              errors=errors)) from None

