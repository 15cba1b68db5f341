"""What the domain is configured with, carried by the database engine it works on.

The domain reads no Flask config and keeps no settings in module globals: the app that owns
an engine hands it a ``HallSettings`` (``bind``), and every move reads them back from the
session it was given (``of``). Two apps in one process (tests, a cluster test's workers) have
two engines, so each sees its own values; a session on an engine nobody configured (a script,
a migration) gets the defaults, which are the hall's rules as written in SPEC §7.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session

from .callorder import DEFAULT_POLICY, Policy

_OPTION = "hall_settings"


@dataclass(frozen=True)
class HallSettings:
    # Acceptance after this time counts from the next working day (CLOSE_OF_BUSINESS).
    close_of_business: time = time(17)
    # A day's business ends at its last closing time, or at this time when later (END_OF_DAY).
    end_of_day: time = time(18)
    # An appointment checks in from this many minutes before its slot (APPOINTMENT_EARLY)
    # to this many after its start (APPOINTMENT_LATE); later, it is missed.
    appointment_early_minutes: int = 30
    appointment_late_minutes: int = 15
    # This many missed appointments within so many days block booking for so many days from
    # the last one (MISSED_APPOINTMENTS, MISSED_APPOINTMENTS_DAYS, BOOKING_BLOCK_DAYS).
    missed_limit: int = 3
    missed_within_days: int = 90
    blocked_for_days: int = 30
    # A remote ticket's place is kept this long from when it was taken (REMOTE_HOLD_MINUTES).
    remote_hold_minutes: int = 60
    # Whom a window calls next (PRIORITY_MAX_STREAK, APPOINTMENT_MAX_STREAK, WALK_IN_MAX_WAIT).
    call_policy: Policy = DEFAULT_POLICY
    # Notifications (hall.notices, hall.outbox): "nearly your turn" at this many people ahead
    # (NOTIFY_AHEAD); the day-before reminder from this hall time (NOTIFY_REMINDER_AT); tries
    # per notification (NOTIFY_MAX_ATTEMPTS), the first retry after NOTIFY_RETRY_SECONDS,
    # each next one twice as late; a sender holds a claimed row NOTIFY_LEASE_SECONDS.
    notify_ahead: int = 3
    reminder_at: time = time(18)
    notify_max_attempts: int = 5
    notify_retry_seconds: int = 30
    notify_lease_seconds: int = 120


DEFAULT = HallSettings()


def bind(engine: Engine, settings: HallSettings) -> None:
    """Every session on ``engine`` works with ``settings`` from now on."""
    engine.update_execution_options(**{_OPTION: settings})


def of(session: Session | scoped_session) -> HallSettings:
    """The settings of the engine ``session`` works on (the defaults if none were bound)."""
    bind_ = session.get_bind()
    return bind_.get_execution_options().get(_OPTION, DEFAULT)
