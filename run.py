"""Serve the hall (pages, API and Socket.IO) on one port: ``python run.py`` (``make run``).

The same server as production: gunicorn with one gevent worker, configured by
``gunicorn.conf.py`` (README, "Serving"). HOST and PORT say where; WEB_CONCURRENCY, with
REDIS_URL, runs more workers. Nothing to install beyond requirements.txt.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> None:
    from gunicorn.app.wsgiapp import run

    # gunicorn reads its command line: the settings file and the app factory, nothing else
    # (options belong in the environment, where gunicorn.conf.py reads them).
    sys.argv = [sys.argv[0], "-c", str(ROOT / "gunicorn.conf.py"), "--chdir", str(ROOT),
                "hall.web:create_app()", *(argv or [])]
    run()


if __name__ == "__main__":
    main(sys.argv[1:])
