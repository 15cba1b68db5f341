"""The public Q&A over the API (issue 15): a search of a hall's published answers and its
service guide together, and one published answer. Public, rate-limited per address like every
public lookup (PUBLIC_RATE_LIMIT); nothing personal is published (``hall.qa``)."""
from __future__ import annotations

from flask import Response, json, jsonify, request, url_for
from flask_babel import get_locale

from hall import lookup, qa
from hall.driver import first_row
from hall.qa_errors import UnknownAnswer
from hall.web.cache import views

from .. import devices
from ..extensions import db
from .common import bp


@bp.get("/halls/<hall>/qa")
@devices.public_read
def qa_search(hall: str):
    """The answers and guide items for ``q``, best first (at most 20). A search asked before
    is answered from memory while the hall has published and withdrawn nothing since
    (``hall.qa.STAMP``; a changed guide shows within a minute), like the answer's
    ``max-age``."""
    query = request.args.get("q")
    stamp = qa.stamp_of(first_row(db.engine, qa.STAMP, {"qa_hall": hall}))
    if stamp is None:  # an unknown hall (its refusal), or its code written otherwise
        body = _search_json(hall, query)
    else:
        key = ("qa-api", hall, query, str(get_locale()))
        body = views().get(key, stamp, lambda: _search_json(hall, query))
    response = Response(body, mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


def _search_json(hall: str, query: str | None) -> bytes:
    found = lookup.get_hall(db.session, hall)
    results = qa.search(db.session, found.code, query)  # a bad query: its 400, kept nowhere
    hits = []
    for hit in results.hits:
        shown = hit.as_json()
        shown["url"] = (url_for("qa.answer", hall=found.code, answer_id=hit.answer.id)
                        if hit.answer else
                        url_for("guide.page", hall=found.code) + f"#item-{shown['code']}")
        hits.append(shown)
    return json.dumps({"hall": found.code, "query": results.query,
                       "terms": list(results.terms), "hits": hits}, ensure_ascii=False).encode()


@bp.get("/halls/<hall>/qa/<answer>")
@devices.public_read
def qa_answer(hall: str, answer: str):
    """One published answer."""
    found = lookup.get_hall(db.session, hall)
    if not (answer.isdigit() and len(answer) <= 9):  # the API's paths name no converter
        raise UnknownAnswer()
    response = jsonify(qa.answer_json(qa.get_published(db.session, found, int(answer))))
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
