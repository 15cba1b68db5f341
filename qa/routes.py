"""The public pages: a hall's Q&A (its latest answers, or the results of a search) and one
answer. Nothing personal is on them (``hall.qa`` publishes none); each read is rate-limited
per address like every public lookup, and a bad query gets a readable page, never a 500."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import get_locale

from hall import lookup, qa
from hall.driver import first_row
from hall.errors import HallError
from hall.qa_errors import InvalidQuery
from hall.web import devices
from hall.web.cache import views
from hall.web.extensions import db
from hall.web.i18n import canonical
from hall.web.problems import translate

from . import bp

public_read = devices.public_read


@bp.url_defaults
def _keep_language(endpoint: str, values: dict) -> None:
    """``?lang=en`` stays on every link and form of these pages."""
    if "lang" not in values and canonical(request.args.get("lang")) == "en":
        values["lang"] = "en"


@bp.errorhandler(HallError)
def _refused(error: HallError):
    hall_code = (request.view_args or {}).get("hall")
    html = render_template("qa/refused.html", message=translate(error), status=error.status,
                           code=error.code,
                           hall_code=hall_code if error.code != "unknown-hall" else None)
    return html, error.status, {"Cache-Control": "no-store"}


@bp.get("/<hall>")
@public_read
def search(hall: str):
    """The search box; with ``q``, the answers and guide items found, best first; without,
    the answers published last."""
    found = lookup.get_hall(db.session, hall)
    given = request.args.get("q")
    if given is None or not given.strip():
        return render_template("qa/search.html", hall=found, query="", results=None,
                               latest=qa.latest(db.session, found), error=None)
    try:
        stamp = qa.stamp_of(first_row(db.engine, qa.STAMP, {"qa_hall": found.code}))
        if stamp is None:  # the hall went between two reads
            return _results(found, given)
        # kept like the API's answer (hall/web/api/qa.py): a bad query raises, kept nowhere
        return views().get(("qa-page", found.code, str(get_locale()), request.full_path),
                           stamp, lambda: _results(found, given))
    except InvalidQuery as error:
        return render_template("qa/search.html", hall=found, query=given[:qa.QUERY_MAX],
                               results=None, latest=[], error=translate(error)), error.status


def _results(found, given: str) -> str:
    results = qa.search(db.session, found.code, given)
    return render_template("qa/search.html", hall=found, query=results.query, results=results,
                           latest=[], error=None)


@bp.get("/<hall>/<int:answer_id>")
@public_read
def answer(hall: str, answer_id: int):
    found = lookup.get_hall(db.session, hall)
    return render_template("qa/answer.html", hall=found,
                           answer=qa.get_published(db.session, found, answer_id))
