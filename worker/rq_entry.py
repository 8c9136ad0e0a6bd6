"""The function RQ workers call. It builds the Flask app once per process and runs the row's work."""

from __future__ import annotations

import os

from flask import Flask

_app: Flask | None = None
_connections_pid = 0  # the process whose database connections the app's pool holds


def preload(app: Flask) -> None:
    """Called by the worker command before it starts: a forking worker's work horses inherit a ready app
    and warm imports; a non-forking worker simply keeps them."""
    global _app, _connections_pid
    _app, _connections_pid = app, os.getpid()
    from worker.kinds import KINDS, handler_for

    for kind in KINDS:
        handler_for(kind)


def _get_app() -> Flask:
    global _app, _connections_pid
    if _app is None:
        from lti_app import create_app

        _app, _connections_pid = create_app(), os.getpid()
    return _app


def run_job(kind: str, row_id: int) -> str:
    global _connections_pid
    from lti_app.extensions import db
    from worker.runner import perform

    app = _get_app()
    with app.app_context():
        if _connections_pid != os.getpid():
            # A forked work horse must never reuse connections its parent opened.
            db.engine.dispose(close=False)
            _connections_pid = os.getpid()
        return perform(kind, row_id)
