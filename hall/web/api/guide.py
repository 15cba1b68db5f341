"""A hall's published service guide (GET /halls/<hall>/guide), in both languages."""
from __future__ import annotations

from flask import jsonify, url_for

from hall import guide as guides
from hall import lookup

from .. import devices
from ..extensions import db
from .common import bp

LINE = {"type": "object", "required": ["zh", "en"],
        "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}}
FORM = {"type": "object", "required": ["id", "label", "name", "size", "content_type", "url"],
        "properties": {"id": {"type": "integer"},
                       "label": {"type": "string", "description": "The form's name."},
                       "name": {"type": "string", "description": "The file's name."},
                       "size": {"type": "integer", "description": "Bytes."},
                       "content_type": {"type": "string", "enum": ["application/pdf"]},
                       "url": {"type": "string", "description": "Public download address."}}}
GUIDE = {
    "type": "object",
    "required": ["hall", "name", "name_en", "items"],
    "properties": {
        "hall": {"type": "string"}, "name": {"type": "string"}, "name_en": {"type": "string"},
        "items": {"type": "array", "items": {
            "type": "object",
            "required": ["code", "prefix", "name", "name_en", "time_limit_days",
                         "legal_limit_days", "documents", "procedure", "fees", "fees_en",
                         "windows"],
            "properties": {
                "code": {"type": "string"}, "prefix": {"type": "string"},
                "name": {"type": "string"}, "name_en": {"type": "string"},
                "division": {"type": ["object", "null"]},
                "time_limit_days": {"type": "integer", "minimum": 0,
                                    "description": "Promised limit in working days; 0: done "
                                                   "at the window."},
                "legal_limit_days": {"type": "integer", "minimum": 0},
                "on_the_spot": {"type": "boolean"},
                "standard_minutes": {"type": "integer"},
                "documents": {"type": "array", "items": LINE},
                "procedure": {"type": "array", "items": LINE},
                "fees": {"type": "string"}, "fees_en": {"type": "string"},
                "legal_basis": {"type": ["string", "null"]},
                "legal_basis_en": {"type": ["string", "null"]},
                "windows": {"type": "array", "items": {"type": "integer"}},
                "forms": {"type": "array", "description": "Blank forms to download (表格下载).",
                          "items": FORM},
            },
        }},
    },
}


@bp.get("/halls/<hall>/guide")
@devices.public_read
def hall_guide(hall: str):
    """Every item the hall offers, with its guide: public, the same for every reader."""
    found = lookup.get_hall(db.session, hall)
    response = jsonify({"hall": found.code, "name": found.name_zh, "name_en": found.name_en,
                        "items": [guides.entry_json(e, _form_url)
                                  for e in guides.guide(db.session, found)]})
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


def _form_url(item, form) -> str:
    return url_for("guide.form_download", hall=item.hall.code, item=item.code, file_id=form.id,
                   _external=True)
