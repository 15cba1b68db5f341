"""Case numbers (办件编号, #10.13): BJ + day + hall + serial + check character, unique across
halls, read over the phone and checked like the service number, allocated from the hall's
daily counter, shown wherever a case is, searchable, and given to the cases already there."""
from __future__ import annotations

import re
import sqlite3
import threading
from datetime import date

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from conftest import MONDAY_0930, actor, make_config
from hall import cases, clock, demo, issuing, numbers, queue
from hall.errors import CaseNumberMistyped, InvalidCaseNumber
from hall.models import Case, DailyCounter
from hall.web import create_app
from hall.web.extensions import db
from test_division_console import accept, as_user, at_window, frozen  # noqa: F401

ALPHABET = "0123456789X"


def test_the_number_reads_day_hall_serial_and_check():
    number = numbers.case_number(date(2026, 11, 23), 1, 42)
    assert re.fullmatch(r"BJ2611230010042[\dX]", number)
    assert numbers.grouped(number) == f"BJ261123-001-0042-{number[-1]}"
    assert numbers.parse_case_number(numbers.grouped(number).lower()) == number
    assert numbers.parse_case_number(number[2:]) == number  # the digits read aloud, no BJ
    assert numbers.case_number(date(2026, 11, 23), 2, 42) != number  # another hall


def test_every_mistyped_character_and_swap_is_caught():
    number = numbers.case_number(date(2026, 11, 23), 101, 7)
    body = number[2:]
    for i in range(len(body)):
        for c in ALPHABET:
            if c != body[i]:
                with pytest.raises(InvalidCaseNumber):
                    numbers.parse_case_number("BJ" + body[:i] + c + body[i + 1:])
        if i + 1 < len(body) and body[i] != body[i + 1]:
            with pytest.raises(CaseNumberMistyped):
                numbers.parse_case_number("BJ" + body[:i] + body[i + 1] + body[i] + body[i + 2:])
    for malformed in ("", "BJ", "BJ123", number + "1", "BK" + body):
        with pytest.raises(InvalidCaseNumber) as caught:
            numbers.parse_case_number(malformed)
        assert not isinstance(caught.value, CaseNumberMistyped)


def test_cases_are_numbered_per_hall_and_day_from_the_counter(app):
    with app.app_context(), clock.frozen(MONDAY_0930) as frozen:
        s = db.session
        made = []
        for hall, window, clerk in (("HQ", 3, "clerk03"), ("HQ", 3, "clerk03"),
                                    ("HRB", 2, "hrb-clerk02")):
            who = actor(app, clerk)
            number = issuing.issue_ticket(s, hall, "EXAM").number
            queue.open_window(s, hall, window, actor=who)
            queue.call_ticket(s, hall, window, number, actor=who)
            made.append(cases.accept(s, hall, window, actor=who, applicant_name="张三",
                                     subject="资格复审").case_no)
        assert [n[:-1] for n in made] == ["BJ2611230010001", "BJ2611230010002",
                                          "BJ2611231010001"]
        counter = s.get(DailyCounter, (1, date(2026, 11, 23), issuing.CASES))
        assert counter.value == 2
        frozen.advance(days=1)  # a new day starts again at 1
        who = actor(app, "clerk03")
        number = issuing.issue_ticket(s, "HQ", "EXAM").number
        queue.call_ticket(s, "HQ", 3, number, actor=who)
        assert cases.accept(s, "HQ", 3, actor=who, applicant_name="李四",
                            subject="x").case_no[:-1] == "BJ2611240010001"


