"""gunicorn settings: what ``python run.py`` (and so ``make run``) serves with, and what
production runs: ``gunicorn -c gunicorn.conf.py 'hall.web:create_app()'``.

Worker class: ``gevent`` (README, "Serving", has the measurements behind the choice). Every
request and every WebSocket is a greenlet, not a thread: a thousand wall displays cost a few
tens of kilobytes each, and one broadcast reaches them at ~40 µs of CPU per socket, where
a thread per socket (``gthread``, Flask-SocketIO's threading mode) cost ~0.3 ms and a
thread's stack. psycopg 3 yields to other greenlets while it waits for PostgreSQL; SQLite's
calls are short and run in place. GUNICORN_WORKER_CLASS=gthread keeps the threaded worker
(Flask-SocketIO then runs in threading mode; GUNICORN_THREADS applies).

Slow clients: a request head that does not arrive within ``keepalive`` seconds is dropped by
the worker, and a body that does not arrive within REQUEST_BODY_SECONDS is answered 408
(hall/web/serving.py): a thousand half-sent requests hold a thousand idle greenlets for a few
seconds, never the worker.

Several workers (WEB_CONCURRENCY > 1) need two things, both in place:
- REDIS_URL, so that Socket.IO emits through Redis (channel SOCKETIO_CHANNEL) and a call
  made in one worker reaches displays connected to another; rate limits count in Redis too.
- clients that open the WebSocket first: gunicorn hands each connection to whichever worker
  accepts it, so Engine.IO's long-polling (several HTTP requests per session) would land on
  workers that never saw the session. Every page of the hall connects with
  ``transports: ["websocket", "polling"]``: a session is one WebSocket, which lives on one
  worker. Polling is only a fallback for a network that blocks WebSockets; there, run one
  worker per port behind a proxy with sticky sessions (README, "Production").
Without REDIS_URL, keep one worker (the default).

The scheduler runs in every worker (SCHEDULER_ENABLED); its leases let one act at a time.
Shutdown (SIGTERM to the master): workers stop accepting, finish the requests in flight
(GRACEFUL_TIMEOUT), close their Socket.IO connections at once (displays reconnect, to
another process or to the restarted one) and hand the scheduler leases over.
"""
import os

worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gevent")
if worker_class == "gevent":
    # Before anything else is imported, in the master too: the workers are forked from it,
    # and a module that took the real threading or socket before the patch (the config
    # reads the environment, logging makes locks) would keep them in every worker.
    from gevent import monkey

    monkey.patch_all()

import signal  # noqa: E402  (after the patch, above)
import threading  # noqa: E402

from config import Config  # noqa: E402

# Read in the master: with HALL_CLOCK set it also notes when the hall's clock started
# (HALL_CLOCK_STARTED), which every worker inherits, so they all keep one hall time.
_config = Config()

bind = os.environ.get("GUNICORN_BIND") or f"{_config.HOST}:{_config.PORT}"
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
threads = int(os.environ.get("GUNICORN_THREADS", "200"))  # gthread only


