"""How the hall meets the network: Werkzeug's request handler (the tests' in-process server)
and the deadline for request bodies (every server)."""
from __future__ import annotations

import io
import json
import tempfile
import time

from werkzeug.serving import WSGIRequestHandler

# Bodies up to this size are kept in memory once read; larger ones (uploads) on disk.
_SPOOL_BYTES = 1024 * 1024
_CHUNK = 64 * 1024


class RequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, finishing connections whose WebSocket has ended.

    engine.io hands a finished WebSocket back to Werkzeug by raising ConnectionError, and
    Werkzeug then goes on reading the connection as if it were keep-alive HTTP: the
    client's closing frame is parsed as a request and answered with an HTTP 400 on the
    socket, which browsers report as an invalid frame and some clients wait on for good."""

    def connection_dropped(self, error, environ=None) -> None:
        self.close_connection = True
        super().connection_dropped(error, environ)


class BodyDeadline:
    """Reads a request's body before the app sees it, within ``seconds`` (#11.15).

    A client that sends its headers and then trickles (or never sends) the body would hold
    its worker's greenlet, a database-free but unbounded wait, for as long as it likes; 900
    of them held 908 threads of the old server. Here the body must arrive whole within the
    deadline or the request is answered 408 and the connection closed. The app then reads
    the body from memory (or a spooled file above a megabyte); the size limit
    (MAX_CONTENT_LENGTH) is still the app's to enforce, and a declared length above it is
    not read at all.

    Under gevent the wait itself is interrupted (``gevent.Timeout``); on a threaded server
    the deadline is checked between chunks, which bounds a trickle but not one silent read
    (that server is for tests only)."""

    def __init__(self, app, seconds: float, max_length: int | None) -> None:
        self.app, self.seconds, self.max_length = app, seconds, max_length

    def __call__(self, environ, start_response):
        length = _declared_length(environ)
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        too_long = self.max_length is not None and length is not None and length > self.max_length
        if (not length and not chunked) or too_long:
            return self.app(environ, start_response)
        try:
            body = self._read(environ["wsgi.input"], None if chunked else length)
        except (_TooSlow, OSError, ValueError):  # too slow, or gone mid-body
            return _timed_out(environ, start_response)
        environ["wsgi.input"] = body
        if chunked:  # now of a known length; the app need not parse chunks
            body.seek(0, io.SEEK_END)
            environ["CONTENT_LENGTH"] = str(body.tell())
            body.seek(0)
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ["wsgi.input_terminated"] = False
        return self.app(environ, start_response)

    def _read(self, stream, length: int | None):
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)
        timeout = _gevent_timeout(self.seconds)
        deadline = time.monotonic() + self.seconds
        limit = self.max_length + 1 if self.max_length is not None else None
        try:
            if timeout is not None:
                timeout.start()
            remaining = length
            while remaining is None or remaining > 0:
                want = _CHUNK if remaining is None else min(_CHUNK, remaining)
                chunk = stream.read(want)
                if not chunk:
                    break
                spool.write(chunk)
                if remaining is not None:
                    remaining -= len(chunk)
                if time.monotonic() > deadline:
                    raise _TooSlow
                if limit is not None and spool.tell() >= limit:
                    break  # the app refuses it as too large; no need to read the rest
        except BaseException as exc:
            spool.close()
            if timeout is not None and exc is timeout:
                raise _TooSlow from None
            raise
        finally:
            if timeout is not None:
                timeout.close()
        spool.seek(0)
        return spool


class _TooSlow(Exception):
    pass


def _declared_length(environ) -> int | None:
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def _gevent_timeout(seconds: float):
    """A gevent timeout when this process runs on gevent's patched socket, else None."""
    try:
        from gevent import Timeout, monkey
    except ImportError:
        return None
    return Timeout(seconds) if monkey.is_module_patched("socket") else None


def _timed_out(environ, start_response):
    """408: problem+json for the API (the same shape as hall/web/problems.py), words for
    people elsewhere; the connection is closed either way."""
    if environ.get("PATH_INFO", "").startswith("/api/"):
        body = json.dumps({"type": "/api/v1/problems/request-timeout",
                           "code": "request-timeout", "status": 408,
                           "title": "The request body did not arrive in time.",
                           "instance": environ.get("PATH_INFO", "")}).encode()
        kind = "application/problem+json"
    else:
        body = "请求内容未能及时送达，请重试。 The request body did not arrive in time.\n".encode()
        kind = "text/plain; charset=utf-8"
    start_response("408 Request Timeout", [("Content-Type", kind),
                                           ("Content-Length", str(len(body))),
                                           ("Connection", "close")])
    return [body]
