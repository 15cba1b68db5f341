"""The live queue of a hall (GET /halls/<hall>/queue), for kiosks, displays and the public."""
from __future__ import annotations

from flask import Response, json
from flask_babel import get_locale

from hall import board, lookup
from hall.driver import first_row
from hall.errors import UnknownHall
from hall.web.cache import views

from .. import devices, kept
from ..conditional import revalidated, tag
from ..extensions import db
from .common import bp


def snapshot_json(snapshot: board.QueueSnapshot) -> dict:
    return {
        "hall": snapshot.hall.code,
        "name": snapshot.hall.name_zh,
        "name_en": snapshot.hall.name_en,
        "day": snapshot.day.isoformat(),
        "waiting": snapshot.waiting,
        "services": [
            {"code": s.code, "name": s.name_zh, "name_en": s.name_en, "prefix": s.prefix,
             "waiting": s.waiting, "windows": s.windows}
            for s in snapshot.services
        ],
        "windows": [
            {"no": w.no, "state": w.state, "serving": w.serving}
            for w in snapshot.windows
        ],
    }




@bp.get("/halls/<hall>/queue")
@devices.public_read
def hall_queue(hall: str):
    """The hall's queue, built once per floor sequence and day (views kept for a minute at
    most, so a renamed service shows), answered 304 to a poller that already has it."""
    stamp = board.queue_stamp_of(first_row(db.engine, board.QUEUE_STAMP, {"queue_hall": hall}))
    if stamp is None:
        raise UnknownHall(hall=hall)
    body, etag = views().get(("queue", hall), stamp, lambda: _queue_body(hall))
    kept.mark(stamp, str(get_locale()))  # the same for every reader
    return revalidated(Response(body, mimetype="application/json"), etag)


def _queue_body(hall: str) -> tuple[bytes, str]:
    """The queue's JSON, and a tag of its very bytes: whatever changed it, the tag changes."""
    snapshot = board.queue_snapshot(db.session, lookup.get_hall(db.session, hall))
    body = json.dumps(snapshot_json(snapshot), ensure_ascii=False).encode()
    return body, tag(body)
