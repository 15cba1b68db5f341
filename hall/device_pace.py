"""How fast a device may issue tickets, and when it issues fast enough to tell the managers.

A kiosk at opening time issues a ticket every few seconds: a visitor walks up, taps, takes the
paper (a guide at the door tapping for a queue of people manages one every two or three
seconds). So the defaults (``DEVICE_ISSUE_LIMIT``, "3 per second; 40 per minute; 2000 per
day") leave a real kiosk room to spare, while a script holding a device's token takes at most
2,000 numbers a day: a fifth of a prefix's 9,999, a fiftieth of the hall's visits. Past
``DEVICE_ALERT`` ("20 per minute") within its window the device is reported once, so that a
manager looks before the limit bites.

The counts live in the rate limiter's storage (in the process, or Redis when the hall runs on
several), never in the database: checking them costs no query on the issuing path. The
windows are moving windows over the real time, whatever the hall's clock says.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import lru_cache

from limits import RateLimitItem, parse_many
from limits.strategies import MovingWindowRateLimiter

from .devices import DevicePass
from .errors import DeviceTooFast


@dataclass(frozen=True)
class Alert:
    """The device asked for more than ``tickets`` within ``seconds``."""

    tickets: int
    seconds: int


@lru_cache(maxsize=32)
def limits_of(text: str) -> tuple[RateLimitItem, ...]:
    """``"3 per second; 40 per minute"`` → its limits; empty or "off": none."""
    text = (text or "").strip()
    if not text or text.lower() == "off":
        return ()
    return tuple(parse_many(text))


class Pace:
    """The issuing pace of devices, counted in ``storage`` (a ``limits`` storage)."""

    def __init__(self, storage, limit: str, alert: str) -> None:
        self.window = MovingWindowRateLimiter(storage)
        self.storage = storage
        self.limits = limits_of(limit)
        alerts = limits_of(alert)
        self.alert = alerts[0] if alerts else None

    def take(self, device: DevicePass, report) -> None:
        """Count one more ticket for ``device``, or refuse it (DeviceTooFast) when one of
        the limits is reached. The first time in an alert window that the device asks for
        tickets faster than the alert's rate (refused ones count: a device stopped by its
        limit is the clearest case), ``report(Alert)`` is called, before any refusal."""
        if self.alert is not None and not self.window.hit(self.alert, "device-alert",
                                                          device.scope):
            told = self.storage.incr(f"device-alerted/{device.scope}", self.alert.get_expiry())
            if told == 1:
                report(Alert(self.alert.amount, self.alert.get_expiry()))
        for item in self.limits:
            if not self.window.hit(item, "device-issue", device.scope):
                reset = self.window.get_window_stats(item, "device-issue", device.scope).reset_time
                raise DeviceTooFast(tickets=item.amount, seconds=item.get_expiry(),
                                    wait=max(1, math.ceil(reset - time.time())))
