"""What each live audience receives for a committed event: one rule per audience.

A committed event (the dict ``hall.events`` hands its subscribers) goes in; out come the
messages of each audience that follows it:

- wall displays, rating tablets and window consoles (the hall's floor, gap-checked by the
  floor sequence number ``seq``): ``called`` for a call, ``queue`` for any other move, and
  ``counts`` for a run of tickets taken (below);
- staff consoles and division inboxes (``case`` messages: cases and ratings);
- managers' dashboards (a fresh snapshot, gathered: ``touches_dashboard``).

**Counts are coalesced.** A ticket taken changes only how many wait for its service. Sent
one by one, a burst of tickets cost one recount of every queue and one broadcast to every
display per ticket, the two heaviest things on the issuing path (#13). Tickets taken are
gathered per hall instead (``CountCoalescer``) and sent as one ``counts`` message standing
for the run of sequence numbers it covers (``from`` .. ``seq``), at most every
``COUNTS_INTERVAL`` seconds, and always before any other message of that hall, so a client
still sees every number of the sequence once, in order. A call or any other move is never
held back or merged: it leaves as soon as it is committed.

This module is the domain's: no Flask, no Socket.IO. The publisher (hall/web/live) feeds it
and sends what it returns.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .floor import CALL_KINDS

# Seconds between two ``counts`` messages of one hall, at most (the first goes at once).
COUNTS_INTERVAL = 0.2
# Floor events that change nothing but the waiting counts.
COUNT_ONLY_KINDS = frozenset({"ticket.issued"})
# Staff consoles follow cases and ratings; devices (registered, locked, issuing unusually
# fast), bookings (made, moved, cancelled, missed: the appointments panel) and questions,
# complaints and reports (the channels panel) change only the managers' dashboard, whose
# snapshot is gathered (one per burst, hall.web.live.dashboards), not one per event.
STAFF_KINDS = ("case.", "rating.")
DASHBOARD_ONLY_KINDS = ("device.", "booking.", "enquiry.")

# What a floor event leaves a window showing; other events leave the window as it was.
WINDOW_AFTER: dict[str, Callable[[dict], dict]] = {
    "ticket.called": lambda d: {"state": "open", "serving": d["number"]},
    "ticket.recalled": lambda d: {"state": "open", "serving": d["number"]},
    "ticket.resumed": lambda d: {"state": "open", "serving": d["number"]},
    "ticket.serving": lambda d: {"serving": d["number"]},
    "ticket.finished": lambda d: {"serving": None},
    "ticket.no_show": lambda d: {"serving": None},
    "ticket.no_show_undone": lambda d: {"serving": d["number"]},
    "ticket.held": lambda d: {"serving": None},
    "ticket.transferred": lambda d: {"serving": None},
    "window.opened": lambda d: {"state": "open"},
    "window.resumed": lambda d: {"state": "open"},
    # A window pauses only when nobody is at it: it shows no call until it is open again.
    "window.paused": lambda d: {"state": "paused", "serving": None},
    "window.closed": lambda d: {"state": "closed", "serving": None},
}

Names = dict[str, tuple[str, str]]


def is_floor(event: dict) -> bool:
    """Floor events are numbered per hall (``seq``); cases and ratings are not."""
    return event.get("seq") is not None


def is_followed(event: dict) -> bool:
    """Does any live audience follow this event?"""
    return is_floor(event) or event["kind"].startswith(STAFF_KINDS + DASHBOARD_ONLY_KINDS)


def counts_only(event: dict) -> bool:
    return event["kind"] in COUNT_ONLY_KINDS


def moves_tickets(event: dict) -> bool:
    """Can this event change where a followed ticket stands (``hall.ticket_states``)? Every
    floor move can, except a plain walk-in ticket taken: it queues behind everyone who
    waits. A priority ticket or an appointment checked in may go ahead of others."""
    if not is_floor(event):
        return False
    if not counts_only(event):
        return True
    data = event["data"]
    return bool(data.get("priority")) or data.get("source") == "booking"


def touches_dashboard(event: dict) -> bool:
    """Every followed event changes some figure of its hall's dashboard."""
    return is_followed(event)


