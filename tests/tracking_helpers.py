"""A hall in which a visitor takes a number and a case is accepted and worked, for the
tracking and rating tests. The clock stays frozen for the requests too; each move of the
hall runs in an app context of its own, so that requests never share the test's session or
its cached locale."""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from stdnum.iso7064 import mod_11_2

from conftest import actor
from hall import calendar, cases, clock, issuing, queue
from hall.models import Case
from hall.web.extensions import db

# Monday 2026-11-23, 09:30 in Harbin (UTC+8).
MONDAY = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
# Values no page may show without the access code.
NAME, PHONE, SUBJECT = "欧阳锋芒", "13912345678", "欧阳锋芒的职称资格复审材料"


def id_no() -> str:
    body = "11010519800101123"
    return body + mod_11_2.calc_check_digit(body)


def never_issued(service_no: str) -> str:
    """A well-formed service number of the same day and hall that was never issued."""
    body = service_no[:9] + "90000"
    return body + mod_11_2.calc_check_digit(body)


class Desk:
    """The hall's side: a number taken, served at a window, accepted as a case, worked."""

    def __init__(self, app, frozen):
        self.app, self.clock = app, frozen
        self.clerk = actor(app, "clerk03")
        self.civil = actor(app, "division01")
        self.manager = actor(app, "manager")
        with self.session() as session:
            calendar.import_official(session)
            queue.open_window(session, "HQ", 3, actor=self.clerk)

    @contextmanager
    def session(self):
        with self.app.app_context():
            yield db.session

    def do(self, move, *args, **kwargs):
        """A move of ``hall.cases`` (or any domain function taking the session first)."""
        with self.session() as session:
            return move(session, *args, **kwargs)

    def ticket(self, service: str = "EXAM"):
        return self.do(issuing.issue_ticket, "HQ", service)

    def serve(self, ticket, window: int = 3):
        self.do(queue.call_ticket, "HQ", window, ticket.number, actor=self.clerk)

    def finish(self, ticket):
        self.serve(ticket)
        self.do(queue.finish, "HQ", 3, actor=self.clerk, number=ticket.number)

    def accept(self, ticket=None) -> tuple[object, Case]:
        ticket = ticket or self.ticket()
        self.serve(ticket)
        case = self.do(cases.accept, "HQ", 3, actor=self.clerk, applicant_name=NAME,
                       subject=SUBJECT, applicant_id_no=id_no(), applicant_phone=PHONE)
        return ticket, case

    def close(self, case: Case) -> None:
        self.do(cases.take, case.id, actor=self.civil)
        self.do(cases.decide, case.id, actor=self.civil, outcome="approved")
        self.do(cases.mark_ready, case.id, actor=self.civil)
        self.do(cases.close, case.id, actor=self.clerk, note="已领取")


@pytest.fixture
def desk(app):
    with clock.frozen(MONDAY) as frozen:
        yield Desk(app, frozen)


def csrf(client, path: str = "/track") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
