"""The scheduled jobs of a serving process: the deadline marks, every minute by default, the
missed appointments, the bookings a closure stranded (``hall.closures.sweep``), the
appointment reminders and the notification sender (every
NOTIFY_SEND_INTERVAL seconds, ``hall.outbox``), the end of public notices whose period is
over (``hall.notices_public``), and the end of day, which closes each hall's
day once its business has ended (its last closing time, or END_OF_DAY when later:
``hall.hours``), on the hall's clock (HALL_CLOCK).

Started by ``run.py`` (and later the production server), never by ``flask`` commands or the
tests. Every process may run a scheduler; each job's lease (``hall.lease``: "deadlines" and
"end-of-day") lets one act at a time, and another takes over within the
lease's time if that one dies. The notification jobs need no lease: what they write is
written once by its key, and a row of the outbox is claimed by one sender only.
"""
from __future__ import annotations

import atexit
import logging
import os
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from hall import (
    bookings,
    clock,
    closures,
    deadlines,
    endofday,
    files,
    lease,
    notices,
    notices_public,
    outbox,
)
from hall.events import SYSTEM

from .extensions import db

log = logging.getLogger(__name__)


def start(app: Flask) -> BackgroundScheduler | None:
    """Start this process's scheduler, unless SCHEDULER_ENABLED is off or this is the
    watching parent of Werkzeug's reloader (which would run every job twice)."""
    if not app.config["SCHEDULER_ENABLED"]:
        log.info("scheduler disabled in this process (SCHEDULER_ENABLED=0)")
        return None
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return None
    interval = int(app.config["SCHEDULER_INTERVAL"])
    holder = lease.holder_name()
    ttl = timedelta(seconds=interval * 3)  # a holder that missed two ticks has died

    def mark_deadlines() -> None:
        with app.app_context():
            try:
                result = deadlines.run(db.session, holder=holder, ttl=ttl)
                if result is not None and result.total:
                    log.info("deadlines: %d yellow, %d red, follow-ups %d yellow, %d red, "
                             "enquiries %d yellow, %d red",
                             result.yellow, result.red, result.followups_yellow,
                             result.followups_red, result.enquiries_yellow,
                             result.enquiries_red)
            except Exception:  # the next tick must still come
                log.exception("the deadline job failed")
            finally:
                db.session.remove()

    def close_days() -> None:
        """Checked every interval, acting once a hall's day has ended: the day is closed
        once (its kept report says so), whichever process gets there; a closed day that
        still has open tickets has them closed and its report made again."""
        with app.app_context():
            try:
                for done in endofday.run(db.session, holder=holder, ttl=ttl) or ():
                    log.info("end of day %s %s (report version %d): %d not served, "
                             "%d windows closed", done.hall, done.day, done.version,
                             done.unserved, done.windows_closed)
            except Exception:
                log.exception("the end-of-day job failed")
            finally:
                db.session.remove()

    def record_missed() -> None:
        """Appointments not checked in by the late limit: missed, their places freed."""
        with app.app_context():
            try:
                missed = bookings.record_missed(db.session, actor=SYSTEM)
                if missed:
                    log.info("appointments: %d missed", missed)
            except Exception:
                log.exception("the missed-appointments job failed")
            finally:
                db.session.remove()

    def cancel_stranded() -> None:
        """Bookings of a slot a closure took away, booked through another process's cached
        hours or at the closure's very moment: cancelled, their holders told."""
        with app.app_context():
            try:
                cancelled = closures.sweep(db.session, actor=SYSTEM)
                if cancelled:
                    log.info("appointments: %d cancelled, the hall is closed then",
                             len(cancelled))
            except Exception:
                log.exception("the stranded-bookings job failed")
            finally:
                db.session.remove()

    def remind() -> None:
        """The day-before reminders of tomorrow's bookings, once the hall's hour has come."""
        with app.app_context():
            try:
                written = notices.queue_reminders(db.session, clock.now())
                if written:
                    log.info("notifications: %d appointment reminders written", written)
            except Exception:
                log.exception("the reminder job failed")
            finally:
                db.session.remove()

    def end_notices() -> None:
        """Public notices (公示) whose period is over: ended, the case's clock running again.
        Safe in every process at once: each notice is ended once, under its row's lock."""
        with app.app_context():
            try:
                for notice in notices_public.end_due(db.session):
                    log.info("public notice %d ended: %d objections", notice.id,
                             notice.objections)
            except Exception:
                log.exception("the public-notice job failed")
            finally:
                db.session.remove()

    channels = app.extensions["notify_channels"]
    batch = int(app.config["NOTIFY_BATCH"])

    def send_notifications() -> None:
        """"Nearly your turn" for who is close, then whatever is due in the outbox. Safe in
        every process at once: the notices are written once by key, rows claimed once."""
        with app.app_context():
            try:
                notices.queue_nearly(db.session, clock.now())
                report = outbox.send_due(db.session, channels, clock.now(), batch)
                if report.claimed:
                    log.info("notifications: %d sent, %d to retry, %d failed", report.sent,
                             report.retrying, report.failed)
            except Exception:
                log.exception("the notification sender failed")
            finally:
                db.session.remove()

    def expire_files() -> None:
        """Files kept past their retention time (withdrawn or refused applications): their
        bytes deleted, each deletion audited. Safe in every process: a file is taken once."""
        with app.app_context():
            try:
                deleted = files.expire(db.session, clock.now())
                if deleted:
                    log.info("files: %d deleted after their retention time", deleted)
            except Exception:
                log.exception("the file retention job failed")
            finally:
                db.session.remove()

    scheduler = BackgroundScheduler(timezone=UTC, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": interval})
    scheduler.add_job(mark_deadlines, "interval", seconds=interval, id="deadlines",
                      next_run_time=datetime.now(UTC))
    scheduler.add_job(close_days, "interval", seconds=interval, id="end-of-day",
                      next_run_time=datetime.now(UTC))
    scheduler.add_job(record_missed, "interval", seconds=interval, id="missed-appointments",
                      next_run_time=datetime.now(UTC))
    scheduler.add_job(cancel_stranded, "interval", seconds=interval, id="stranded-bookings",
                      next_run_time=datetime.now(UTC))
    scheduler.add_job(remind, "interval", seconds=interval, id="reminders",
                      next_run_time=datetime.now(UTC))
    scheduler.add_job(expire_files, "interval", seconds=interval, id="file-retention",
                      next_run_time=datetime.now(UTC))
    scheduler.add_job(end_notices, "interval", seconds=interval, id="public-notices",
                      next_run_time=datetime.now(UTC))
    send_every = float(app.config["NOTIFY_SEND_INTERVAL"])
    scheduler.add_job(send_notifications, "interval", seconds=send_every, id="notifications",
                      next_run_time=datetime.now(UTC),
                      misfire_grace_time=max(1, int(send_every)))
    scheduler.start()

    def stop() -> None:
        scheduler.shutdown(wait=False)
        with app.app_context():
            deadlines.release(db.session, holder=holder)  # hand over at once, not after ttl
            endofday.release(db.session, holder=holder)
            db.session.remove()

    atexit.register(stop)
    return scheduler
