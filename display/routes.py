"""The wall display page: public, read-only, fed by the ``/display`` namespace."""
from __future__ import annotations

import re

from flask import abort, render_template, request

from hall import clock, queue
from hall.web import devices
from hall.web.extensions import db
from hall.web.i18n import canonical

from . import bp

_WINDOWS = re.compile(r"^\d{1,3}(-\d{1,3})?(,\d{1,3}(-\d{1,3})?)*$")


def window_filter(raw: str | None) -> list[int] | None:
    """``?windows=1-8,12`` → [1..8, 12]: a display over one group of windows. None: all."""
    if not raw:
        return None
    if not _WINDOWS.match(raw):
        abort(400)
    chosen: set[int] = set()
    for part in raw.split(","):
        low, _, high = part.partition("-")
        chosen.update(range(int(low), int(high or low) + 1))
    return sorted(chosen)


@bp.get("/<hall>")
def board(hall: str):
    """The display of one hall (optionally of a group of its windows); only for a display
    device, as its socket is (a screen that is none says so instead of staying blank)."""
    devices.require("display", hall)
    found = queue.get_hall(db.session, hall)
    windows = window_filter(request.args.get("windows"))
    return render_template("display/board.html", hall=found, windows=windows,
                           lang="en" if canonical(request.args.get("lang")) == "en" else None,
                           # the hall's clock (HALL_CLOCK), which the TV runs on, not its own
                           hall_now_ms=int(clock.now().timestamp() * 1000))
