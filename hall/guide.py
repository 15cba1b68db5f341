"""The published service guide (办事指南) and service commitment (服务承诺) of a hall: every
active item with its documents, procedure, time limits, fees and the windows that serve it.
Read by the public guide page and the API."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from . import forms
from .models import Hall, ServiceItem, StoredFile, Window, window_services


@dataclass(frozen=True)
class GuideEntry:
    item: ServiceItem
    windows: tuple[int, ...]    # numbers of the windows that may serve it
    forms: tuple[StoredFile, ...] = ()  # its blank forms to download (issue 15)


def guide(session: Session, hall: Hall) -> list[GuideEntry]:
    """The hall's active items in catalogue order, each with its windows."""
    items = list(session.scalars(
        select(ServiceItem).where(ServiceItem.hall_id == hall.id, ServiceItem.active.is_(True))
        .options(selectinload(ServiceItem.division))
        .order_by(ServiceItem.sort_order, ServiceItem.code)))
    windows: dict[int, list[int]] = {}
    for service_id, no in session.execute(
        select(window_services.c.service_id, Window.no)
        .join(Window, Window.id == window_services.c.window_id)
        .where(Window.hall_id == hall.id).order_by(Window.no)
    ):
        windows.setdefault(service_id, []).append(no)
    blank = forms.forms_by_item(session, hall)
    return [GuideEntry(item, tuple(windows.get(item.id, ())), tuple(blank.get(item.id, ())))
            for item in items]


def entry_json(entry: GuideEntry, form_url=None) -> dict:
    """One item as the API publishes it: both languages, the English falling back to the
    Chinese where a line has no translation; ``form_url(item, form)`` the address of each
    blank form."""
    item = entry.item

    def lines(rows):
        return [{"zh": r.get("zh", ""), "en": r.get("en") or r.get("zh", "")} for r in rows or []]

    return {
        "code": item.code, "prefix": item.prefix, "name": item.name_zh, "name_en": item.name_en,
        "division": ({"code": item.division.code, "name": item.division.name_zh,
                      "name_en": item.division.name_en} if item.division else None),
        "time_limit_days": item.time_limit_days, "legal_limit_days": item.legal_limit_days,
        "on_the_spot": item.time_limit_days == 0,
        "standard_minutes": item.standard_minutes,
        "documents": lines(item.documents), "procedure": lines(item.procedure),
        "fees": item.fees_zh, "fees_en": item.fees_en,
        "legal_basis": item.legal_basis_zh, "legal_basis_en": item.legal_basis_en,
        "windows": list(entry.windows),
        "forms": [{"id": f.id, "label": f.label, "name": f.original_name, "size": f.size,
                   "content_type": f.content_type,
                   "url": form_url(item, f) if form_url else None} for f in entry.forms],
    }