def floor_message(event: dict, waiting: dict[str, int], names: Names) -> tuple[str, dict]:
    """(Socket.IO event name, payload) of one floor event for displays and consoles.

    ``waiting`` is every service's waiting count as read after the event was committed."""
    data = event["data"]
    body = {"seq": event["seq"], "hall": event["hall"], "kind": event["kind"].split(".", 1)[1],
            "at": event["at"], "waiting": waiting}
    if "number" in data:
        body["number"] = data["number"]
    if "window_no" in data and event["kind"] in WINDOW_AFTER:
        body["window"] = {"no": data["window_no"], **WINDOW_AFTER[event["kind"]](data)}
    if "service" in data:
        body["service"] = data["service"]
        body["name"], body["name_en"] = names.get(data["service"], (data["service"],) * 2)
    if event["kind"] == "ticket.transferred":
        body.update(to_service=data.get("to_service"), to_window=data.get("to_window"))
    if event["kind"] in CALL_KINDS:
        body["window_no"] = data["window_no"]
        body["call_count"] = data.get("call_count", 1)
        return "called", body
    return "queue", body


def counts_message(run: CountRun, waiting: dict[str, int]) -> tuple[str, dict]:
    """The ``counts`` message standing for a run of tickets taken: sequence numbers
    ``from`` .. ``seq`` (each of them a ticket taken), and the counts read after the last."""
    return "counts", {"seq": run.last, "from": run.first, "hall": run.hall, "kind": "counts",
                      "at": run.at, "taken": run.taken, "waiting": waiting}


def staff_message(event: dict) -> dict:
    """A case or rating event as staff consoles receive it (names are never in events)."""
    data = event["data"]
    return {"id": event["id"], "hall": event["hall"], "kind": event["kind"],
            "at": event["at"], "case_id": event["case_id"], "ticket_id": event["ticket_id"],
            "state": data.get("state"), "warning": data.get("after"),
            "division": data.get("division")}


@dataclass
class CountRun:
    """Consecutive count-only events of one hall not sent yet."""
    hall: str
    first: int
    last: int
    at: str
    taken: int = 1


class CountCoalescer:
    """Gathers count-only events per hall and says when their run is due.

    A hall's first run after a quiet ``interval`` is due at once (a lone ticket shows on the
    wall without delay); while tickets keep coming, a run is due ``interval`` after the
    hall's last ``counts`` message. ``before`` hands over a hall's run early, ahead of another
    message of that hall. Not thread-safe: one publisher thread owns it."""

    def __init__(self, interval: float = COUNTS_INTERVAL) -> None:
        self.interval = interval
        self._runs: dict[str, CountRun] = {}
        self._sent_at: dict[str, float] = {}

    def add(self, event: dict, now: float) -> CountRun | None:
        """Gather a count-only event. A run only ever holds consecutive numbers: an event
        that does not follow it (two commits handed over out of order) ends the run, which
        is returned to be sent at once, so that no ``counts`` message ever stands for a
        number that was a call."""
        hall, seq = event["hall"], event["seq"]
        run = self._runs.get(hall)
        if run is not None and seq == run.last + 1:
            run.last, run.at, run.taken = seq, event["at"], run.taken + 1
            return None
        ended = self.take(hall, now) if run is not None else None
        self._runs[hall] = CountRun(hall, seq, seq, event["at"])
        return ended

    def before(self, event: dict, now: float) -> CountRun | None:
        """The run to send before this other event of the same hall: the one that precedes
        it, if any (a run numbered after it waits its turn)."""
        run = self._runs.get(event["hall"])
        if run is None or run.last > event["seq"]:
            return None
        return self.take(event["hall"], now)

    def take(self, hall: str, now: float) -> CountRun | None:
        run = self._runs.pop(hall, None)
        if run is not None:
            self._sent_at[hall] = now
        return run

    def due(self, now: float) -> list[CountRun]:
        due = [hall for hall in self._runs
               if now >= self._sent_at.get(hall, float("-inf")) + self.interval]
        return [run for hall in due if (run := self.take(hall, now)) is not None]

    def next_due(self) -> float | None:
        """The monotonic time at which the next run falls due; None when nothing waits."""
        if not self._runs:
            return None
        return min(self._sent_at.get(hall, float("-inf")) + self.interval
                   for hall in self._runs)
