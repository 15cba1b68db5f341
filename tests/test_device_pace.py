"""The issuing pace of a device, counted in the rate limiter's storage: in the process, or in
Redis shared by every process of the hall."""
from __future__ import annotations

import uuid

import pytest
from limits.storage import storage_from_string

from hall.device_pace import Pace, limits_of
from hall.devices import DevicePass
from hall.errors import DeviceTooFast


@pytest.fixture(params=["memory", "redis"])
def storage(request):
    if request.param == "memory":
        return storage_from_string("memory://")
    return storage_from_string(request.getfixturevalue("redis_url"))


def a_device() -> DevicePass:
    # A fresh id each run: the Redis counts outlive the test.
    return DevicePass(uuid.uuid4().int % 10**9, "HQ", "kiosk", "入口取号机", "203.0.113.7")


def test_a_device_is_refused_past_its_limit_and_reported_once(storage):
    pace, device, told = Pace(storage, "3 per minute", "2 per minute"), a_device(), []
    for _ in range(3):
        pace.take(device, told.append)
    with pytest.raises(DeviceTooFast) as refused:
        pace.take(device, told.append)
    assert refused.value.status == 429 and 1 <= refused.value.retry_after <= 60
    assert [(a.tickets, a.seconds) for a in told] == [(2, 60)]
    pace.take(a_device(), told.append)  # another device: a count of its own


def test_the_limits_setting():
    assert [str(i) for i in limits_of("3 per second; 40 per minute")] == [
        "3 per 1 second", "40 per 1 minute"]
    assert limits_of("") == () and limits_of("off") == ()
