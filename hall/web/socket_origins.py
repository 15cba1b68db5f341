"""Which web pages may open a Socket.IO connection: the hall's own, and no other site's.

A browser sends the staff's session cookie with a WebSocket to the hall from any page, so a
page on another site could otherwise open ``/staff`` as a signed-in manager and read the
dashboard (cross-site WebSocket hijacking). Browsers always say where the page came from
(``Origin``); a connection whose origin is not the hall's is refused before it is accepted.

The hall's origin is the address the request was made to (scheme and host, as the proxy
reports them when ``PROXIES`` is set) and ``PUBLIC_BASE_URL`` when set;
``SOCKET_ALLOWED_ORIGINS`` (comma-separated) replaces that list. Clients that are not
browsers (a display's own program, a test) send no origin and are not concerned.
"""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins(app: Flask) -> Callable[[str, dict], bool]:
    """The check python-engineio calls with each connection's Origin and WSGI environ."""
    configured = {_origin(o) for o in app.config.get("SOCKET_ALLOWED_ORIGINS") or []}
    public = app.config.get("PUBLIC_BASE_URL")

    def allowed(origin: str, environ: dict) -> bool:
        origin = (origin or "").rstrip("/").lower()
        if configured:
            return origin in configured
        own = {f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}".lower()}
        if public:
            own.add(_origin(public))
        return origin in own

    return allowed
