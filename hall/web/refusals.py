"""The domain's refusals (``HallError``) as answers, mapped in one place.

A refusal a view does not catch reaches the app's handler (``problems.register``):
problem+json under /api, the refusal page elsewhere, with the error's status and code. A page
that answers a refusal its own way says how once, with one of these, instead of a try/except:

- ``flashed()``: the refusal is flashed ("refused") and the view goes on (to its redirect);
  what follows the refused move inside the block is skipped;
- ``answered_by(page)``: the answer is ``page(error)`` (the form again with what to correct,
  a console's JSON…); nothing after the block runs. Statuses in ``error_page_for`` are left
  to the app's handler (a page one may not see says so, not a message on it).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import abort, flash, make_response
from flask.typing import ResponseReturnValue

from hall.errors import HallError

from .problems import translate


@contextmanager
def flashed() -> Iterator[None]:
    try:
        yield
    except HallError as error:
        flash(translate(error), "refused")


@contextmanager
def answered_by(page: Callable[[HallError], ResponseReturnValue], *,
                error_page_for: tuple[int, ...] = ()) -> Iterator[None]:
    try:
        yield
    except HallError as error:
        if error.status in error_page_for:
            raise
        # A response raised as an HTTPException without a code: Flask sends it as it is.
        abort(make_response(page(error)))


@contextmanager
def form_again(page: Callable[[str], ResponseReturnValue]) -> Iterator[None]:
    """The form again with what to correct: ``page(problem)``, the refusal in the reader's
    words, answered 422 (nothing was written)."""
    try:
        yield
    except HallError as error:
        response = make_response(page(translate(error)))
        response.status_code = 422
        abort(response)
