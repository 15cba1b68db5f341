"""The public pages: a hall's results, one item's results, the notices running now, and the
objection form of each notice.

The result pages and the list of notices are the same for every reader: tagged (ETag) with
what they were built from and answered 304 to a reader who has them. The objection form
carries a CSRF token and its answer the complaint's codes: never stored by anyone."""
from __future__ import annotations

from flask import make_response, render_template, request
from flask_babel import get_locale

from hall import lookup, notices_public, results
from hall.enquiry_errors import InvalidEnquiryField
from hall.errors import HallError
from hall.notice_errors import InvalidNoticeField
from hall.web import devices
from hall.web.conditional import answered, tag
from hall.web.extensions import db
from hall.web.i18n import canonical
from hall.web.limits import per_address
from hall.web.problems import translate

from . import bp

public_read = devices.public_read
# An objection is a complaint: it spends the budget of sending one (ENQUIRY_RATE_LIMIT per
# address, one counter with the complaint form and the API).
objection_limited = per_address("ENQUIRY_RATE_LIMIT", scope="enquiry")
FIELD_MAX = 1000  # what the form keeps of a field to show it again; the domain checks it


@bp.url_defaults
def _keep_language(endpoint: str, values: dict) -> None:
    """``?lang=en`` stays on every link and form of these pages."""
    if "lang" not in values and canonical(request.args.get("lang")) == "en":
        values["lang"] = "en"


@bp.after_request
def _no_store(response):
    """Only the pages that are the same for everyone (tagged) may be kept, and only by the
    reader's own browser; a form, a refusal and an objection's codes never."""
    if "ETag" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(HallError)
def _refused(error: HallError):
    hall_code = (request.view_args or {}).get("hall")
    html = render_template("results/refused.html", message=translate(error),
                           status=error.status, code=error.code,
                           hall_code=hall_code if error.code != "unknown-hall" else None)
    return html, error.status


def _tagged(kind: str, hall, stamp: object, render):
    key = (kind, hall.code, str(get_locale()), request.full_path)
    return answered(render, tag(key, stamp))


# -- results ------------------------------------------------------------------------------------

def _filters() -> tuple[results.Month | None, int]:
    """The month and page asked for: a bad one is refused before anything is tagged."""
    return results.parse_month(request.args.get("month")), results.parse_page(
        request.args.get("page"))


def _results_page(hall, items, item=None):
    month, page = _filters()
    shown = month or results.this_month(hall)
    return render_template(
        "results/list.html", hall=hall, item=item, items=items, month=month,
        figures=results.figures(db.session, hall, items, shown), figures_month=shown,
        listing=results.listing(db.session, hall, items, month=month, page=page),
        notices=len(notices_public.running(db.session, hall)))


@bp.get("/<hall>")
@public_read
def hall_results(hall: str):
    """Every item of the hall whose results are public: its figures, and the decided cases,
    newest first."""
    found = lookup.get_hall(db.session, hall)
    _filters()
    stamp = (results.stamp(db.session, found), notices_public.stamp(db.session, found))
    return _tagged("results", found, stamp, lambda: _results_page(
        found, results.public_items(db.session, found)))


@bp.get("/<hall>/<item>")
@public_read
def item_results(hall: str, item: str):
    found = lookup.get_hall(db.session, hall)
    chosen = results.public_item(db.session, found, item)
    _filters()
    stamp = (results.stamp(db.session, found), notices_public.stamp(db.session, found))
    return _tagged("item", found, stamp, lambda: _results_page(found, [chosen], chosen))


# -- public notice -----------------------------------------------------------------------------

@bp.get("/<hall>/notices")
@public_read
def notices(hall: str):
    """The notices running now, each with its end and a link to object."""
    found = lookup.get_hall(db.session, hall)
    running = notices_public.running(db.session, found)
    stamp = [(n.id, n.ends_at.isoformat()) for n in running]
    return _tagged("notices", found, stamp, lambda: render_template(
        "results/notices.html", hall=found, notices=running))


def _notice_page(hall, notice, *, values: dict | None = None, error: str | None = None,
                 field: str | None = None, status: int = 200):
    running = notice.id in {n.id for n in notices_public.running(db.session, hall)}
    return make_response(render_template(
        "results/notice.html", hall=hall, notice=notice, running=running, values=values or {},
        error=error, field=field), status)


@bp.get("/<hall>/notices/<int:notice_id>")
@public_read
def notice(hall: str, notice_id: int):
    """One notice and its objection form, while it runs."""
    found = lookup.get_hall(db.session, hall)
    return _notice_page(found, notices_public.get_notice(db.session, found, notice_id))


@bp.post("/<hall>/notices/<int:notice_id>")
@objection_limited
def object_to(hall: str, notice_id: int):
    """File an objection: it opens a complaint, whose codes the objector is given here."""
    found = lookup.get_hall(db.session, hall)
    chosen = notices_public.get_notice(db.session, found, notice_id)
    raw = {k: request.form.get(k, "") for k in ("name", "phone", "email", "body")}
    try:
        made = notices_public.object_to(
            db.session, found.code, chosen.id, name=raw["name"], phone=raw["phone"],
            email=raw["email"], body=raw["body"],
            declared=request.form.get("declared") == "1")
    except HallError as error:
        # the notice's own checks, and the complaint's (name, phone, e-mail)
        field = (error.field if isinstance(error, InvalidNoticeField | InvalidEnquiryField)
                 else None)
        return _notice_page(found, chosen, values={k: v[:FIELD_MAX] for k, v in raw.items()},
                            error=translate(error), field=field, status=error.status)
    return render_template("results/objected.html", hall=found, notice=chosen,
                           complaint=made.complaint)
