"""Events in the reader's language, as the audit log and the staff case history show them.

The words come from the registry (``hall.kinds``); this module only puts them into the
page's language: the kind's name, who acted ("系统", not "system"), and each field of the
event's data as "label: value", or "label: before → after" for a change, with no JSON and no
``null`` (a missing value is a dash). Chinese text gets Chinese punctuation.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import select

from hall import kinds, numbers
from hall.kinds import Field, Kind
from hall.models import Division, ServiceItem

from .i18n import is_english
from .templating import local_time

NOTHING = "—"


@dataclass(frozen=True)
class Line:
    label: str
    value: str
    before: str | None = None   # set for a change: before → value

    def text(self) -> str:
        if self.before is None:
            return labelled(self.label, self.value)
        return labelled(self.label, f"{self.before} → {self.value}")


class Names:
    """Division and service names by code for one or more halls, read once when first asked."""

    def __init__(self, divisions: dict[str, object] | None = None,
                 services: dict[str, object] | None = None) -> None:
        self.divisions = divisions or {}
        self.services = services or {}

    def division(self, code: str) -> str:
        found = self.divisions.get(code)
        return _localized(found) if found is not None else code

    def service(self, code: str) -> str:
        found = self.services.get(code)
        return _localized(found) if found is not None else code


def hall_names(session, hall_ids) -> dict[int, Names]:
    """Division and service names of these halls, two queries for a page."""
    ids = sorted(set(hall_ids))
    names = {hall_id: Names({}, {}) for hall_id in ids}
    for d in session.scalars(select(Division).where(Division.hall_id.in_(ids))):
        names[d.hall_id].divisions[d.code] = d
    for s in session.scalars(select(ServiceItem).where(ServiceItem.hall_id.in_(ids))):
        names[s.hall_id].services[s.code] = s
    return names


def _localized(obj) -> str:
    if is_english() and getattr(obj, "name_en", None):
        return obj.name_en
    return obj.name_zh


def separators() -> tuple[str, str, str]:
    """(after a label, between facts, between items of a list) in the page's language."""
    return (": ", "; ", ", ") if is_english() else ("：", "；", "、")


def labelled(label: str, value: str) -> str:
    return f"{label}{separators()[0]}{value}"


def kind_name(code: str) -> str:
    kind = kinds.KINDS.get(code)
    return gettext(kind.name) if kind is not None else code


def actor_name(label: str, staff_name: str | None = None) -> str:
    """A member of staff by name; the hall's own actors (系统, 取号机…) in words."""
    if staff_name:
        return staff_name
    words = kinds.actor_words(label)
    return gettext(words) if words else label


def lines(kind_code: str, data: dict, names: Names, tz: str, *,
          only: tuple[str, ...] | None = None) -> list[Line]:
    """The event's data as lines: its fields (or ``only`` those), then what changed."""
    kind = kinds.get(kind_code)
    out = []
    for name in (only if only is not None else [k for k in data if k != "changed"]):
        if name not in data:
            continue
        field = kind.field_for(name)
        if field.shown == "hidden":
            continue
        out.append(Line(gettext(field.label), value(field, data[name], names, tz)))
    for name, pair in (data.get("changed") or {}).items() if only is None else ():
        if not isinstance(pair, dict):
            continue
        field = kind.field_for(name)
        out.append(Line(gettext(field.label), value(field, pair.get("after"), names, tz),
                        before=value(field, pair.get("before"), names, tz)))
    return out


def history_detail(kind_code: str, data: dict, names: Names, tz: str) -> str:
    """One line of facts for the staff case history: the fields the kind names for it."""
    kind: Kind = kinds.get(kind_code)
    found = lines(kind_code, data, names, tz, only=kind.history)
    return separators()[1].join(line.text() for line in found)


def value(field: Field, raw, names: Names, tz: str, limit: int = 200) -> str:
    """One value in words: a window, a division by name, a time in the hall's zone, yes or
    no, a list, a fixed value in words; never JSON, never "null"."""
    if raw is None or raw == "" or raw == []:
        return NOTHING
    shown = field.shown
    if shown == "window":
        return gettext("Window %(no)s", no=raw)
    if shown == "days":
        return gettext("%(days)s working days", days=raw)
    if shown == "division":
        return names.division(str(raw))
    if shown == "service":
        return names.service(str(raw))
    if shown == "time":
        return _time(raw, tz)
    if shown == "yes_no" or isinstance(raw, bool):
        return gettext("yes") if raw else gettext("no")
    if shown == "term" and field.terms is not None:
        words = field.terms.get(str(raw))
        return gettext(words) if words else str(raw)
    if isinstance(raw, (list, tuple)):
        return _short(separators()[2].join(_item(v) for v in raw), limit)
    if isinstance(raw, dict):
        return _short(separators()[1].join(labelled(str(k), _item(v)) for k, v in raw.items()),
                      limit)
    if isinstance(raw, str) and numbers.looks_like_case_number(raw) and len(raw) == 16:
        return numbers.grouped(raw)
    return _short(str(raw), limit)


def _item(raw) -> str:
    """An item of a list: a guide line [zh, en] shows in the page's language."""
    if isinstance(raw, (list, tuple)) and len(raw) == 2 and all(isinstance(v, str) for v in raw):
        return raw[1] if is_english() and raw[1] else raw[0]
    if raw is None:
        return NOTHING
    return str(raw)


def _time(raw, tz: str) -> str:
    if isinstance(raw, datetime):
        return local_time(raw, tz)
    try:
        return local_time(datetime.fromisoformat(str(raw)), tz)
    except ValueError:
        try:
            return date.fromisoformat(str(raw)).isoformat()
        except ValueError:
            return str(raw)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
