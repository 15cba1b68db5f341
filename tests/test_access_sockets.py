"""Socket.IO takes connections from the hall's own pages only (issue 11.11): a page on another
site, carrying a signed-in manager's cookie, gets no dashboard. Real handshakes over the wire,
by WebSocket and by long-polling."""
from __future__ import annotations

import threading

import pytest
import requests
import socketio

from test_staff_sockets import signed_in


def dashboard_socket(base: str, http: requests.Session, origin: str | None,
                     transport: str = "websocket"):
    """A /staff socket sending the manager's cookie from ``origin``; the dashboard snapshot it
    receives, if any."""
    got, arrived = [], threading.Event()
    # The WebSocket library sends an Origin of its own (the server's): replace or suppress it.
    options = {"origin": origin} if origin else {"suppress_origin": True}
    client = socketio.Client(reconnection=False, websocket_extra_options=options)

    @client.on("dashboard", namespace="/staff")
    def _dashboard(data):
        got.append(data)
        arrived.set()

    headers = {"Cookie": "; ".join(f"{c.name}={c.value}" for c in http.cookies)}
    if origin and transport == "polling":
        headers["Origin"] = origin
    client.connect(base, namespaces=["/staff"], transports=[transport], headers=headers,
                   wait_timeout=5)
    client.emit("watch_dashboard", {"hall": "HQ"}, namespace="/staff")
    arrived.wait(5)
    client.disconnect()
    return got


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_another_sites_page_gets_no_socket(live_server, transport):
    http = signed_in(live_server, "manager")
    with pytest.raises(socketio.exceptions.ConnectionError):
        dashboard_socket(live_server, http, "http://evil.example", transport)


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_the_halls_own_page_gets_its_dashboard(live_server, transport):
    http = signed_in(live_server, "manager")
    got = dashboard_socket(live_server, http, live_server, transport)
    assert got and got[0]["hall"] == "HQ"


def test_a_client_without_an_origin_is_not_a_browser_page(live_server):
    http = signed_in(live_server, "manager")
    assert dashboard_socket(live_server, http, None)


def test_configured_origins_replace_the_default(app):
    from hall.web.socket_origins import allowed_origins

    app.config["SOCKET_ALLOWED_ORIGINS"] = ["https://hall.example.gov.cn"]
    check = allowed_origins(app)
    environ = {"wsgi.url_scheme": "http", "HTTP_HOST": "10.1.2.3:5000"}
    assert check("https://hall.example.gov.cn", environ)
    assert not check("http://10.1.2.3:5000", environ)
    app.config.update(SOCKET_ALLOWED_ORIGINS=[], PUBLIC_BASE_URL="https://hall.example.gov.cn")
    check = allowed_origins(app)
    assert check("https://hall.example.gov.cn", environ) and check("http://10.1.2.3:5000", environ)
    assert not check("https://evil.example", environ)
