"""The outbox: notifications written with their moves, sent afterwards, each exactly once.

Writing (``enqueue``) is an INSERT … ON CONFLICT DO NOTHING on the notification's dedupe key,
inside the caller's transaction: a rolled-back move leaves nothing, and whatever writes the
same notification twice (a job in two processes, a retried request) writes one row.

Sending (``send_due``) never runs inside a move, so a slow or broken gateway never holds up
a call or a booking. A sender claims due rows with one UPDATE (status 'sending', a lease
until ``now + NOTIFY_LEASE_SECONDS``, its own claim token): two senders, in two threads or
two processes, never claim one row, on SQLite (one writer at a time) or PostgreSQL (rows
locked, SKIP LOCKED, the claim re-checked on the locked row). Each row is then sent and its
result recorded on its own: sent; or, while tries are left, pending again after
``NOTIFY_RETRY_SECONDS`` × 2^(tries − 1); or failed, for a manager to see (``attention``) and
send again (``retry``). A sender that dies holding rows leaves them 'sending'; once its lease
has passed they are due again and another sender takes them.

Exactly once, as far as a gateway lets anyone: a message is recorded as sent right after the
gateway took it; only a process killed between those two instants sends it again, and the
gateway gets the same idempotency key (the dedupe key) both times.
"""
from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from . import access, clock, kinds, settings
from .channels import Channel, Message
from .db import in_write_transaction, operation, write_transaction
from .errors import HallError, NotAManager
from .events import Actor, record
from .messages import N_, Term
from .models import Hall, Notification, NotificationAttempt, NotificationStatus, Role, Staff

OUT, TRIES = Notification.__table__, NotificationAttempt.__table__
PENDING, SENDING = NotificationStatus.PENDING.value, NotificationStatus.SENDING.value
SENT, FAILED = NotificationStatus.SENT.value, NotificationStatus.FAILED.value
OPERATOR = Actor("operator")  # the person at the server's command line
ERROR_KEPT = 1000
# Written out as the partial index ``ix_outbox_due`` is: SQLite uses a partial index only when
# the query repeats its WHERE terms as literals.
_OPEN = text("outbox.status IN ('pending', 'sending')")


class NotificationNotFound(HallError):
    status = 404
    code = "notification-not-found"
    message = N_("There is no such notification.")


class NotificationNotRetryable(HallError):
    status = 409
    code = "notification-not-retryable"
    message = N_("This notification is %(status)s: only one that failed or is still waiting "
                 "can be sent again.")


# -- writing -------------------------------------------------------------------------------------

def _insert(dialect_name: str):
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(OUT).on_conflict_do_nothing(index_elements=[OUT.c.dedupe_key])


def enqueue(session: Session, *, hall_id: int, kind: str, recipient: str, channel: str,
            text: str, dedupe_key: str, now: datetime | None = None) -> bool:
    """Write one notification in the caller's transaction, due at once; False when one with
    this dedupe key exists already (nothing is written)."""
    now = now or clock.now()
    statement = _insert(session.get_bind().dialect.name).values(
        hall_id=hall_id, kind=kind, recipient=recipient, channel=channel, text=text,
        dedupe_key=dedupe_key[:120], status=PENDING, attempts=0, next_attempt_at=now,
        created_at=now).returning(OUT.c.id)
    return session.connection().execute(statement).first() is not None


def existing_keys(session: Session, keys: list[str]) -> set[str]:
    """Which of ``keys`` are written already (so a job renders only the new ones)."""
    if not keys:
        return set()
    return set(session.scalars(select(OUT.c.dedupe_key).where(OUT.c.dedupe_key.in_(keys))))


# -- sending ---------------------------------------------------------------------------------------

@dataclass
class SendReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def due_now(session: Session, now: datetime) -> bool:
    """Whether any row is due (a read of the partial index, ending its transaction)."""
    found = session.scalar(select(OUT.c.id).where(_OPEN, OUT.c.next_attempt_at <= now)
                           .limit(1))
    session.rollback()
    return found is not None


