"""The address printed in QR codes, checked when a server starts.

Tickets and receipts carry a QR code to the tracking page at ``PUBLIC_BASE_URL``, or, when it
is not set, at whatever address the kiosk used to reach the server. A hall installed from a
fresh clone serves on 127.0.0.1, so its kiosk (on the same machine) prints codes that no
phone can open. Nothing stops it from running like that (a demo needs no phone), but the
operator must hear about it at start-up, not from the first citizen.
"""
from __future__ import annotations

import ipaddress
import logging
from collections.abc import Mapping
from urllib.parse import urlsplit

log = logging.getLogger("hall.startup")

EXAMPLE = "HOST=0.0.0.0 PUBLIC_BASE_URL=http://192.168.1.10:5000 make run"


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def qr_address_warnings(config: Mapping) -> list[str]:
    """What is wrong with the address QR codes will carry (nothing: an empty list)."""
    base = (config.get("PUBLIC_BASE_URL") or "").strip()
    if base:
        host, source = urlsplit(base).hostname or "", f"PUBLIC_BASE_URL={base}"
    else:
        host = str(config.get("HOST") or "")
        source = f"HOST={config.get('HOST')}, PUBLIC_BASE_URL unset"
    address = _address(host)
    hint = f"Set PUBLIC_BASE_URL to the address phones reach, e.g. {EXAMPLE} (README, \"Run it\")."
    if host.lower() == "localhost" or (address is not None and address.is_loopback):
        return [f"QR codes on tickets and receipts will point at {host} ({source}): "
                f"this machine only, no phone can open them. {hint}"]
    if not base and address is not None and address.is_unspecified:
        return [f"QR codes on tickets and receipts will carry whatever address each kiosk "
                f"used to reach this server ({source}); a kiosk on this machine prints "
                f"127.0.0.1, which no phone can open. {hint}"]
    if address is not None and (address.is_private or address.is_link_local):
        return [f"QR codes on tickets and receipts will point at the private address {host} "
                f"({source}): only phones on the hall's own network can open them, not "
                f"citizens at home. Set PUBLIC_BASE_URL to the hall's public address if it "
                f"has one."]
    return []


def warn_about_qr_address(config: Mapping, logger: logging.Logger | None = None) -> list[str]:
    """Log each warning loudly (and return them): called once as a server starts."""
    found = qr_address_warnings(config)
    for message in found:
        (logger or log).warning("!!! %s", message)
    return found
