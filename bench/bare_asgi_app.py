"""The asyncio candidate for the live tier, for the side-by-side measure in bench/sockets.py
(``--bare gevent,gthread,asyncio``): python-socketio's ``AsyncServer`` under uvicorn, one
process, with the same ``/display`` namespace and ``POST /call`` as bench/bare_socketio_app.py
(the same payload to the same room). No Flask: the hall's pages and API would have to be
served beside it (ASGI-wrapped or by another process), which is part of what the choice
weighs (README, "Serving").

Run: ``PORT=5003 .venv/bin/python bench/bare_asgi_app.py`` (the benchmark starts it itself).
"""
from __future__ import annotations

import itertools
import json
import os
from datetime import UTC, datetime

import socketio
import uvicorn
from bare_socketio_app import CALLED, NAMESPACE, ROOM

sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins=[], logger=False,
                           engineio_logger=False)
_seq = itertools.count(CALLED["seq"])


class BareDisplay(socketio.AsyncNamespace):
    async def on_connect(self, sid, environ, auth=None):
        return True

    async def on_join(self, sid, data):
        await self.enter_room(sid, ROOM)
        await self.emit("state", {"hall": "HQ", "seq": 0}, to=sid)


sio.register_namespace(BareDisplay(NAMESPACE))


async def http(scope, receive, send):
    """``GET /health`` and ``POST /call``, as the Flask baselines answer them."""
    if scope["type"] != "http":
        return
    if scope["path"] == "/call" and scope["method"] == "POST":
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        number = json.loads(body)["number"]
        payload = {**CALLED, "seq": next(_seq), "number": number,
                   "at": datetime.now(UTC).isoformat(),
                   "window": {**CALLED["window"], "serving": number}}
        await sio.emit("called", payload, namespace=NAMESPACE, to=ROOM)
        answer = json.dumps(payload).encode()
    else:
        answer = b'{"ok": true}'
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": answer})


app = socketio.ASGIApp(sio, other_asgi_app=http)

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "5003")),
                log_level="warning", access_log=False)
