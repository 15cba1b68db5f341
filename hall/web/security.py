"""Security headers on every response the app makes.

No page of the hall runs inline script or inline style: every script is a static file, page
texts travel in ``<script type="application/json">`` blocks (data, never executed), and no
template has an ``on…=`` attribute or a ``style=``. So the policy allows scripts and styles
from the hall's own origin only. ``connect-src 'self'`` covers the Socket.IO WebSocket
(CSP 3: 'self' matches ws:/wss: on the same host); ``img-src data:`` the displays' empty
favicon. Pages may not be framed (X-Frame-Options DENY, ``frame-ancestors 'none'``), except
the ticket PDF, which the kiosk frames from its own origin to print it.

A view that sets one of these headers itself keeps its own. Socket.IO's answers do not go
through Flask and carry none (they are not pages).
"""
from __future__ import annotations

from flask import Flask, Response

DEFAULT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; font-src 'self'; object-src 'none'; frame-src 'self'; "
               "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# A framed PDF gets no policy beyond its framing: browsers' PDF viewers run their own code.
PDF_CSP = "frame-ancestors 'self'"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def register(app: Flask) -> None:
    policy = app.config.get("CONTENT_SECURITY_POLICY")
    if policy is None:
        policy = DEFAULT_CSP
    referrer = app.config.get("REFERRER_POLICY", "same-origin")

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        pdf = response.mimetype == "application/pdf"
        if policy:
            headers.setdefault("Content-Security-Policy", PDF_CSP if pdf else policy)
        headers.setdefault("X-Frame-Options", "SAMEORIGIN" if pdf else "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        # same-origin: a tracking link (it carries the access code) is never sent as a
        # Referer to another site.
        headers.setdefault("Referrer-Policy", referrer)
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