def claim(session: Session, now: datetime, batch: int, lease: timedelta) -> tuple[str, list]:
    """Take up to ``batch`` due rows for this sender until ``now + lease``: its claim token
    and the rows (id, kind, recipient, channel, text, dedupe_key, attempts, hall)."""
    token = secrets.token_hex(16)
    due = (select(OUT.c.id).where(_OPEN, OUT.c.next_attempt_at <= now)
           .order_by(OUT.c.next_attempt_at, OUT.c.id).limit(batch))
    if session.get_bind().dialect.name == "postgresql":
        # Rows another sender is claiming right now are left to it, not waited for.
        due = due.with_for_update(skip_locked=True)
    statement = (
        update(OUT)
        # The conditions again on the row itself: on PostgreSQL a row claimed meanwhile by
        # another sender is re-read after its lock and no longer matches.
        .where(OUT.c.id.in_(due.scalar_subquery()), _OPEN, OUT.c.next_attempt_at <= now)
        .values(status=SENDING, next_attempt_at=now + lease, claim=token)
        .returning(OUT.c.id, OUT.c.kind, OUT.c.recipient, OUT.c.channel, OUT.c.text,
                   OUT.c.dedupe_key, OUT.c.attempts, OUT.c.hall_id))
    with write_transaction(session):
        rows = session.execute(statement).all()
    return token, sorted(rows, key=lambda row: row.id)


def send_due(session: Session, channels: Mapping[str, Channel], now: datetime,
             batch: int = 50) -> SendReport:
    """Send what is due: claim, send each through the channel of its kind of recipient,
    record every attempt. Runs outside any move (the scheduler's job, ``flask outbox send``).

    Sending stops when half the lease has gone (slow gateways): what is left is given back
    at once. ``KeyboardInterrupt`` and ``SystemExit`` are let through, as for a killed
    process: a dying process writes nothing more, and its rows come back when its lease ends.
    """
    if in_write_transaction(session):
        raise RuntimeError("sending inside a move: a gateway would hold the move up")
    config = settings.of(session)
    lease = timedelta(seconds=config.notify_lease_seconds)
    if not due_now(session, now):
        return SendReport()  # no write transaction every few seconds for nothing
    token, rows = claim(session, now, batch, lease)
    report = SendReport(claimed=len(rows))
    halls = _hall_names(session, {row.hall_id for row in rows})
    stop_at = now + lease / 2
    for index, row in enumerate(rows):
        if clock.now() >= stop_at:
            _give_back(session, token, [r.id for r in rows[index:]])
            break
        channel = channels[row.channel]
        error = None
        try:
            channel.send(Message(row.id, row.kind, row.recipient, row.text, row.dedupe_key,
                                 halls.get(row.hall_id, "")))
        except Exception as failure:  # noqa: BLE001 - any failure of a gateway is recorded
            error = f"{type(failure).__name__}: {failure}"[:ERROR_KEPT]
        outcome = _record(session, row, token, channel.name, error, config)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def _hall_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Hall.id, Hall.name_zh).where(Hall.id.in_(ids))).all())


LONGEST_WAIT = timedelta(hours=6)


def backoff(attempts: int, config: settings.HallSettings) -> timedelta:
    """The wait before try ``attempts + 1``: the base delay, doubled after each failure (at
    most ``LONGEST_WAIT``, whatever NOTIFY_MAX_ATTEMPTS allows)."""
    doubled = config.notify_retry_seconds * 2 ** min(max(0, attempts - 1), 20)
    return min(timedelta(seconds=doubled), LONGEST_WAIT)


