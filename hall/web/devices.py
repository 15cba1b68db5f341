"""Which device is asking: the one resolver behind every entry point that needs a device (the
kiosk, ``POST /api/v1/tickets``, the rating tablet, the wall display and its socket).

A request is a device when it carries ``Authorization: Device <token>``, or the cookie of an
enrolled browser, or comes from ``TRUSTED_DEVICE_NETWORKS`` (SPEC §7). The domain
(``hall.devices.admit``) then decides whether that device may act there and then.

The server's own machine (a loopback address, reached without a proxy) is neither rate-limited
nor capped: whatever runs there can reach the database anyway, and ``make run``, the tests
and the benchmarks run there. A request that came through a proxy (it carries a forwarding
header) is never taken for the machine itself, even from 127.0.0.1 when ``PROXIES`` is not
set: otherwise a proxy on the same machine would make every visitor a trusted device.
"""
from __future__ import annotations

from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from flask import Flask, current_app, g, request

from hall import device_pace, devices
from hall.devices import DevicePass

from .extensions import db, limiter
from .limits import per_address

COOKIE = "hall_device"
# Chromium keeps no cookie longer than 400 days; the cookie is renewed whenever it is used.
COOKIE_AGE = timedelta(days=400)
LOOPBACK = "127.0.0.0/8,::1/128"
_FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")
Network = IPv4Network | IPv6Network


def trusted_networks(value: str | None) -> tuple[Network, ...]:
    """``TRUSTED_DEVICE_NETWORKS`` read: unset means loopback only, set but empty means none.
    A malformed entry stops the server at start, naming it."""
    text = LOOPBACK if value is None else value
    networks = []
    for part in text.split(","):
        if part.strip():
            try:
                networks.append(ip_network(part.strip(), strict=False))
            except ValueError:
                raise ValueError(f"TRUSTED_DEVICE_NETWORKS: {part.strip()!r} is not a CIDR "
                                 "network (e.g. 10.20.0.0/16)") from None
    return tuple(networks)


def init_app(app: Flask) -> None:
    app.extensions["trusted_device_networks"] = trusted_networks(
        app.config["TRUSTED_DEVICE_NETWORKS"])
    app.after_request(_keep_cookie)


def _ip(environ):
    try:
        return ip_address((environ.get("REMOTE_ADDR") or "").split("%")[0])
    except ValueError:
        return None


def is_local(environ: dict | None = None) -> bool:
    """The request comes from the server's own machine, not through a proxy."""
    environ = request.environ if environ is None else environ
    ip = _ip(environ)
    return ip is not None and ip.is_loopback and not any(h in environ for h in _FORWARDED)


def _trusted(environ: dict) -> bool:
    ip = _ip(environ)
    if ip is None or (ip.is_loopback and not is_local(environ)):
        return False
    return any(ip in network for network in current_app.extensions["trusted_device_networks"])


def current() -> DevicePass | None:
    """The device making this request (or socket connection), or None. Resolved once per
    request; a registered device is marked as seen."""
    if "device_pass" in g:
        return g.device_pass
    address = request.remote_addr or ""
    found = None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "device" and token.strip():
        found = devices.authenticate(db.session, token.strip(), via="token", address=address)
    elif request.cookies.get(COOKIE):
        found = devices.authenticate(db.session, request.cookies[COOKIE], via="cookie",
                                     address=address)
        g.device_cookie = "renew" if found is not None else "drop"
    if found is None and _trusted(request.environ):
        found = devices.trusted_network(address)
    if found is not None:
        devices.seen(db.session, found)
    g.device_pass = found
    return found


def require(kind: str | tuple[str, ...], hall: str | None = None, *,
            window_no: int | None = None) -> DevicePass:
    """The device asking, if it may act as a ``kind`` of ``hall`` now (else the refusal:
    401 device-required, 403 device-locked / device-not-allowed / device-outside-hours)."""
    return devices.admit(current(), kind=kind, hall=hall, window_no=window_no)


def issuer(hall: str) -> DevicePass:
    """The kiosk (or API client) issuing a ticket in ``hall``, once its pace allows one more
    (429 device-too-fast); the managers are told when it issues unusually fast."""
    device = require("kiosk", hall)
    config = current_app.config
    pace = device_pace.Pace(limiter.storage, config["DEVICE_ISSUE_LIMIT"], config["DEVICE_ALERT"])
    pace.take(device, lambda alert: devices.report_fast(
        db.session, device, hall, tickets=alert.tickets, seconds=alert.seconds))
    return device


def set_cookie(response, secret: str) -> None:
    """The enrolled browser's device cookie: long-lived, never readable by scripts, never
    sent by another site's requests."""
    response.set_cookie(COOKIE, secret, max_age=int(COOKIE_AGE.total_seconds()), path="/",
                        httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])


def _keep_cookie(response):
    """Renew a device cookie that worked; drop one that no longer does (revoked, or replaced
    by a new enrolment)."""
    state = g.pop("device_cookie", None)
    if state == "renew":
        set_cookie(response, request.cookies[COOKIE])
    elif state == "drop":
        response.delete_cookie(COOKIE, path="/")
    return response


# Requests to issue a ticket, per address, before anything is looked up: a flood of
# anonymous requests is turned away here, cheaply.
# The server's own machine is not exempt: a script on it is a script like any other (a load
# test raises the limits in its environment instead).
issue_limited = per_address("ISSUE_ADDRESS_LIMIT", scope="issue")
# Anonymous public reads (queue counts, the guide, the ticket PDF): open, but per address,
# at the cost of one counter (hall/web/limits.py).
public_read = per_address("PUBLIC_RATE_LIMIT", scope="public")
