"""The pre-review limit of an application sent online (网上申报的预审), written once.

The Administrative Licensing Law (行政许可法 art. 32) gives the office five working days from
receiving the documents to tell the applicant, once and completely, what is missing or wrong
(一次性告知补正); told nothing within them, the application counts as accepted from the day
the documents arrived (逾期不告知的，自收到申请材料之日起即为受理).

The rules of counting are the hall's for every limit (``hall.calendar.deadline``): the day the
documents arrived does not count (Civil Code art. 201); the limit ends at the hall's close of
business of the fifth working day of the hall's calendar (holidays, make-up working days,
local overrides); the warning margin is a fifth of the days (one working day). Documents
re-uploaded after a 补正告知 are received anew: the five days run again from then.

``accepted_from`` says when a case made of the application starts its statutory clock: at
the acceptance, or, when the limit passed without a word, on the day the documents arrived.
``mark`` is the deadline job's part (``hall.deadlines.tick``), one conditional UPDATE per
batch as for cases and enquiries.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import and_, bindparam, text
from sqlalchemy.orm import Session

from . import calendar, turning
from .events import SYSTEM, record
from .models import Application

PREREVIEW_DAYS = 5


def prereview_due(work: calendar.WorkingCalendar, *, received_at: datetime,
                  close_of_business: time = time(17),
                  tz: str = "Asia/Shanghai") -> calendar.Deadline:
    """When the five working days to tell what is missing run out (and turn yellow)."""
    return calendar.deadline(work, accepted_at=received_at, limit_days=PREREVIEW_DAYS,
                             close_of_business=close_of_business, tz=tz)


@dataclass(frozen=True)
class Acceptance:
    starts_at: datetime  # the case's statutory clock starts here
    deemed: bool         # the limit had passed: accepted by law from the day of receipt
    on_time: bool        # the office answered within the limit


def accepted_from(*, received_at: datetime, decided_at: datetime,
                  due_at: datetime) -> Acceptance:
    """When a case made of the application at ``decided_at`` starts its clock: then, if the
    office answered within the limit; else on the day the documents arrived."""
    if decided_at > due_at:
        return Acceptance(received_at, deemed=True, on_time=False)
    return Acceptance(decided_at, deemed=False, on_time=True)


def warning_at(now: datetime, *, due_at: datetime, yellow_at: datetime) -> str:
    """none, yellow or red: the colour of a pre-review limit at ``now``."""
    return "red" if due_at <= now else "yellow" if yellow_at <= now else "none"


# -- the deadline job -----------------------------------------------------------------------------

A = Application.__table__
_PENDING = text("applications.state = 'submitted'")
MARKS = (
    ("red", A.c.due_at, and_(text("applications.warning <> 'red'"), _PENDING,
                             A.c.due_at <= bindparam("now"))),
    ("yellow", A.c.yellow_at, and_(text("applications.warning = 'none'"), _PENDING,
                                   A.c.yellow_at <= bindparam("now"),
                                   A.c.due_at > bindparam("now"))),
)




def _turned(session: Session, hall, row, warning: str) -> None:
    kind = {"yellow": "application.yellow", "red": "application.red"}[warning]
    record(session, hall, kind, actor=SYSTEM, application=row.id, service_no=row.service_no,
           after=warning, due_at=turning.iso(row.due_at), division=row.division_id)


TURNING = turning.Turning(
    A, MARKS, (A.c.id, A.c.hall_id, A.c.division_id, A.c.service_no, A.c.due_at), _turned)


def mark(session: Session, now: datetime) -> dict[str, int]:
    """Mark every application in pre-review whose limit turned yellow or red by ``now``."""
    return turning.mark(session, now, TURNING)