def _open_files() -> int:
    """The process's open-files limit, raised to the hard limit (as a service manager's
    LimitNOFILE would): every WebSocket is a descriptor. The workers inherit it."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft if soft != resource.RLIM_INFINITY else 1_000_000


# Connections one worker holds at once (open WebSockets and kept-alive HTTP together); a
# greenlet each under gevent, so thousands cost little. Once every one is taken, a new
# connection waits until one closes: the default is what the process may open, less room for
# the database, logs and Redis, so that it is never the pool that turns a client away.
worker_connections = max(
    int(os.environ.get("GUNICORN_CONNECTIONS", "0")) or max(1000, _open_files() - 500),
    threads + 100)
# A worker that does not report for this long is restarted (both worker classes report from
# their own loop, so a long-lived WebSocket does not count against it).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "10"))
keepalive = 5
# The app is made in each worker after the fork (no preload): no database connection,
# publisher thread or Redis subscription is shared across processes.
preload_app = False
# Requests are logged by the app (LOG_FORMAT=json: with the request id); gunicorn's access
# log only when asked for, e.g. GUNICORN_ACCESS_LOG=-.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Behind a proxy on the same machine; set FORWARDED_ALLOW_IPS to the proxy's address(es).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "service-hall"
# gunicorn's control socket (gunicornc) is one path per user: two installations, or a test
# run beside a service, would fight over it. Off; nothing here needs it.
control_socket_disable = True

if _config.LOG_FORMAT == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "hall.web.logs.JsonFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                                "stream": "ext://sys.stderr"}},
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            # The app's own access line (hall.access) has the request id; gunicorn's only
            # when asked for.
            "gunicorn.access": {"level": "INFO" if accesslog else "WARNING",
                                "handlers": ["stderr"], "propagate": False},
        },
    }


def when_ready(server):
    """Once, in the master, before the workers start: say so if the QR codes on tickets
    will carry an address no phone can open (README, "Run it")."""
    from hall.web.qr_address import warn_about_qr_address

    host, port = bind.rsplit(":", 1) if ":" in bind else (_config.HOST, _config.PORT)
    base = f"http://{host}:{port}"
    print(f"Service Hall: kiosk {base}/kiosk/HQ · tracking {base}/track · "
          f"API {base}/api/v1/openapi.json", flush=True)
    warn_about_qr_address(vars(_config), server.log.error_log)


def post_worker_init(worker):
    """After the app is loaded in a worker: start its scheduler, settle the garbage collector
    (``_settle_collector``), and make SIGTERM also close the worker's Socket.IO connections
    (an open WebSocket would otherwise hold the worker for the whole graceful timeout, and
    then be killed)."""
    from hall.web import scheduler

    app = worker.wsgi
    scheduler.start(app)
    _settle_collector()
    stop_accepting = worker.handle_exit

    def handle_exit(sig, frame):
        stop_accepting(sig, frame)
        # Not in the signal handler itself: closing sockets takes locks.
        threading.Thread(target=_close_sockets, args=(app,), name="close-sockets",
                         daemon=True).start()

    signal.signal(signal.SIGTERM, handle_exit)


# A full collection among the objects of 10,000 sockets took 0.3-1 s on this 2-core machine,
# every greenlet (calls, tickets, pushes) stopped meanwhile; as sockets joined, one came at
# every 25% of growth: 18 in a worker during a 10,000-socket run of bench/sockets.py.
FULL_COLLECTION_EVERY = 100  # middle-generation passes between full ones (CPython's: 10)


def _settle_collector() -> None:
    """Once the worker has loaded the app: what it loaded (modules, the app, its caches) lives
    as long as the process, so it is frozen and no full collection walks it again; and full
    collections come ten times more rarely. Cyclic garbage is still collected, only later,
    which costs a little memory (78 against 76 MB per 1,000 sockets in that run, and
    4 full collections instead of 18)."""
    import gc

    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)


def worker_exit(server, worker):
    """The worker's last moment: its sockets closed, the publisher stopped. The scheduler's
    own atexit hook (hall/web/scheduler.py) then releases its leases as the process ends."""
    app = getattr(worker, "wsgi", None)
    if app is None or not hasattr(app, "extensions"):
        return
    _close_sockets(app)
    from hall.web import shutdown

    shutdown(app)


def _close_sockets(app) -> None:
    """Close every Engine.IO connection of this worker: the client sees its transport close
    and reconnects (to a worker still serving, or to the restarted server).

    Not ``eio.disconnect()``: it closes with ``wait=True``, which waits for the socket's
    writer thread to drain its queue, and that thread is gone when the client already went;
    the worker then hangs until it is killed."""
    socketio = app.extensions.get("socketio")
    if socketio is None or socketio.server is None:
        return
    eio = socketio.server.eio
    for socket in list(eio.sockets.values()):
        try:
            socket.close(wait=False, reason=eio.reason.SERVER_DISCONNECT)
        except Exception:  # noqa: BLE001 - a socket already gone
            pass