def _record(session: Session, row, token: str, channel_name: str, error: str | None,
            config: settings.HallSettings) -> str:
    """The attempt's row, and the notification's new state if this sender still holds it;
    which of the report's counts it adds to."""
    at = clock.now()
    attempts = row.attempts + 1
    if error is None:
        values: dict = {"status": SENT, "sent_at": at, "claim": None}
        outcome = "sent"
    elif attempts >= config.notify_max_attempts:
        values = {"status": FAILED, "claim": None, "last_error": error}
        outcome = "failed"
    else:
        values = {"status": PENDING, "claim": None, "last_error": error,
                  "next_attempt_at": at + backoff(attempts, config)}
        outcome = "retrying"
    with write_transaction(session):
        session.execute(insert(TRIES).values(
            notification_id=row.id, at=at, result="sent" if error is None else "error",
            error=error, channel=channel_name))
        session.execute(update(OUT).where(OUT.c.id == row.id, OUT.c.claim == token,
                                        OUT.c.status == SENDING)
                        .values(attempts=OUT.c.attempts + 1, **values))
    return outcome


def _give_back(session: Session, token: str, ids: list[int]) -> None:
    with write_transaction(session):
        session.execute(update(OUT).where(OUT.c.id.in_(ids), OUT.c.claim == token,
                                        OUT.c.status == SENDING)
                        .values(status=PENDING, next_attempt_at=clock.now(), claim=None))


# -- what managers see and do ---------------------------------------------------------------------

def attention(session: Session, hall_id: int, now: datetime, stuck: timedelta,
              limit: int = 200) -> list[Notification]:
    """A hall's notifications that need a look: failed, or still not sent ``stuck`` after
    they were written; the newest first."""
    return list(session.scalars(
        select(Notification).where(
            Notification.hall_id == hall_id,
            or_(Notification.status == FAILED,
                (Notification.status.in_((PENDING, SENDING)))
                & (Notification.created_at <= now - stuck)))
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def attempts_of(session: Session, ids: list[int]) -> dict[int, list[NotificationAttempt]]:
    found: dict[int, list[NotificationAttempt]] = {i: [] for i in ids}
    if ids:
        for attempt in session.scalars(select(NotificationAttempt).where(
                NotificationAttempt.notification_id.in_(ids)).order_by(NotificationAttempt.id)):
            found[attempt.notification_id].append(attempt)
    return found


def listing(session: Session, *, hall_id: int | None = None, status: str | None = None,
            limit: int = 100) -> list[Notification]:
    query = select(Notification).order_by(Notification.id.desc()).limit(limit)
    if hall_id is not None:
        query = query.where(Notification.hall_id == hall_id)
    if status is not None:
        query = query.where(Notification.status == status)
    return list(session.scalars(query))


@operation
def retry(session: Session, notification_id: int, *, actor: Actor,
          hall_code: str | None = None) -> Notification:
    """Send a failed (or stuck) notification again, with a full set of tries: a manager of
    its hall, or the operator at the server. Audited. With ``hall_code`` (the page's hall), a
    notification of another hall is not found."""
    row = session.scalar(select(Notification).where(Notification.id == notification_id)
                         .with_for_update().execution_options(populate_existing=True))
    if row is None:
        raise NotificationNotFound()
    hall = session.get(Hall, row.hall_id)
    assert hall is not None  # a foreign key
    if hall_code is not None and hall.code != hall_code:
        raise NotificationNotFound()
    if actor != OPERATOR:
        staff = session.get(Staff, actor.staff_id) if actor.staff_id else None
        if staff is None or not staff.has_role(Role.MANAGER) or not access.sees_hall(
                staff, hall):
            raise NotAManager(N_("Only a manager of this hall can send a notification again."))
    now = clock.now()
    if row.status == SENT or (row.status == SENDING and row.next_attempt_at > now):
        raise NotificationNotRetryable(status=Term(kinds.NOTIFICATION_STATUSES[row.status]))
    tried = row.attempts
    row.status, row.attempts, row.claim, row.next_attempt_at = PENDING, 0, None, now
    record(session, hall, "notification.retried", actor=actor, notification=row.id,
           notice=row.kind, attempts=tried)
    return row

