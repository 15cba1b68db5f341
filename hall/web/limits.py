"""A per-address limit on the public reads that phones and kiosks poll (#13.2), on the same
storage as every other limit (memory, or Redis with REDIS_URL, shared by the processes).

Flask-Limiter's decorator resolves scopes, exemptions and header contexts on every call:
more than a cached public read itself costs. Here a read costs one counter increment in a
fixed window, which is what those limits are (``PUBLIC_RATE_LIMIT``, e.g. 120 per minute).
Refused: 429 with Retry-After, like every other limit of the hall.
"""
from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable

from flask import current_app, request
from flask_limiter.util import get_remote_address
from limits import parse
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from .extensions import limiter


@functools.lru_cache(maxsize=64)
def _item(value: str):
    return parse(value)


_strategies: dict[int, FixedWindowRateLimiter] = {}


def _strategy() -> FixedWindowRateLimiter:
    storage = limiter.storage  # per app: memory, or the app's Redis
    strategy = _strategies.get(id(storage))
    if strategy is None or strategy.storage is not storage:
        strategy = _strategies[id(storage)] = FixedWindowRateLimiter(storage)
    return strategy


# Set in the WSGI environ by hall.web.kept when it has counted this request in that scope
# already and hands it on to Flask: the view must not count it twice.
COUNTED = "hall.limit.counted"


def hit(limit: str, address: str, scope: str) -> int | None:
    """Count one use of ``limit`` (a limits string) for ``address`` in ``scope``: None if it
    is within the limit, else the seconds until it may try again."""
    item = _item(limit)
    strategy = _strategy()
    if strategy.hit(item, address, scope):
        return None
    reset = strategy.get_window_stats(item, address, scope).reset_time
    return max(1, math.ceil(reset - time.time()))


def refused(setting: str, scope: str) -> int | None:
    """Count one use of the app's ``setting`` for this request's address: None if it is
    within the limit, else the seconds until it may try again (for sockets, which cannot
    answer 429)."""
    return hit(current_app.config[setting], get_remote_address(), scope)


def per_address(setting: str, scope: str) -> Callable:
    """Limit a view to the app's ``setting`` (a limits string) per client address."""
    def decorate(view):
        @functools.wraps(view)
        def limited(*args, **kwargs):
            # (address, scope): Flask-Limiter's own order, so that a budget shared with one
            # of its decorators (access_codes.limited_failures) is one counter
            if request.environ.get(COUNTED) == scope:
                return view(*args, **kwargs)  # counted before Flask (hall.web.kept)
            wait = refused(setting, scope)
            if wait is not None:
                raise TooManyRequests(retry_after=wait)
            return view(*args, **kwargs)
        return limited
    return decorate
