"""Conditional GET for the public reads (#13.2): an ``ETag`` on what is the same for every
reader, and ``304 Not Modified`` to a reader who already has it.

Phones and kiosks poll the queue and their ticket every few seconds; most polls find nothing
changed. The tag is derived from what the answer was built from (the hall's floor sequence,
the visit's last event: ``progress.stamp``) and the words it was built in, so a poll costs
one indexed read and a comparison, and the answer's body is not even sent. ``private,
no-cache``, not ``no-store``: the reader's own browser may keep a public answer (no proxy
may) but must ask each time whether it is still current. Answers with personal data (the
access code given) never get here: they stay
``no-store``.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Response, make_response, request


def tag(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


def revalidated(body, etag: str) -> Response:
    """``body`` (a view's return value) as a response tagged ``etag``; 304 if the reader
    already holds that tag."""
    response = make_response(body)
    response.set_etag(etag, weak=True)
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")  # the language may come from the session
    response.make_conditional(request)  # in place: 304 and no body when the tag matches
    return response


def answered(render: Callable[[], object], etag: str) -> Response:
    """As ``revalidated``, the body rendered only for a reader who does not hold ``etag``."""
    if request.if_none_match.contains_weak(etag):
        return revalidated("", etag)
    return revalidated(render(), etag)
