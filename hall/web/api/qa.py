"""The public Q&A over the API (issue 15): a search of a hall's published answers and its
service guide together, and one published answer. Public, rate-limited per address like every
public lookup (PUBLIC_RATE_LIMIT); nothing personal is published (``hall.qa``)."""
from __future__ import annotations

from flask import jsonify, request, url_for

from hall import lookup, qa
from hall.qa_errors import UnknownAnswer

from .. import devices
from ..extensions import db
from .common import bp


@bp.get("/halls/<hall>/qa")
@devices.public_read
def qa_search(hall: str):
    """The answers and guide items for ``q``, best first (at most 20)."""
    found = lookup.get_hall(db.session, hall)
    results = qa.search(db.session, found.code, request.args.get("q"))
    hits = []
    for hit in results.hits:
        shown = hit.as_json()
        shown["url"] = (url_for("qa.answer", hall=found.code, answer_id=hit.answer.id)
                        if hit.answer else
                        url_for("guide.page", hall=found.code) + f"#item-{shown['code']}")
        hits.append(shown)
    response = jsonify({"hall": found.code, "query": results.query,
                        "terms": list(results.terms), "hits": hits})
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


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