def test_windows_accepting_at_once_never_share_a_number(any_app):
    """Four windows accept at the same moment, many times: every number once, 1..n."""
    app = any_app
    windows = [3, 4, 5, 6]
    with app.app_context(), clock.frozen(MONDAY_0930):
        for no in windows:
            queue.open_window(db.session, "HQ", no, actor=actor(app, f"clerk{no:02d}"))
        db.session.remove()
    errors: list[Exception] = []

    def window(no: int) -> None:
        who = actor(app, f"clerk{no:02d}")
        try:
            with app.app_context():
                for _ in range(5):
                    s = db.session
                    item = next(i.code for i in queue.get_window(s, "HQ", no).services
                                if i.division_id and i.time_limit_days)
                    number = issuing.issue_ticket(s, "HQ", item).number
                    queue.call_ticket(s, "HQ", no, number, actor=who)
                    cases.accept(s, "HQ", no, actor=who, applicant_name="王五", subject="x")
                    s.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    with clock.frozen(MONDAY_0930):
        threads = [threading.Thread(target=window, args=(no,)) for no in windows]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert errors == []
    with app.app_context():
        found = sorted(db.session.scalars(sa.select(Case.case_no)))
    assert len(found) == 20 and len(set(found)) == 20
    assert [int(n[11:15]) for n in found] == list(range(1, 21))
    assert all(numbers.parse_case_number(n) == n for n in found)


def test_the_number_is_shown_wherever_a_case_is(app, frozen):  # noqa: F811
    clerk = as_user(app, "clerk03")
    at_window(clerk)
    body = accept(clerk).get_json()
    no = body["case"]["case_no"]
    shown = numbers.grouped(no)
    assert shown in body["message"]                                   # said at the window
    assert shown in clerk.get("/hall/HQ/windows/3").get_data(as_text=True)  # today's cases
    civil = as_user(app, "division01")
    assert shown in civil.get("/hall/HQ/cases").get_data(as_text=True)      # the inbox
    page = civil.get("/hall/HQ/cases/1").get_data(as_text=True)
    assert f"<h1 id=\"case-title\">办件 {shown}</h1>" in page              # its page
    with app.app_context():
        ticket = db.session.get(Case, 1).ticket
        service_no, code = ticket.service_no, ticket.access_code
    track = app.test_client().get(f"/track/{service_no}").get_data(as_text=True)
    assert shown in track                                             # the citizen's page
    api = app.test_client().get(f"/api/v1/track/{service_no}").get_json()
    assert api[0]["cases"][0]["case_no"] == shown                     # and the API
    receipt = civil.get("/hall/HQ/cases/1/receipt.pdf")
    assert no in receipt.headers["Content-Disposition"]
    assert code  # (the receipt's text is checked in test_receipt_pdf)


def test_a_mistyped_case_number_in_the_inbox_says_so(app, frozen):  # noqa: F811
    clerk = as_user(app, "clerk03")
    at_window(clerk)
    no = accept(clerk).get_json()["case"]["case_no"]
    civil = as_user(app, "division01")
    wrong = no[:-2] + str((int(no[-2]) + 1) % 10) + no[-1]
    page = civil.get(f"/hall/HQ/cases?q={wrong}").get_data(as_text=True)
    assert "data-search-problem" in page and "校验位不符" in page
    assert 'data-case="' not in page  # never a plain "no cases"
    page = civil.get("/hall/HQ/cases?q=BJ12").get_data(as_text=True)
    assert "办件编号为 BJ 加 14 位" in page


