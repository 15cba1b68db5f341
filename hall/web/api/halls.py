"""The live queue of a hall (GET /halls/<hall>/queue), for kiosks, displays and the public."""
from __future__ import annotations

from flask import jsonify

from hall import board, lookup

from .. import devices
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
    snapshot = board.queue_snapshot(db.session, lookup.get_hall(db.session, hall))
    response = jsonify(snapshot_json(snapshot))
    response.headers["Cache-Control"] = "no-store"
    return response
