"""The function RQ workers call. It builds the Flask app once per process and runs the row's work."""

from __future__ import annotations

import os

from flask import Flask

_app: Flask | None = None


def preload(app: Flask) -> None:
    """Called by the worker command before it starts: a forking worker's work horses inherit a ready app
    and warm imports; a non-forking worker simply keeps them."""
    global _app
    _app = app
    from lti_app.jobs import KINDS
    from worker.runner import handler_for

    for kind in KINDS:
        handler_for(kind)
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _after_fork_in_child() -> None:
    """A work horse (``--fork``) must never reuse the connections its parent opened: database, Docker."""
    from lti_app.extensions import db
    from worker.sandbox import forget_connected_backends

    if _app is not None:
        with _app.app_context():
            db.engine.dispose(close=False)
    forget_connected_backends()


def _get_app() -> Flask:
    global _app
    if _app is None:
        from lti_app import create_app

        _app = create_app()
    return _app


def run_job(kind: str, row_id: int) -> str:
    from worker.runner import perform

    with _get_app().app_context():
        return perform(kind, row_id)