def test_cases_already_there_are_numbered_by_the_migration(tmp_path):
    """A database at revision 0008, the one before, with cases in it: 0009 numbers them by
    hall and local day in the order they were accepted, and the counter goes on from there."""
    path = tmp_path / "old.db"
    app = create_app(make_config(f"sqlite:///{path}"))
    with app.app_context():
        upgrade(revision="0008")
        # The demo seed is written for today's models: lend the old windows table the column
        # a later revision (0010) adds, and take it back before upgrading.
        with db.engine.begin() as connection:
            connection.execute(sa.text("ALTER TABLE windows ADD COLUMN appointment_streak "
                                       "INTEGER NOT NULL DEFAULT 0"))
            # and those 0017 adds (results in the open, public notice)
            connection.execute(sa.text("ALTER TABLE halls ADD COLUMN notice_unit "
                                       "VARCHAR(8) NOT NULL DEFAULT 'working'"))
            connection.execute(sa.text("ALTER TABLE service_items ADD COLUMN results_public "
                                       "BOOLEAN NOT NULL DEFAULT 0"))
            # and those 0018 adds (applying online)
            connection.execute(sa.text("ALTER TABLE service_items ADD COLUMN apply_online "
                                       "BOOLEAN NOT NULL DEFAULT 0"))
            connection.execute(sa.text("ALTER TABLE service_items ADD COLUMN apply_fields "
                                       "JSON NOT NULL DEFAULT '[]'"))
            # and the Q&A sequence 0020 adds
            connection.execute(sa.text("ALTER TABLE halls ADD COLUMN qa_seq "
                                       "INTEGER NOT NULL DEFAULT 0"))
        demo.seed_demo(db.session, password="demo")  # halls, items, divisions, staff
        db.session.remove()
        with db.engine.begin() as connection:
            connection.execute(sa.text("ALTER TABLE windows DROP COLUMN appointment_streak"))
            connection.execute(sa.text("ALTER TABLE halls DROP COLUMN notice_unit"))
            connection.execute(sa.text("ALTER TABLE service_items DROP COLUMN results_public"))
            connection.execute(sa.text("ALTER TABLE service_items DROP COLUMN apply_online"))
            connection.execute(sa.text("ALTER TABLE service_items DROP COLUMN apply_fields"))
            connection.execute(sa.text("ALTER TABLE halls DROP COLUMN qa_seq"))
        db.engine.dispose()
    with sqlite3.connect(path) as c:
        service, division = c.execute("SELECT id, division_id FROM service_items "
                                      "WHERE code = 'EXAM' AND hall_id = 1").fetchone()
        staff = c.execute("SELECT id FROM staff WHERE username = 'clerk03'").fetchone()[0]
        # 17:00 UTC on the 22nd is 01:00 on the 23rd in Harbin: that case is of the 23rd.
        accepted = [(1, "2026-11-22 15:00:00"), (1, "2026-11-22 17:00:00"),
                    (2, "2026-11-23 02:00:00"), (1, "2026-11-23 03:00:00")]
        for i, (hall_id, at) in enumerate(accepted, start=1):
            c.execute("INSERT INTO tickets (id, hall_id, day, prefix, seq, number, service_no,"
                      " access_code, service_id, status, is_priority, queued_at, issued_at,"
                      " call_count, source) VALUES (?, ?, '2026-11-23', 'A', ?, ?, ?, 'X', ?,"
                      " 'finished', 0, ?, ?, 0, 'kiosk')",
                      (i, hall_id, i, f"A00{i}", f"26112300100{i:03d}X", service, at, at))
            c.execute("INSERT INTO cases (id, hall_id, ticket_id, service_id, division_id, state,"
                      " first_owner_id, subject, accepted_at, warning, ever_red, extension_days,"
                      " missing_documents, due_provisional) VALUES (?, ?, ?, ?, ?, 'accepted', ?,"
                      " 'x', ?, 'none', 0, 0, '[]', 0)",
                      (i, hall_id, i, service, division, staff, at))
    with app.app_context():
        upgrade()
        rows = dict(db.session.execute(sa.select(Case.id, Case.case_no)).all())
        counters = {(h, d.isoformat()): v for h, d, v in db.session.execute(
            sa.select(DailyCounter.hall_id, DailyCounter.day, DailyCounter.value)
            .where(DailyCounter.name == issuing.CASES)).all()}
        db.session.remove()
        db.engine.dispose()
    assert {k: v[:-1] for k, v in rows.items()} == {
        1: "BJ2611220010001", 2: "BJ2611230010001", 3: "BJ2611231010001",
        4: "BJ2611230010002"}
    assert all(numbers.parse_case_number(v) == v for v in rows.values())
    assert counters == {(1, "2026-11-22"): 1, (1, "2026-11-23"): 2, (2, "2026-11-23"): 1}
