"""A Redis channel on which the server processes tell each other which halls changed, beside
``SOCKETIO_CHANNEL``: the phones' live tickets (``tickets.py``) and the managers' dashboards
(``dashboards.py``) each have one, and every process reads and sends for its own sockets."""
from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

SUBSCRIBE_SECONDS = 2.0  # how long the subscription's answer is waited for


class HallChannel:
    def __init__(self, config, suffix: str, what: str) -> None:
        """The app's channel ``SOCKETIO_CHANNEL`` + ``suffix``; ``url`` is empty (and the
        channel unused) without ``REDIS_URL``. ``what``: who listens, for the log."""
        self.url: str = config.get("REDIS_URL") or ""
        self.name = config.get("SOCKETIO_CHANNEL", "flask-socketio") + suffix
        self.what = what
        self.subscribed = threading.Event()  # set once this process hears the channel
        self._publisher: Any = None  # a redis.Redis, made at the first message

    def publish(self, message) -> None:
        """Send ``message`` (JSON) to every listening process; Redis errors are raised."""
        if self._publisher is None:
            import redis

            self._publisher = redis.Redis.from_url(self.url)
        self._publisher.publish(self.name, json.dumps(message))

    def listen(self, heard: Callable[[Any], None], stopping: Callable[[], bool]) -> None:
        """Call ``heard`` with every message until ``stopping()`` (a thread's whole work);
        when Redis is lost, subscribe again a second later."""
        import redis

        while not stopping():
            try:
                pubsub = redis.Redis.from_url(self.url).pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.name)
                pubsub.get_message(timeout=SUBSCRIBE_SECONDS)  # the subscription's answer
                self.subscribed.set()
                for message in pubsub.listen():
                    if stopping():
                        return
                    heard(json.loads(message["data"]))
            except Exception:
                log.exception("%s lost Redis; listening again in a second", self.what)
                time.sleep(1)
