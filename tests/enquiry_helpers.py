"""A hall that takes questions, complaints and reports: the citizen's side and the division's,
each move in an app context of its own (so that requests never share the test's session)."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from conftest import actor
from hall import calendar, clock, enquiries
from hall.models import Enquiry, Event, Staff
from hall.web.extensions import db

# Monday 2026-11-23, 09:30 in Harbin (UTC+8).
MONDAY = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
# Values no public view may show.
NAME, PHONE, EMAIL = "欧阳锋芒", "13912345678", "ouyang@example.cn"
SUBJECT = "职称评审材料能否补交"
BODY = "我的中级职称评审材料漏交了继续教育证明，能否在截止日期后补交？"


class Hall:
    """The citizen and the Professional and Technical Personnel Division (division02)."""

    def __init__(self, app, frozen=None):
        self.app, self.clock = app, frozen
        self.title = actor(app, "division02")     # TITLE: owns the 职称评审 topic
        self.civil = actor(app, "division01")     # CIVIL: another division
        self.manager = actor(app, "manager")      # provincial manager
        self.hrb_manager = actor(app, "hrb-manager")
        with self.session() as session:
            calendar.import_official(session)
            self.title_division_id = session.get(Staff, self.title.staff_id).division_id

    @contextmanager
    def session(self):
        with self.app.app_context():
            yield db.session

    def do(self, move, *args, **kwargs):
        with self.session() as session:
            return move(session, *args, **kwargs)

    def ask(self, kind: str = "consultation", topic: str | None = "TITLE",
            hall: str = "HQ", **fields):
        values = {"subject": SUBJECT, "body": BODY, "name": NAME, "phone": PHONE,
                  "email": EMAIL, **fields}
        with self.session() as session:
            made = enquiries.submit(session, hall, kind=kind, topic=topic, **values)
            return Made(made.id, made.service_no, made.access_code)

    def get(self, enquiry_id: int) -> Enquiry:
        with self.session() as session:
            found = session.get(Enquiry, enquiry_id)
            session.expunge(found)
            return found

    def kinds(self, enquiry_id: int) -> list[str]:
        with self.session() as session:
            return list(session.scalars(sa.select(Event.kind).where(
                Event.enquiry_id == enquiry_id).order_by(Event.id)))

    def count(self) -> int:
        with self.session() as session:
            return session.scalar(sa.select(sa.func.count()).select_from(Enquiry))


class Made:
    def __init__(self, id_: int, service_no: str, access_code: str) -> None:
        self.id, self.service_no, self.access_code = id_, service_no, access_code


@pytest.fixture
def hall(app):
    with clock.frozen(MONDAY) as frozen:
        yield Hall(app, frozen)


@pytest.fixture
def any_hall(any_app):
    with clock.frozen(MONDAY) as frozen:
        yield Hall(any_app, frozen)
