"""Results in the open (办理结果公开): the decided cases of the items whose results are public by
law, as anyone may read them.

What is shown of a case, and nothing more: its number, the item, the decision (approved or
not: never the reason, which is free text and may name people), the day it was accepted and
the day it was decided, whether it was decided on time (by its deadline, which already leaves
out the days its clock was stopped: missing documents, public notice…), and the applicant's
name masked as public notices write it (张*, 欧**明). No ID or phone number, no subject.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import case as when
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import clock
from .lookup import get_service
from .models import Case, Hall, ServiceItem
from .notice_errors import InvalidMonth, InvalidPage, ResultsNotPublic
from .privacy import mask_name

PAGE_SIZE = 20
MAX_PAGE = 500
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Month:
    """A calendar month of the hall's zone: the span of instants it covers."""

    year: int
    month: int

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def span(self, tz: str) -> tuple[datetime, datetime]:
        zone = ZoneInfo(tz)
        start = datetime.combine(self.first_day(), time(0), tzinfo=zone)
        end = datetime.combine(self.next().first_day(), time(0), tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)


def parse_month(raw: str | None) -> Month | None:
    """``2026-11`` as a month; None when none is asked for; InvalidMonth otherwise."""
    given = (raw or "").strip()
    if not given:
        return None
    found = _MONTH.match(given)
    if not found or not 1 <= int(found[2]) <= 12 or not 2000 <= int(found[1]) <= 2099:
        raise InvalidMonth()
    return Month(int(found[1]), int(found[2]))


def parse_page(raw: str | None) -> int:
    given = (raw or "").strip()
    if not given:
        return 1
    if not given.isdigit() or not 1 <= int(given) <= MAX_PAGE:
        raise InvalidPage(max=MAX_PAGE)
    return int(given)


def this_month(hall: Hall) -> Month:
    today = clock.local_date(clock.now(), hall.timezone)
    return Month(today.year, today.month)


# -- what is public ----------------------------------------------------------------------------

def public_items(session: Session, hall: Hall) -> list[ServiceItem]:
    """The hall's items whose results are public by law, in the catalogue's order."""
    return list(session.scalars(
        select(ServiceItem).where(ServiceItem.hall_id == hall.id,
                                  ServiceItem.results_public.is_(True))
        .order_by(ServiceItem.sort_order, ServiceItem.code)))


def public_item(session: Session, hall: Hall, code: str) -> ServiceItem:
    """The item, if its results are public (UnknownService, ResultsNotPublic otherwise)."""
    item = get_service(session, hall, code, typed=True)
    if not item.results_public:
        raise ResultsNotPublic(service=item.name_zh)
    return item


@dataclass(frozen=True)
class Result:
    case_no: str
    item_code: str
    item_zh: str
    item_en: str
    outcome: str            # approved | rejected
    accepted_on: date       # in the hall's zone
    decided_on: date
    on_time: bool
    applicant: str          # masked

    def as_json(self) -> dict:
        return {"case_no": self.case_no, "item": self.item_code, "item_name": self.item_zh,
                "item_name_en": self.item_en, "decision": self.outcome,
                "accepted_on": self.accepted_on.isoformat(),
                "decided_on": self.decided_on.isoformat(), "on_time": self.on_time,
                "applicant": self.applicant}


@dataclass(frozen=True)
class Listing:
    results: list[Result]
    page: int
    more: bool


def _on_time(decided_at: datetime, due_at: datetime | None) -> bool:
    # as the decision's own event judged it (hall.cases.decide)
    return due_at is None or decided_at <= due_at


def _decided(hall: Hall, items: list[ServiceItem], month: Month | None):
    """The conditions every public read of results shares: this hall's decided cases of
    public items (and of the month, when one is asked for)."""
    conditions = [Case.hall_id == hall.id, Case.decided_at.is_not(None),
                  Case.outcome.is_not(None), Case.service_id.in_([i.id for i in items])]
    if month is not None:
        start, end = month.span(hall.timezone)
        conditions += [Case.decided_at >= start, Case.decided_at < end]
    return conditions


def listing(session: Session, hall: Hall, items: list[ServiceItem], *,
            month: Month | None = None, page: int = 1) -> Listing:
    """The decided cases of ``items`` (public ones), newest decision first, a page of them."""
    if not items:
        return Listing([], page, False)
    by_id = {i.id: i for i in items}
    rows = session.execute(
        select(Case.case_no, Case.service_id, Case.outcome, Case.accepted_at, Case.decided_at,
               Case.due_at, Case.applicant_name)
        .where(*_decided(hall, items, month))
        .order_by(Case.decided_at.desc(), Case.id.desc())
        .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    zone = ZoneInfo(hall.timezone)
    results = []
    for no, sid, outcome, accepted, decided, due, name in rows[:PAGE_SIZE]:
        assert outcome is not None and decided is not None  # the query's conditions
        item = by_id[sid]
        results.append(Result(
            case_no=no, item_code=item.code, item_zh=item.name_zh, item_en=item.name_en,
            outcome=outcome, accepted_on=accepted.astimezone(zone).date(),
            decided_on=decided.astimezone(zone).date(), on_time=_on_time(decided, due),
            applicant=mask_name(name)))
    return Listing(results, page, len(rows) > PAGE_SIZE)


@dataclass(frozen=True)
class Figures:
    """An item's figures for a month: decided, and decided on time."""

    item: ServiceItem
    month: Month
    decided: int
    on_time: int

    @property
    def on_time_percent(self) -> int | None:
        return round(100 * self.on_time / self.decided) if self.decided else None

    def as_json(self) -> dict:
        return {"item": self.item.code, "month": self.month.label, "decided": self.decided,
                "on_time": self.on_time, "on_time_percent": self.on_time_percent}


def figures(session: Session, hall: Hall, items: list[ServiceItem],
            month: Month) -> list[Figures]:
    """Per item, the cases decided in ``month`` and how many of them on time."""
    if not items:
        return []
    on_time = func.sum(when((Case.due_at.is_(None) | (Case.decided_at <= Case.due_at), 1),
                            else_=0))
    counts = {sid: (n, int(t or 0)) for sid, n, t in session.execute(
        select(Case.service_id, func.count(), on_time)
        .where(*_decided(hall, items, month)).group_by(Case.service_id))}
    return [Figures(i, month, *counts.get(i.id, (0, 0))) for i in items]


def stamp(session: Session, hall: Hall) -> tuple:
    """What every results page of the hall is built from, for its ETag: the hall's decided
    cases (how many, the last) and which items are public. The month it is now is in the
    tag too (the figures are "this month's")."""
    decided = session.execute(select(func.count(), func.max(Case.id), func.max(Case.decided_at))
                              .where(Case.hall_id == hall.id,
                                     Case.decided_at.is_not(None))).one()
    public = session.scalars(select(ServiceItem.code).where(
        ServiceItem.hall_id == hall.id, ServiceItem.results_public.is_(True))
        .order_by(ServiceItem.code)).all()
    return (*decided, tuple(public), this_month(hall).label)
