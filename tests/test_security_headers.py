"""Security headers on every response, and pages that keep working under the policy (the
browser tests run the kiosk, displays and consoles with these headers on)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from hall.web.security import DEFAULT_CSP

ROOT = Path(__file__).resolve().parent.parent
# The shared templates and each screen's own (hall/web/<screen>/templates).
TEMPLATES = [*sorted((ROOT / "hall/web").glob("**/templates")), ROOT / "kiosk/templates",
             ROOT / "display/templates", ROOT / "tracking/templates"]


@pytest.mark.parametrize("path", ["/kiosk/HQ", "/display/HQ", "/track", "/login", "/healthz",
                                  "/api/v1/openapi.json", "/no-such-page"])
def test_every_response_carries_the_headers(client, path):
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == DEFAULT_CSP
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_the_policy_allows_no_inline_script_or_style():
    directives = dict(d.strip().split(" ", 1) for d in DEFAULT_CSP.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in DEFAULT_CSP
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


def test_no_template_has_inline_script_handlers_or_styles():
    """What makes the strict policy possible; a new template with inline code fails here
    (move it into the page's static JS file; page texts go in a JSON <script> block)."""
    offenders = []
    for folder in TEMPLATES:
        for template in folder.rglob("*.html"):
            text = template.read_text()
            for tag in re.findall(r"<script\b[^>]*>", text):
                if "src=" not in tag and 'type="application/json"' not in tag:
                    offenders.append(f"{template}: {tag}")
            for attr in re.findall(r"\son[a-z]+\s*=", text):
                offenders.append(f"{template}: {attr.strip()}")
            if re.search(r"\sstyle\s*=|<style\b", text):
                offenders.append(f"{template}: style")
            if "javascript:" in text:
                offenders.append(f"{template}: javascript: URL")
    assert offenders == []


@pytest.mark.hall_open
def test_the_ticket_pdf_may_be_framed_by_the_kiosk_only(client):
    issued = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"}).get_json()
    response = client.get(issued["pdf_url"])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'self'"


def test_the_policy_can_be_turned_off_for_a_proxy_that_sets_its_own(app):
    from conftest import make_config
    from hall.web import create_app, shutdown

    other = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"],
                                   CONTENT_SECURITY_POLICY=""))
    try:
        response = other.test_client().get("/healthz")
        assert "Content-Security-Policy" not in response.headers
        assert response.headers["X-Frame-Options"] == "DENY"
    finally:
        shutdown(other)
