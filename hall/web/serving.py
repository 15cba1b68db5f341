"""The embedded server's request handler (Werkzeug, as ``run.py`` and the tests serve)."""
from __future__ import annotations

from werkzeug.serving import WSGIRequestHandler


class RequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, finishing connections whose WebSocket has ended.

    engine.io hands a finished WebSocket back to Werkzeug by raising ConnectionError, and
    Werkzeug then goes on reading the connection as if it were keep-alive HTTP: the
    client's closing frame is parsed as a request and answered with an HTTP 400 on the
    socket, which browsers report as an invalid frame and some clients wait on for good."""

    def connection_dropped(self, error, environ=None) -> None:
        self.close_connection = True
        super().connection_dropped(error, environ)
