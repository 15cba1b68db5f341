"""gunicorn settings for the bare baselines (bench/bare_app.py, bench/bare_socketio_app.py):
the hall's server stack (gunicorn.conf.py: one gevent worker, patched in the master), with
nothing of the hall's own (no scheduler, no app logging)."""
import os

# BARE_WORKER_CLASS=gthread: the threaded model, for the side-by-side measure of server models
# (bench/sockets.py --bare gevent,gthread,asyncio).
worker_class = os.environ.get("BARE_WORKER_CLASS", "gevent")
if worker_class == "gevent":
    from gevent import monkey

    monkey.patch_all()
threads = 2000  # gthread: a thread per WebSocket

bind = f"127.0.0.1:{os.environ.get('PORT', '5001')}"
# BARE_WORKERS=2 (with BARE_MESSAGE_QUEUE): the bare broadcast on two processes through Redis,
# beside the hall's two-process run (bench/sockets.py).
workers = int(os.environ.get("BARE_WORKERS", "1"))
worker_connections = 12000
keepalive = 5
timeout = 30
accesslog = None
errorlog = "-"
loglevel = "warning"
control_socket_disable = True
