"""The demo data: what `flask seed-demo` promises the README and the acceptance demo."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from hall import db, files, issuing
from hall.demo import DEMO_ACCOUNTS, DemoReport, seed_demo
from hall.models import (
    Base,
    Device,
    Division,
    Hall,
    ServiceItem,
    Staff,
    StoredFile,
    Window,
    window_services,
)
from hall.staff import check_password
from hall.storage import LocalStorage

COUNTED = (Hall, Division, ServiceItem, Window, Staff, Device, StoredFile)


@pytest.fixture
def session(tmp_path):
    """A fresh SQLite file database with the demo seeded once, password "demo"."""
    engine = create_engine(f"sqlite:///{tmp_path / 'hall.db'}")
    db.configure_engine(engine)
    Base.metadata.create_all(engine)
    files.configure(engine, files.FileSettings(storage=LocalStorage(tmp_path / "uploads")))
    with Session(engine, expire_on_commit=False) as session:
        session.info["first_report"] = seed_demo(session, password="demo")
        yield session
    engine.dispose()


def hall(session: Session, code: str) -> Hall:
    """A seeded hall by its code."""
    return session.scalar(select(Hall).where(Hall.code == code))


def items(session: Session, code: str) -> list[ServiceItem]:
    """The catalogue of a seeded hall."""
    return list(session.scalars(
        select(ServiceItem).where(ServiceItem.hall_id == hall(session, code).id)
    ))


def exam_item(session: Session) -> ServiceItem:
    """HQ's civil-service exam recruitment item, the one numbered with A."""
    return next(i for i in items(session, "HQ") if i.prefix == "A")


def row_counts(session: Session) -> dict[str, int]:
    """How many rows each seeded table holds, window links included."""
    counts = {model.__name__: session.scalar(select(func.count()).select_from(model))
              for model in COUNTED}
    counts["window_services"] = session.scalar(
        select(func.count()).select_from(window_services))
    return counts


def test_halls_windows_divisions_and_catalogue(session):
    hq, hrb = hall(session, "HQ"), hall(session, "HRB")
    assert (hq.node_no, hq.level, hq.timezone) == (1, "province", "Asia/Shanghai")
    assert (hrb.node_no, hrb.level, hrb.parent_id) == (101, "city", hq.id)
    assert [w.no for w in hq.windows] == list(range(1, 23))
    assert [w.no for w in hrb.windows] == list(range(1, 7))
    assert len([i for i in items(session, "HQ") if i.active]) >= 12
    for code, at_least in (("HQ", 6), ("HRB", 3)):
        divisions = session.scalars(
            select(Division).where(Division.hall_id == hall(session, code).id)).all()
        assert len(divisions) >= at_least


def test_first_report_counts_what_was_created(session):
    report = session.info["first_report"]
    counts = row_counts(session)
    assert report == DemoReport(halls=counts["Hall"], divisions=counts["Division"],
                                services=counts["ServiceItem"], windows=counts["Window"],
                                staff=counts["Staff"], devices=counts["Device"],
                                forms=counts["StoredFile"])
    assert str(report).startswith("created 2 halls, ")


def test_accounts_exist_with_their_roles_and_the_demo_password(session):
    staff = {s.username: s for s in session.scalars(select(Staff))}
    assert set(staff) == {a.username for a in DEMO_ACCOUNTS}
    expected = {"admin": {"admin"}, "manager": {"manager"}, "hrb-manager": {"manager"}}
    expected |= {f"clerk{n:02d}": {"clerk"} for n in range(1, 23)}
    expected |= {f"hrb-clerk{n:02d}": {"clerk"} for n in range(1, 7)}
    for username, roles in expected.items():
        assert staff[username].roles == roles, username
    assert staff["hrb-manager"].hall.code == "HRB"
    assert staff["clerk22"].hall.code == "HQ"

    hq_divisions = session.scalars(select(Division).where(
        Division.hall_id == hall(session, "HQ").id).order_by(Division.id)).all()
    for n, division in enumerate(hq_divisions, 1):
        account = staff[f"division{n:02d}"]
        assert account.roles == {"division"} and account.division_id == division.id

    # Every account shares the one demo hash, so checking a few checks them all.
    assert len({s.password_hash for s in staff.values()}) == 1
    assert check_password(staff["admin"], "demo")
    assert check_password(staff["clerk03"], "demo")
    assert not check_password(staff["clerk03"], "wrong")


def test_every_item_is_served_by_a_window_of_its_hall(session):
    for code in ("HQ", "HRB"):
        windows = hall(session, code).windows
        for item in items(session, code):
            assert any(item in w.services for w in windows), (code, item.code)
        for window in windows:
            assert window.services and all(i.hall_id == window.hall_id for i in window.services)


def test_window_3_serves_exam_recruitment_and_consultation_is_at_1_and_2(session):
    hq = hall(session, "HQ")
    window_3 = next(w for w in hq.windows if w.no == 3)
    assert exam_item(session) in window_3.services
    consult = [w.no for w in hq.windows if any(i.code == "CONSULT" for i in w.services)]
    assert {1, 2} <= set(consult)


def test_service_guides_are_complete(session):
    for item in items(session, "HQ") + items(session, "HRB"):
        assert 0 <= item.time_limit_days <= item.legal_limit_days, item.code
        assert item.standard_minutes > 0
        assert item.procedure and all(step["zh"] and step["en"] for step in item.procedure)
        assert item.fees_zh and item.fees_en
        if item.code != "CONSULT":
            assert item.documents, item.code
            assert all(doc["zh"] and doc["en"] for doc in item.documents)
        if item.time_limit_days > 0:
            assert item.division is not None and item.division.hall_id == item.hall_id


def test_second_run_creates_and_changes_nothing(session):
    before = row_counts(session)
    hashes = dict(session.execute(select(Staff.username, Staff.password_hash)).all())

    report = seed_demo(session, password="demo")

    assert report == DemoReport() and report.total == 0
    assert row_counts(session) == before
    assert dict(session.execute(select(Staff.username, Staff.password_hash)).all()) == hashes


def test_second_run_keeps_an_administrators_changes(session):
    general = next(w for w in hall(session, "HQ").windows if w.no == 22)
    general.services = general.services[:1]
    session.commit()

    seed_demo(session, password="demo")

    session.expire_all()
    assert len(session.get(Window, general.id).services) == 1


@pytest.mark.hall_open
def test_first_exam_ticket_is_A001(session):
    issued = issuing.issue_ticket(session, "HQ", exam_item(session).code)
    assert issued.number == "A001"
    assert issued.ahead == 0
