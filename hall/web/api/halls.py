"""The live queue of a hall (GET /halls/<hall>/queue), for kiosks, displays and the public."""
from __future__ import annotations

from flask import Response, json
from sqlalchemy import bindparam, select

from hall import board, clock, lookup
from hall.errors import UnknownHall
from hall.models import Hall
from tracking.cache import views

from .. import devices
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


# What the public queue of a hall is built from: one indexed row.
_STAMP = select(Hall.floor_seq, Hall.timezone).where(Hall.code == bindparam("code"))


@bp.get("/halls/<hall>/queue")
@devices.public_read
def hall_queue(hall: str):
    """The hall's queue, built once per floor sequence and day (views kept for a minute at
    most, so a renamed service shows), answered 304 to a poller that already has it."""
    with db.engine.connect() as connection:  # one row: no ORM session to open and close
        row = connection.execute(_STAMP, {"code": hall}).first()
    if row is None:
        raise UnknownHall(hall=hall)
    stamp = (row.floor_seq, clock.local_date(clock.now(), row.timezone).isoformat())
    body, etag = views().get(("queue", hall), stamp, lambda: _queue_body(hall))
    return revalidated(Response(body, mimetype="application/json"), etag)


def _queue_body(hall: str) -> tuple[bytes, str]:
    """The queue's JSON, and a tag of its very bytes: whatever changed it, the tag changes."""
    snapshot = board.queue_snapshot(db.session, lookup.get_hall(db.session, hall))
    body = json.dumps(snapshot_json(snapshot), ensure_ascii=False).encode()
    return body, tag(body)
