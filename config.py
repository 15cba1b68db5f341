"""Configuration read from the environment.

Every setting has a safe embedded default (SQLite in ``instance/``, one process, no Redis) so
that ``make run`` works on a fresh machine; production overrides them with environment
variables (see README, "Configuration").
"""
from __future__ import annotations

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once per installation.

    The generated key is kept in ``instance/secret_key`` (never committed) so that sessions
    survive a restart of an embedded installation without anyone having to invent a secret.
    """
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    path = INSTANCE / "secret_key"
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


# Limits raised for a load test or a test suite driving the hall from one address (bench/,
# tests/): the same settings an installation would set in its environment.
LOAD_TEST_LIMITS = {
    "DEVICE_ISSUE_LIMIT": "100000 per second", "ISSUE_ADDRESS_LIMIT": "100000 per second",
    "PUBLIC_RATE_LIMIT": "100000 per second", "SOCKET_MAX_PER_ADDRESS": "100000",
    "BOOKING_RATE_LIMIT": "100000 per second", "KIOSK_CHECKIN_ATTEMPTS": "100000 per second",
    "REMOTE_RATE_LIMIT": "100000 per second", "ENQUIRY_RATE_LIMIT": "100000 per second",
}


class Config:
    """Settings for a real installation; values are read when the class is instantiated."""

    def _secret_key(self) -> str:
        return _secret_key()

    def _hall_clock(self) -> tuple[str | None, float | None]:
        """HALL_CLOCK (SPEC §7), and the wall-clock moment it started at. The first process
        that reads it notes that moment in its environment (HALL_CLOCK_STARTED), so that the
        processes it starts (gunicorn's workers, also one restarted later) keep its hall
        time instead of starting the day again."""
        value = os.environ.get("HALL_CLOCK", "").strip() or None
        if value is None:
            return None, None
        started = os.environ.setdefault("HALL_CLOCK_STARTED", repr(time.time()))
        return value, float(started)

    def __init__(self) -> None:
        self.SECRET_KEY = self._secret_key()
        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE / 'hall.db'}"
        )
        self.SQLALCHEMY_ENGINE_OPTIONS: dict = {}
        # NORMAL survives a killed process; FULL also a power cut, at a disk sync per write.
        self.SQLITE_SYNCHRONOUS = os.environ.get("SQLITE_SYNCHRONOUS", "NORMAL").upper()
        self.REDIS_URL = os.environ.get("REDIS_URL") or None
        # The Redis channel every process of one installation emits on (Flask-SocketIO's
        # default); two installations sharing a Redis need two channels.
        self.SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL", "flask-socketio")
        self.HOST = os.environ.get("HOST", "127.0.0.1")
        self.PORT = int(os.environ.get("PORT", "5000"))
        self.ACCESS_LOG = _flag("ACCESS_LOG", True)
        # "text" (as it always was) or "json": one JSON object per line, with the request's
        # id (X-Request-ID) on every line made while serving it (hall/web/logs.py).
        self.LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
        # How many proxies in front set X-Forwarded-For/-Proto/-Host (0: none, trust nobody).
        self.PROXIES = int(os.environ.get("PROXIES", "0"))
        # Security headers (hall/web/security.py): unset means the hall's own policy; a
        # value replaces it, an empty value turns it off (should a proxy set its own).
        self.CONTENT_SECURITY_POLICY = os.environ.get("CONTENT_SECURITY_POLICY")
        self.REFERRER_POLICY = os.environ.get("REFERRER_POLICY", "same-origin")
        # The address printed in QR codes; empty means "the address the kiosk used".
        self.PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")
        self.DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo")
        # Request bodies larger than this are refused with 413 before any parsing.
        self.MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(64 * 1024)))
        # A request body must arrive whole within this many seconds, else 408 (#11.15).
        self.REQUEST_BODY_SECONDS = float(os.environ.get("REQUEST_BODY_SECONDS", "10"))
        # A kiosk page stays open all day; its CSRF token lives as long as the session.
        self.WTF_CSRF_TIME_LIMIT = None
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", False)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.REMEMBER_COOKIE_HTTPONLY = True
        # A signed-in session lasts a working day; API tokens likewise unless told otherwise.
        self.PERMANENT_SESSION_LIFETIME = timedelta(
            hours=float(os.environ.get("SESSION_HOURS", "12")))
        self.API_TOKEN_HOURS = float(os.environ.get("API_TOKEN_HOURS", "12"))
        # Rate limits count in Redis when there is one, so that every server process sees the
        # same counts; else in the process (hall/web/memory_limits.py: no timer threads).
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "hall-memory://"
        self.RATELIMIT_HEADERS_ENABLED = True
        # Public tracking lookups (pages and API together) per visitor address; and how many
        # wrong access codes for one service number lock it, for how long, so that a code
        # cannot be guessed by trying.
        self.TRACK_RATE_LIMIT = os.environ.get("TRACK_RATE_LIMIT", "30 per minute")
        self.TRACK_WRONG_CODES = int(os.environ.get("TRACK_WRONG_CODES", "5"))
        self.TRACK_LOCK_MINUTES = int(os.environ.get("TRACK_LOCK_MINUTES", "15"))
        self.BABEL_DEFAULT_LOCALE = "zh_CN"
        self.BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
        self.BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
        # Queue policy: at most this many priority calls in a row at one window while
        # ordinary visitors wait, so that nobody is starved.
        self.PRIORITY_MAX_STREAK = int(os.environ.get("PRIORITY_MAX_STREAK", "2"))
        # Likewise at most this many appointments in a row while a walk-in has waited
        # WALK_IN_MAX_WAIT minutes or longer (hall/callorder.py).
        self.APPOINTMENT_MAX_STREAK = int(os.environ.get("APPOINTMENT_MAX_STREAK", "2"))
        self.WALK_IN_MAX_WAIT = int(os.environ.get("WALK_IN_MAX_WAIT", "20"))
        # Check-in for an appointment: from this many minutes before its slot to this many
        # after its start; later it is recorded as missed and its place freed.
        self.APPOINTMENT_EARLY = int(os.environ.get("APPOINTMENT_EARLY", "30"))
        self.APPOINTMENT_LATE = int(os.environ.get("APPOINTMENT_LATE", "15"))
        # This many missed appointments within so many days block booking for so many days
        # from the last one (the person is shown the date it ends).
        self.MISSED_APPOINTMENTS = int(os.environ.get("MISSED_APPOINTMENTS", "3"))
        self.MISSED_APPOINTMENTS_DAYS = int(os.environ.get("MISSED_APPOINTMENTS_DAYS", "90"))
        self.BOOKING_BLOCK_DAYS = int(os.environ.get("BOOKING_BLOCK_DAYS", "30"))
        # -- notifications (README, "Notifications") --
        # Which plug-in delivers each kind of recipient: "log" (the app log: what would be
        # sent), "webhook" (an SMS gateway) for mobile numbers, "smtp" for e-mail addresses.
        self.NOTIFY_SMS = os.environ.get("NOTIFY_SMS", "log").strip().lower()
        self.NOTIFY_EMAIL = os.environ.get("NOTIFY_EMAIL", "log").strip().lower()
        self.NOTIFY_WEBHOOK_URL = os.environ.get("NOTIFY_WEBHOOK_URL", "").strip()
        self.NOTIFY_WEBHOOK_SECRET = os.environ.get("NOTIFY_WEBHOOK_SECRET", "")
        self.NOTIFY_WEBHOOK_TIMEOUT = float(os.environ.get("NOTIFY_WEBHOOK_TIMEOUT", "10"))
        self.NOTIFY_SMTP_HOST = os.environ.get("NOTIFY_SMTP_HOST", "").strip()
        self.NOTIFY_SMTP_PORT = int(os.environ.get("NOTIFY_SMTP_PORT", "587"))
        self.NOTIFY_SMTP_USER = os.environ.get("NOTIFY_SMTP_USER", "")
        self.NOTIFY_SMTP_PASSWORD = os.environ.get("NOTIFY_SMTP_PASSWORD", "")
        self.NOTIFY_SMTP_FROM = os.environ.get("NOTIFY_SMTP_FROM", "").strip()
        self.NOTIFY_SMTP_STARTTLS = _flag("NOTIFY_SMTP_STARTTLS", True)
        self.NOTIFY_SMTP_TIMEOUT = float(os.environ.get("NOTIFY_SMTP_TIMEOUT", "10"))
        # "Nearly your turn" at this many people ahead (by message, and on the live ticket
        # page: vibration, chime, a browser notification); the reminder of tomorrow's bookings
        # from this hall time; tries per notification, the first retry after this many
        # seconds (then twice as long each time); how long a sender holds what it claimed;
        # how often the sender runs, how many it takes at a time; when a notification still
        # not sent is shown to the managers.
        self.NOTIFY_AHEAD = int(os.environ.get("NOTIFY_AHEAD", "3"))
        self.NOTIFY_REMINDER_AT = os.environ.get("NOTIFY_REMINDER_AT", "18:00")
        self.NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "5"))
        self.NOTIFY_RETRY_SECONDS = int(os.environ.get("NOTIFY_RETRY_SECONDS", "30"))
        self.NOTIFY_LEASE_SECONDS = int(os.environ.get("NOTIFY_LEASE_SECONDS", "120"))
        self.NOTIFY_SEND_INTERVAL = float(os.environ.get("NOTIFY_SEND_INTERVAL", "5"))
        self.NOTIFY_BATCH = int(os.environ.get("NOTIFY_BATCH", "50"))
        self.NOTIFY_STUCK_MINUTES = int(os.environ.get("NOTIFY_STUCK_MINUTES", "15"))
        # Scheduled jobs (deadline marks) in this process; several processes may run them,
        # a lease lets one act at a time. Off for a process that must only serve.
        self.SCHEDULER_ENABLED = _flag("SCHEDULER_ENABLED", True)
        self.SCHEDULER_INTERVAL = int(os.environ.get("SCHEDULER_INTERVAL", "60"))
        # Deadlines end at the close of business of their last working day (hall's time).
        self.CLOSE_OF_BUSINESS = os.environ.get("CLOSE_OF_BUSINESS", "17:00")
        # The day is closed at this time (hall's time): who still waits is recorded as not
        # served, open windows are closed, and the daily report is made.
        self.END_OF_DAY = os.environ.get("END_OF_DAY", "18:00")
        self.KIOSK_RETURN_SECONDS = int(os.environ.get("KIOSK_RETURN_SECONDS", "20"))
        self.KIOSK_AUTOPRINT = _flag("KIOSK_AUTOPRINT", False)
        # A kiosk screen left untouched this long (a language, large type or a priority
        # chosen, a refusal shown) goes back to the clean start for the next visitor.
        self.KIOSK_IDLE_SECONDS = int(os.environ.get("KIOSK_IDLE_SECONDS", "60"))
        # Booking codes a kiosk may have refused (unknown, too early, …) before it takes no
        # more for a while, so that its keypad cannot be used to try codes ("off": no limit).
        self.KIOSK_CHECKIN_ATTEMPTS = os.environ.get("KIOSK_CHECKIN_ATTEMPTS",
                                                     "10 per 5 minutes")
        # Devices (README, "Devices"). Who counts as a device without a token: a comma-separated
        # CIDR list; unset means the server's own machine (loopback) only, empty means nobody.
        self.TRUSTED_DEVICE_NETWORKS = os.environ.get("TRUSTED_DEVICE_NETWORKS")
        # Tickets one device (or trusted address) may issue, and the pace past which the
        # hall's managers are told; requests to issue per address, whoever sends them.
        self.DEVICE_ISSUE_LIMIT = os.environ.get(
            "DEVICE_ISSUE_LIMIT", "3 per second; 40 per minute; 2000 per day")
        self.DEVICE_ALERT = os.environ.get("DEVICE_ALERT", "20 per minute")
        self.ISSUE_ADDRESS_LIMIT = os.environ.get("ISSUE_ADDRESS_LIMIT",
                                                  "10 per second; 300 per minute")
        # Anonymous public reads (queue counts, service guide, ticket PDF) per address.
        self.PUBLIC_RATE_LIMIT = os.environ.get("PUBLIC_RATE_LIMIT", "300 per minute")
        # Booking, looking a booking up and cancelling, per address (SPEC §7).
        self.BOOKING_RATE_LIMIT = os.environ.get("BOOKING_RATE_LIMIT", "10 per hour")
        # Sending a question, complaint or report, and writing to the office about one
        # (pages and API together), per address (issue 15).
        self.ENQUIRY_RATE_LIMIT = os.environ.get("ENQUIRY_RATE_LIMIT", "10 per hour")
        # Joining a queue from home (远程取号), page and API together, per address.
        self.REMOTE_RATE_LIMIT = os.environ.get("REMOTE_RATE_LIMIT", "5 per hour")
        # A remote ticket keeps its place in the queue this many minutes from when it was
        # taken; its visitor arriving later queues from the arrival (hall/remote.py).
        self.REMOTE_HOLD_MINUTES = int(os.environ.get("REMOTE_HOLD_MINUTES", "60"))
        # Socket.IO connections one address may hold, all namespaces together (0: no cap).
        self.SOCKET_MAX_PER_ADDRESS = int(os.environ.get("SOCKET_MAX_PER_ADDRESS", "50"))
        # How long a device's one-time enrolment link stays valid.
        self.DEVICE_ENROL_HOURS = float(os.environ.get("DEVICE_ENROL_HOURS", "24"))
        # -- access (issue 11) --
        # Wrong access codes for one number from all addresses together before each further
        # one makes the number wait (2, 4, 8… s, at most TRACK_MAX_DELAY_SECONDS).
        self.TRACK_NUMBER_WRONG_CODES = int(os.environ.get("TRACK_NUMBER_WRONG_CODES", "10"))
        self.TRACK_MAX_DELAY_SECONDS = int(os.environ.get("TRACK_MAX_DELAY_SECONDS", "60"))
        # Failed sign-ins (page and API together): per address, then per account a short,
        # growing wait (SIGN_IN_MAX_DELAY_SECONDS at most), so a stranger cannot lock anyone out.
        self.SIGN_IN_RATE_LIMIT = os.environ.get("SIGN_IN_RATE_LIMIT", "10 per minute")
        self.SIGN_IN_ACCOUNT_FAILURES = int(os.environ.get("SIGN_IN_ACCOUNT_FAILURES", "5"))
        self.SIGN_IN_MAX_DELAY_SECONDS = int(os.environ.get("SIGN_IN_MAX_DELAY_SECONDS", "60"))
        # Origins whose pages may open a Socket.IO connection (comma-separated, e.g.
        # "https://hall.example.gov.cn"); unset: the hall's own origin only (the request's
        # host, and PUBLIC_BASE_URL when set).
        self.SOCKET_ALLOWED_ORIGINS = [o.strip().rstrip("/") for o in os.environ.get(
            "SOCKET_ALLOWED_ORIGINS", "").split(",") if o.strip()]
        # JSON bodies nested deeper than this are refused (400) before they are parsed.
        self.MAX_JSON_DEPTH = int(os.environ.get("MAX_JSON_DEPTH", "32"))
        # -- uploaded files (issue 15; README, "Uploaded files") --
        # Where the bytes go: "local" (a directory) or "package.module:Class" (a back-end
        # built with UPLOAD_ROOT); the directory is outside the web root, e.g. a shared volume.
        self.UPLOAD_STORAGE = os.environ.get("UPLOAD_STORAGE", "local").strip()
        self.UPLOAD_ROOT = os.environ.get("UPLOAD_ROOT", "").strip() or str(INSTANCE / "uploads")
        # One file, the files of one submission (count and bytes), and files per hall and
        # kind of owner per day; a request carrying files may be this large (the rest of the
        # hall keeps MAX_CONTENT_LENGTH).
        self.UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
        self.UPLOAD_MAX_FILES = int(os.environ.get("UPLOAD_MAX_FILES", "20"))
        self.UPLOAD_MAX_TOTAL_BYTES = int(os.environ.get("UPLOAD_MAX_TOTAL_BYTES",
                                                         str(50 * 1024 * 1024)))
        self.UPLOAD_DAILY_LIMIT = int(os.environ.get("UPLOAD_DAILY_LIMIT", "2000"))
        self.UPLOAD_REQUEST_MAX_BYTES = int(os.environ.get(
            "UPLOAD_REQUEST_MAX_BYTES", str(self.UPLOAD_MAX_BYTES * 3 + 256 * 1024)))
        # Uploads per visitor address (pages and API together), a Flask-Limiter string.
        self.UPLOAD_RATE_LIMIT = os.environ.get("UPLOAD_RATE_LIMIT", "60 per hour")
        # Files of a withdrawn or refused application are kept this many days, then deleted.
        self.UPLOAD_RETENTION_DAYS = int(os.environ.get("UPLOAD_RETENTION_DAYS", "180"))
        # A PDF whose streams unpack beyond this (bytes), or beyond RATIO times its size once
        # past 16 MB, is refused as a bomb; an image beyond this many pixels likewise.
        self.UPLOAD_PDF_MAX_INFLATED = int(os.environ.get("UPLOAD_PDF_MAX_INFLATED",
                                                          str(100 * 1024 * 1024)))
        self.UPLOAD_PDF_MAX_RATIO = int(os.environ.get("UPLOAD_PDF_MAX_RATIO", "200"))
        self.UPLOAD_MAX_PIXELS = int(os.environ.get("UPLOAD_MAX_PIXELS", "50000000"))
        # The hall's clock: HALL_CLOCK=2026-12-07T10:00:00+08:00 runs this process's hall
        # time from that instant (demos, training rooms, tests); unset: the real time.
        self.HALL_CLOCK, self.HALL_CLOCK_STARTED = self._hall_clock()


class TestConfig(Config):
    """Settings for the test suite: a throwaway secret, CSRF still on (tests prove it)."""

    def _secret_key(self) -> str:
        return "test-secret-key-not-for-production"

    def _hall_clock(self) -> tuple[str | None, float | None]:
        # Tests set the hall's time themselves (tests/conftest.py), also from HALL_CLOCK.
        return None, None

    def __init__(self) -> None:
        super().__init__()
        self.TESTING = True
        self.SCHEDULER_ENABLED = False
        self.ACCESS_LOG = False
        # Every test client is this machine: the tests that are about limits set their own.
        for key, value in LOAD_TEST_LIMITS.items():
            setattr(self, key, int(value) if key == "SOCKET_MAX_PER_ADDRESS" else value)
