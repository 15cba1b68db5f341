"""A hall that takes applications online (the demo's 人事档案证明出具, ARCHPROOF, worked by the
Talent Exchange Service Centre, division04): the citizen's side and the division's, each move
in an app context of its own (so that requests never share the test's session)."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from conftest import actor
from file_helpers import jpeg, pdf
from hall import applications, calendar, clock
from hall.models import Application, Event, StoredFile
from hall.web.extensions import db

# Monday 2026-11-23, 09:30 in Harbin (UTC+8).
MONDAY = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
# Values no public view may show.
NAME, PHONE = "欧阳锋芒", "13912345678"
VALUES = {"purpose": "出国政审", "copies": "2", "employer": "黑龙江省档案馆"}
ITEM = "ARCHPROOF"


def two_files() -> list[tuple[int, str, bytes]]:
    """The two documents ARCHPROOF asks for online: the ID card (a JPEG), the agreement."""
    return [(0, "身份证.jpg", jpeg()), (1, "协议书.pdf", pdf("agreement"))]


class Hall:
    """The citizen, the division (TALENT: division04), another division (CIVIL: division01),
    a clerk of the hall (clerk10) and one of another hall (hrb-clerk01)."""

    def __init__(self, app, frozen=None):
        self.app, self.clock = app, frozen
        self.talent = actor(app, "division04")
        self.civil = actor(app, "division01")
        self.clerk = actor(app, "clerk10")
        self.hrb_clerk = actor(app, "hrb-clerk01")
        self.manager = actor(app, "manager")
        with self.session() as session:
            calendar.import_official(session)

    @contextmanager
    def session(self):
        with self.app.app_context():
            yield db.session

    def do(self, move, *args, **kwargs):
        with self.session() as session:
            return move(session, *args, **kwargs)

    def apply(self, *, documents=None, **fields) -> Made:
        values = {"name": NAME, "phone": PHONE, "values": dict(VALUES), "declared": True,
                  **fields}
        with self.session() as session:
            made = applications.submit(session, "HQ", ITEM,
                                       documents=two_files() if documents is None
                                       else documents, **values)
            return Made(made.id, made.service_no, made.access_code)

    def get(self, application_id: int) -> Application:
        with self.session() as session:
            found = session.get(Application, application_id)
            session.expunge(found)
            return found

    def kinds(self, application_id: int) -> list[str]:
        with self.session() as session:
            return [kind for kind, data in session.execute(
                sa.select(Event.kind, Event.data).where(Event.kind.like("application.%"))
                .order_by(Event.id)) if data.get("application") == application_id]

    def files(self, application_id: int) -> list[StoredFile]:
        with self.session() as session:
            rows = list(session.scalars(sa.select(StoredFile).where(
                StoredFile.owner == applications.OWNER,
                StoredFile.owner_id == application_id).order_by(StoredFile.id)))
            for row in rows:
                session.expunge(row)
            return rows

    def count(self) -> int:
        with self.session() as session:
            return session.scalar(sa.select(sa.func.count()).select_from(Application))


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
