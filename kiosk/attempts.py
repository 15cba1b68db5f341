"""Booking codes refused at a kiosk, counted per device (or trusted address).

A booking code is the visitor's proof at the kiosk, so the kiosk's keypad must not become a
way to try codes until one is somebody's: after ``KIOSK_CHECKIN_ATTEMPTS`` refused codes (an
unknown code, and every other refusal, which would tell that a code exists) the kiosk takes
no code for a while. A check-in that succeeds costs nothing, so a busy morning of
appointments never reaches the limit. Counted in the rate limiter's storage (memory, or Redis
shared by the processes), never in the database: a refusal writes nothing.
"""
from __future__ import annotations

import math
import time

from flask import current_app
from limits.strategies import MovingWindowRateLimiter

from hall.checkin import TooManyCodes
from hall.device_pace import limits_of
from hall.devices import DevicePass
from hall.web.extensions import limiter

SCOPE = "kiosk-codes"


def _counts() -> tuple[MovingWindowRateLimiter, tuple]:
    return (MovingWindowRateLimiter(limiter.storage),
            limits_of(current_app.config["KIOSK_CHECKIN_ATTEMPTS"]))


def require_left(device: DevicePass) -> None:
    """Refuse (TooManyCodes, 429) while ``device`` has no refused code left."""
    window, items = _counts()
    for item in items:
        if not window.test(item, SCOPE, device.scope):
            reset = window.get_window_stats(item, SCOPE, device.scope).reset_time
            raise TooManyCodes(seconds=max(1, math.ceil(reset - time.time())))


def count_refused(device: DevicePass) -> None:
    """One more code refused at ``device``."""
    window, items = _counts()
    for item in items:
        window.hit(item, SCOPE, device.scope)
