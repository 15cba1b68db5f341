"""What the division console offers on a case: each action as a form read into one move of
``hall.cases``, which actions a state allows, and the case's history in words.

Kept apart from the routes so that the table of actions reads in one place, as the window's
moves do in ``moves.py``.
"""
from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from hall import cases, kinds
from hall.casefile import Entry
from hall.errors import N_, ConfirmationRequired, HallError
from hall.events import Actor
from hall.models import Case, Role, Staff

from ..event_words import Names, actor_name, history_detail, kind_name

# Names of states and procedures on the staff's pages (hall.kinds has every audience's words).
STATE_NAMES = {code: words.title for code, words in kinds.CASE_STATE_WORDS.items()}
SPECIAL_NAMES = {code: words.title for code, words in kinds.PROCEDURE_WORDS.items()}
OUTCOME_NAMES = {"approved": N_("Approved"), "rejected": N_("Rejected")}


class ChooseOutcome(HallError):
    status = 422
    code = "choose-outcome"
    message = N_("Choose whether the application is approved or rejected.")


def _text(form: MultiDict, name: str) -> str:
    return (form.get(name) or "").strip()


def _days(form: MultiDict) -> int:
    """A number typed in; anything else is 0, which the move refuses with its own words."""
    try:
        return int(_text(form, "days"))
    except ValueError:
        return 0


def _confirmed(form: MultiDict) -> None:
    """A move that cannot be undone (a decision, a withdrawal) is made only with its box
    ticked: a required checkbox, so the confirmation works without any script, and is
    checked here too, for a browser that sends the form without it."""
    if _text(form, "confirm") != "1":
        raise ConfirmationRequired()


def _decide(s, case_id: int, form: MultiDict, actor: Actor) -> Case:
    outcome = _text(form, "outcome")
    if outcome not in OUTCOME_NAMES:
        raise ChooseOutcome()
    _confirmed(form)
    return cases.decide(s, case_id, outcome=outcome, reason=_text(form, "reason"), actor=actor)


def _withdraw(s, case_id: int, form: MultiDict, actor: Actor) -> Case:
    _confirmed(form)
    return cases.withdraw(s, case_id, reason=_text(form, "reason"), actor=actor)


Action = Callable[..., Case]

# name -> (session, case id, form, actor) -> the case after the move
ACTIONS: dict[str, Action] = {
    "take": lambda s, i, f, a: cases.take(s, i, actor=a),
    "route": lambda s, i, f, a: cases.route(s, i, division=_text(f, "division"),
                                            reason=_text(f, "reason"), actor=a),
    # One complete list, one document a line (一次性告知).
    "request_documents": lambda s, i, f, a: cases.request_documents(
        s, i, documents=_text(f, "documents").splitlines(), note=_text(f, "note"), actor=a),
    "supply_documents": lambda s, i, f, a: cases.supply_documents(
        s, i, note=_text(f, "note"), actor=a),
    "start_special": lambda s, i, f, a: cases.start_special(
        s, i, kind=_text(f, "kind"), reason=_text(f, "reason"), actor=a),
    "end_special": lambda s, i, f, a: cases.end_special(s, i, note=_text(f, "note"), actor=a),
    "request_extension": lambda s, i, f, a: cases.request_extension(
        s, i, days=_days(f), reason=_text(f, "reason"), actor=a),
    "decide_extension": lambda s, i, f, a: cases.decide_extension(
        s, i, approve=_text(f, "approve") == "1", note=_text(f, "note"), actor=a),
    "decide": _decide,
    "mark_ready": lambda s, i, f, a: cases.mark_ready(s, i, note=_text(f, "note"), actor=a),
    "close": lambda s, i, f, a: cases.close(s, i, note=_text(f, "note"), actor=a),
    "withdraw": _withdraw,
}

DONE: dict[str, Callable[[], str]] = {
    "take": lambda: _("You have taken up the case."),
    "route": lambda: _("The case was sent to the other division."),
    "request_documents": lambda: _("The missing documents were requested; the clock is stopped."),
    "supply_documents": lambda: _("The documents are in; the clock runs again."),
    "start_special": lambda: _("The special procedure has started; the clock is stopped."),
    "end_special": lambda: _("The special procedure has ended; the clock runs again."),
    "request_extension": lambda: _("The extension was asked for; a manager decides."),
    "decide_extension": lambda: _("The extension was decided."),
    "decide": lambda: _("The decision was recorded."),
    "mark_ready": lambda: _("The result is ready for pick-up."),
    "close": lambda: _("The case is closed."),
    "withdraw": lambda: _("The application was withdrawn."),
}

# The moves each state allows (the engine checks again; this only decides what is offered).
_BY_STATE = {
    "accepted": ("take", "route", "request_extension", "withdraw"),
    "in_progress": ("request_documents", "start_special", "request_extension", "decide",
                    "withdraw"),
    "awaiting_documents": ("supply_documents", "withdraw"),
    "special_procedure": ("end_special", "withdraw"),
    "decided": ("mark_ready", "close"),
    "ready": ("close",),
}
_CLERK_MAY = ("close", "withdraw")  # at the window: pick-up and withdrawal


def actions_for(case: Case, staff: Staff) -> list[str]:
    """The actions to offer this member of staff on the case as it stands."""
    offered = list(_BY_STATE.get(case.state, ()))
    if case.extension_pending_days:
        offered = [a for a in offered if a != "request_extension"]
    if not cases.may_work(staff, case):
        offered = [a for a in offered if a in _CLERK_MAY and staff.has_role(Role.CLERK)]
    if case.extension_pending_days and cases.is_manager_for(staff, case):
        offered.append("decide_extension")
    return offered


# -- the history in words ---------------------------------------------------------------------

def timeline_lines(history: list[Entry], names: Names, tz: str) -> list[dict]:
    """The case's events as the case page lists them: the kind in words, its facts, who."""
    return [{"at": e.at, "kind": e.kind, "label": kind_name(e.kind),
             "detail": history_detail(e.kind, e.data, names, tz),
             "who": actor_name(e.actor, e.actor_name)} for e in history]
