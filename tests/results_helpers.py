"""The hall's side for the tests of results in the open and public notice (issue 15): cases
accepted at the window, worked by their division, decided, put under public notice; the
clock frozen for the moves and the requests alike."""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import UTC, datetime

from stdnum.iso7064 import mod_11_2

from conftest import actor
from hall import calendar, cases, issuing, notices_public, queue
from hall.models import Case
from hall.web.extensions import db

# Monday 2026-11-23, 10:00 in Harbin (UTC+8).
MONDAY_10 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
# Where each demo item is served and by whom (demo: clerk NN works window NN).
DESKS = {"TITLE": (5, "division02"), "EXAM": (3, "division01"),
         "TRANSFER": (20, "division03"), "ARMY": (20, "division09")}
# People of the demo cases: names, resident ID numbers, mobile numbers and matters no public
# page may ever show in full.
PEOPLE = (("欧阳锋芒", "13912345678", "欧阳锋芒申报高级工程师职称"),
          ("张三丰", "13800138000", "张三丰的中级职称评审材料"),
          ("李秀兰", "15011112222", "李秀兰公务员资格复审"),
          ("王建国", "18698765432", "王建国人事调动审批"))


def id_no(serial: int) -> str:
    body = f"23010319850312{serial + 100:03d}"
    return body + mod_11_2.calc_check_digit(body)


class Office:
    """Moves of the hall, each in an app context of its own (as a request would be)."""

    def __init__(self, app):
        self.app = app
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

    def case(self, service: str = "TITLE", person: int = 0, *, take: bool = True) -> int:
        """A visitor's matter accepted at the item's window and taken up by its division."""
        window, division = DESKS[service]
        clerk = actor(self.app, f"clerk{window:02d}")
        name, phone, subject = PEOPLE[person % len(PEOPLE)]
        ticket = self.do(issuing.issue_ticket, "HQ", service)
        self.do(queue.open_window, "HQ", window, actor=clerk)
        self.do(queue.call_ticket, "HQ", window, ticket.number, actor=clerk)
        case = self.do(cases.accept, "HQ", window, actor=clerk, applicant_name=name,
                       subject=subject, applicant_id_no=id_no(person), applicant_phone=phone)
        if take:
            self.do(cases.take, case.id, actor=actor(self.app, division))
        return case.id

    def worker(self, case_id: int):
        """A member of the case's division."""
        with self.session() as session:
            service = session.get(Case, case_id).service.code
        return actor(self.app, DESKS[service][1])

    def decide(self, case_id: int, outcome: str = "approved", reason: str | None = None):
        return self.do(cases.decide, case_id, outcome=outcome, reason=reason,
                       actor=self.worker(case_id))

    def notice(self, case_id: int, text: str = "拟通过职称评审：欧**芒，高级", days=3, by=None):
        return self.do(notices_public.put_under_notice, case_id, text=text, days=days,
                       actor=by or self.manager)

    def get(self, case_id: int) -> Case:
        with self.session() as session:
            case = session.get(Case, case_id)
            session.expunge(case)  # detached: read its columns after the context
            return case

    def case_no(self, case_id: int) -> str:
        return self.get(case_id).case_no


def csrf(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
