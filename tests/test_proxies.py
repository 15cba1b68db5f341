"""Behind a declared proxy the rate limits count visitors, not the proxy; without one, a
forged X-Forwarded-For changes nothing."""
from __future__ import annotations

from conftest import make_config
from hall.web import create_app


def strict(app, **extra):
    return create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"],
                                  TRACK_RATE_LIMIT="2 per minute", **extra))


def test_behind_one_proxy_each_visitor_has_their_own_limit(app):
    behind = strict(app, PROXIES=1)
    client = behind.test_client()
    ask = lambda ip: client.get("/track/261122001000010",  # noqa: E731
                                headers={"X-Forwarded-For": ip}).status_code
    assert [ask("10.0.0.1"), ask("10.0.0.1"), ask("10.0.0.1")][-1] == 429
    assert ask("10.0.0.2") != 429  # another visitor behind the same proxy


def test_without_a_declared_proxy_the_header_is_ignored(app):
    direct = strict(app)
    client = direct.test_client()
    ask = lambda ip: client.get("/track/261122001000010",  # noqa: E731
                                headers={"X-Forwarded-For": ip}).status_code
    assert [ask("10.0.0.1"), ask("10.0.0.2"), ask("10.0.0.3")][-1] == 429
