"""gunicorn settings for the bare baselines (bench/bare_app.py, bench/bare_socketio_app.py):
the hall's server stack (gunicorn.conf.py: one gevent worker, patched in the master), with
nothing of the hall's own (no scheduler, no app logging)."""
import os

from gevent import monkey

monkey.patch_all()

bind = f"127.0.0.1:{os.environ.get('PORT', '5001')}"
workers = 1
worker_class = "gevent"
worker_connections = 10000
keepalive = 5
timeout = 30
accesslog = None
errorlog = "-"
loglevel = "warning"
control_socket_disable = True
