"""The web side of the hall: the application factory and the wiring of every blueprint."""
from __future__ import annotations

import logging
from datetime import time, timedelta

from flask import Flask
from flask_socketio import SocketIO
from werkzeug.middleware.proxy_fix import ProxyFix

from config import INSTANCE, Config
from hall import callorder, channels, clock, notices, settings
from hall.db import configure_engine

from .extensions import babel, csrf, db, limiter, migrate


def create_app(config: Config | None = None) -> Flask:
    """Build the app: settings from ``config`` (default: the environment), every extension
    bound with ``init_app`` so that tests can make a fresh app each time."""
    config = config or Config()
    app = Flask(__name__, instance_path=str(INSTANCE))
    app.config.from_object(config)
    _start_hall_clock(app)
    # Chinese as Chinese, not \uXXXX, for people reading JSON
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    INSTANCE.mkdir(parents=True, exist_ok=True)
    _configure_logging(app)
    from . import logs

    logs.register(app)  # first, so that every other hook already has the request id

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, synchronous=app.config["SQLITE_SYNCHRONOUS"])
        # The domain's settings travel with this app's engine, never in module globals.
        settings.bind(db.engine, settings.HallSettings(
            close_of_business=time.fromisoformat(app.config["CLOSE_OF_BUSINESS"]),
            end_of_day=time.fromisoformat(app.config["END_OF_DAY"]),
            appointment_early_minutes=int(app.config["APPOINTMENT_EARLY"]),
            appointment_late_minutes=int(app.config["APPOINTMENT_LATE"]),
            remote_hold_minutes=int(app.config["REMOTE_HOLD_MINUTES"]),
            missed_limit=int(app.config["MISSED_APPOINTMENTS"]),
            missed_within_days=int(app.config["MISSED_APPOINTMENTS_DAYS"]),
            blocked_for_days=int(app.config["BOOKING_BLOCK_DAYS"]),
            call_policy=callorder.Policy(
                priority_max_streak=int(app.config["PRIORITY_MAX_STREAK"]),
                appointment_max_streak=int(app.config["APPOINTMENT_MAX_STREAK"]),
                walk_in_max_wait=timedelta(minutes=int(app.config["WALK_IN_MAX_WAIT"]))),
            notify_ahead=int(app.config["NOTIFY_AHEAD"]),
            reminder_at=time.fromisoformat(app.config["NOTIFY_REMINDER_AT"]),
            notify_max_attempts=int(app.config["NOTIFY_MAX_ATTEMPTS"]),
            notify_retry_seconds=int(app.config["NOTIFY_RETRY_SECONDS"]),
            notify_lease_seconds=int(app.config["NOTIFY_LEASE_SECONDS"])))
    # Notifications are written with the moves that cause them (hall.notices); the
    # channels that send them are checked now, so a wrong setting stops the start.
    notices.install()
    app.extensions["notify_channels"] = channels.from_config(app.config)
    from . import files as uploaded_files

    uploaded_files.init_app(app)  # issue 15: the storage back-end and the upload limits
    migrate.init_app(app, db, directory=str(_root() / "migrations"))
    csrf.init_app(app)

    from .i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    from . import devices

    devices.init_app(app)  # trusted networks, the device cookie
    _register_blueprints(app)
    _init_sockets(app)
    from .serving import BodyDeadline

    # Outermost but for the proxy fix: a body that trickles never reaches the app (#11.15).
    app.wsgi_app = BodyDeadline(  # type: ignore[method-assign]
        app.wsgi_app, app.config["REQUEST_BODY_SECONDS"],
                                app.config.get("MAX_CONTENT_LENGTH"))
    from .kept import KeptAnswers

    with app.app_context():
        engine = db.engine
    # Just inside the proxy fix (it reads the client's address): the kept public reads.
    app.wsgi_app = KeptAnswers(app.wsgi_app, app, engine)  # type: ignore[method-assign]
    if app.config["PROXIES"]:
        # Behind that many proxies, the client is who the nearest one says it is (rate limits
        # and logs count visitors, not the proxy); never trusted when no proxy is declared.
        n = app.config["PROXIES"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    from . import cli, problems, templating

    problems.register(app)
    from . import input_guard

    input_guard.register(app)  # NUL bytes, broken or too deeply nested JSON: refused first
    from . import health, security

    health.register(app)
    security.register(app)
    templating.register(app)
    from . import when

    when.register(app)
    cli.register(app)

    @app.teardown_appcontext
    def _end_session(_exc):
        db.session.remove()

    from .extensions import limits_on_views_only

    limits_on_views_only(app)  # every limit is on its view (hall/web/extensions.py)
    return app


def _start_hall_clock(app: Flask) -> None:
    """HALL_CLOCK runs this process's hall time from its instant (SPEC §7); a value that
    is not an instant with a zone stops the process at once, before it serves anyone."""
    setting = app.config.get("HALL_CLOCK")
    if setting:
        clock.start(clock.parse_setting(setting), since=app.config.get("HALL_CLOCK_STARTED"))


def _root():
    from config import ROOT

    return ROOT


def _register_blueprints(app: Flask) -> None:
    from apply import bp as apply_bp  # issue 15: applying online
    from ask import bp as ask_bp  # issue 15: questions, complaints and reports online
    from booking import bp as booking_bp
    from display import bp as display_bp
    from kiosk import bp as kiosk_bp
    from qa import bp as qa_bp  # issue 15: the public Q&A
    from remote import bp as remote_bp
    from results import bp as results_bp  # issue 15: results in the open, public notice
    from tracking import bp as tracking_bp
    from tracking import device_bp as rating_device_bp
    from tracking import ticket_bp

    from . import admin, api, auth, console, device_enrolment, division, guide, i18n, manager

    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # the API takes no cookies; staff calls carry a bearer token
    auth.init(app)
    app.register_blueprint(console.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(division.bp)
    app.register_blueprint(manager.followups_bp)
    app.register_blueprint(guide.bp)
    app.register_blueprint(manager.dashboard_bp)
    app.register_blueprint(manager.reports_bp)
    app.register_blueprint(manager.extension_requests_bp)
    app.register_blueprint(manager.notifications_bp)
    app.register_blueprint(manager.door_bp)
    app.register_blueprint(i18n.bp)
    app.register_blueprint(kiosk_bp)
    app.register_blueprint(display_bp)
    app.register_blueprint(tracking_bp)
    app.register_blueprint(booking_bp)
    app.register_blueprint(rating_device_bp)
    app.register_blueprint(ticket_bp)
    app.register_blueprint(remote_bp)
    app.register_blueprint(device_enrolment.bp)
    app.register_blueprint(ask_bp)
    app.register_blueprint(apply_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(qa_bp)


def _init_sockets(app: Flask) -> SocketIO:
    """Socket.IO for this app, its display namespace, and the publisher of floor events.

    gevent under gunicorn's gevent worker, threading elsewhere (see README, "Serving"); with
    REDIS_URL every process emits through Redis
    on SOCKETIO_CHANNEL, so a call made on one reaches displays on all."""
    from display.sockets import NAMESPACE, DisplayNamespace

    from .live import FloorPublisher, TicketWatch
    from .socket_origins import allowed_origins
    from .staff_sockets import StaffNamespace
    from .ticket_sockets import TicketNamespace

    socketio = SocketIO(app, async_mode=async_mode(), message_queue=app.config["REDIS_URL"],
                        channel=app.config["SOCKETIO_CHANNEL"],
                        # only the hall's own pages (hall/web/socket_origins.py)
                        cors_allowed_origins=allowed_origins(app),
                        logger=False, engineio_logger=False,
                        # A display whose link died without a word is noticed in ~15 s, not
                        # the default 45: it then reconnects and re-syncs.
                        ping_interval=10, ping_timeout=5)
    from .socket_guard import ConnectionCap

    ConnectionCap(socketio.server, app.config["SOCKET_MAX_PER_ADDRESS"])  # every namespace
    socketio.on_namespace(DisplayNamespace(NAMESPACE))
    socketio.on_namespace(StaffNamespace())
    watch = app.extensions["ticket_watch"] = TicketWatch(app, socketio)
    socketio.on_namespace(TicketNamespace(watch))
    app.extensions["floor_publisher"] = FloorPublisher(app, socketio, tickets=watch)
    return socketio


def async_mode() -> str:
    """gevent when this process runs on gevent's patched standard library (gunicorn's
    gevent worker, run.py), threading otherwise (the tests' in-process server, the CLI)."""
    try:
        from gevent import monkey
    except ImportError:
        return "threading"
    return "gevent" if monkey.is_module_patched("socket") else "threading"


def shutdown(app: Flask) -> None:
    """Stop what the app started (the publisher's thread); for tests and tools."""
    publisher = app.extensions.get("floor_publisher")
    if publisher is not None:
        publisher.stop()
    watch = app.extensions.get("ticket_watch")
    if watch is not None:
        watch.stop()


def _configure_logging(app: Flask) -> None:
    if not app.config.get("TESTING"):
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(
        logging.INFO if app.config.get("ACCESS_LOG") else logging.WARNING)
