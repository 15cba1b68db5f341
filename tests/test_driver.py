"""The hot path's statements run through the driver (hall.driver) send exactly what
SQLAlchemy would send, inside the caller's transaction, on SQLite and on PostgreSQL."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from hall import driver, issuing
from hall.db import write_transaction
from hall.events import _COLUMNS as EVENT_COLUMNS
from hall.events import _INSERT as INSERT_EVENT
from hall.models import Event, Ticket
from hall.web.extensions import db

NOON = datetime(2026, 11, 23, 4, 0, 5, 123456, tzinfo=UTC)
TICKET = {
    "hall_id": 1, "day": date(2026, 11, 23), "prefix": "A", "seq": 9001, "number": "A9001",
    "service_no": "261123001999999", "access_code": "ABCDEFGH", "service_id": 1,
    "status": "waiting", "is_priority": True, "priority_reason": "elderly", "queued_at": NOON,
    "issued_at": NOON, "source": "api", "request_key": None, "call_count": 0,
    "appointment_at": None, "away": False, "device_id": None,
}
EVENT = {
    "hall_id": 1, "at": NOON, "kind": "ticket.issued", "actor": "kiosk", "actor_id": None,
    "ticket_id": None, "case_id": None, "window_id": None, "enquiry_id": None,
    "data": {"number": "A9001", "服务": "不动产登记", "n": [1, 2]}, "seq": None,
}


def _sent(connection, run) -> list[tuple[str, object]]:
    """What reached the driver while ``run`` ran: each statement and its parameters (the
    psycopg JSON wrapper unwrapped, to compare its content)."""
    sent: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement, parameters, *_args) -> None:
        if isinstance(parameters, dict):
            parameters = {k: getattr(v, "obj", v) for k, v in parameters.items()}
        else:
            parameters = tuple(getattr(v, "obj", v) for v in parameters)
        sent.append((statement, parameters))

    sa.event.listen(connection, "before_cursor_execute", seen)
    try:
        run()
    finally:
        sa.event.remove(connection, "before_cursor_execute", seen)
    return sent


def test_the_driver_sends_what_sqlalchemy_sends(any_app):
    """The ticket's insert (a date, UTC instants, a flag, nulls), the event's (JSON with
    Chinese), the service lookup (literals in the statement) and a counter's upsert."""
    cases = [
        (issuing._INSERT_TICKET, TICKET, issuing._TICKET_COLUMNS),
        (INSERT_EVENT, EVENT, EVENT_COLUMNS),
        (issuing._SERVICE_LOOKUP[True], {"hall_id": 1, "day": date(2026, 11, 23),
                                         "service": "EXAM"}, None),
    ]
    with any_app.app_context():
        connection = db.engine.connect()
        counter = issuing._NEXT_VALUE[connection.dialect.name]
        cases.append((counter, {"hall_id": 1, "day": date(2026, 11, 23), "name": "Z"}, None))
        try:
            for statement, params, keys in cases:
                def by_sqlalchemy(statement=statement, params=params):
                    connection.execute(statement, dict(params))

                def by_driver(statement=statement, params=params, keys=keys):
                    driver.first(connection, statement, dict(params), keys=keys)

                sent = []
                for run in (by_sqlalchemy, by_driver):
                    with connection.begin() as transaction:
                        sent.append(_sent(connection, run))
                        transaction.rollback()
                assert sent[1] == sent[0]
        finally:
            connection.close()


@pytest.mark.hall_open  # tickets are taken: in opening hours, whatever the suite's clock
def test_what_the_driver_wrote_reads_back_through_the_orm_and_rolls_back_with_the_move(any_app):
    """A ticket issued through the driver is the row the ORM reads; a move that fails after
    its statements leaves nothing, the numbers included."""
    with any_app.app_context():
        issued = issuing.issue_ticket(db.session, "HQ", "EXAM", priority="elderly")
        db.session.remove()
        ticket = db.session.get(Ticket, issued.id)
        assert (ticket.number, ticket.service_no, ticket.is_priority, ticket.day) == (
            issued.number, issued.service_no, True, issued.day)
        assert ticket.queued_at == issued.issued_at and ticket.queued_at.tzinfo is not None
        event = db.session.scalar(sa.select(Event).where(Event.ticket_id == issued.id))
        assert event.kind == "ticket.issued" and event.data["priority"] == "elderly"
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Ticket))
        db.session.remove()

        with pytest.raises(RuntimeError), write_transaction(db.session) as session:
            issuing.issue_ticket(session, "HQ", "EXAM")
            raise RuntimeError("the move fails after the ticket's statements")
        db.session.remove()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == before
        again = issuing.issue_ticket(db.session, "HQ", "EXAM")
        assert again.number == f"A{int(issued.number[1:]) + 1:03d}"  # the number came back


def test_expanding_parameters_are_refused_not_sent_wrong(app):
    with app.app_context():
        statement = sa.select(Ticket.id).where(Ticket.id.in_(sa.bindparam("ids",
                                                                          expanding=True)))
        with pytest.raises(ValueError, match="expanding"):
            driver.prepare(db.engine.dialect, statement)
