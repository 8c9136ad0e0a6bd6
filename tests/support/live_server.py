"""Serve a WSGI app over real HTTP on a free 127.0.0.1 port, in a background thread.

The socket is bound before the app exists (``LiveServer()`` then ``.serve(app)``), so an app that must
know its own URL at construction (an LMS's issuer, a tool's public base URL) can be built with it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

WsgiApp = Callable[..., Any]


class _Switch:
    """WSGI app that forwards to whatever app is plugged in (503 until then)."""

    def __init__(self) -> None:
        self.app: WsgiApp | None = None

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        if self.app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"no app yet"]
        return self.app(environ, start_response)


class LiveServer:
    def __init__(self, app: WsgiApp | None = None) -> None:
        self._switch = _Switch()
        # threaded: a request may call back into the same server (a dev LMS fetching the tool's JWKS).
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, self._switch, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None
        if app is not None:
            self.serve(app)

    def serve(self, app: WsgiApp) -> LiveServer:
        self._switch.app = app
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever, name=f"live:{self.port}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
