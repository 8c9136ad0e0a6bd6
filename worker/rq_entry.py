"""The function RQ workers call. It builds the Flask app once per process and runs the row's work."""

from __future__ import annotations

from flask import Flask

_app: Flask | None = None


def preload(app: Flask) -> None:
    """Called by the worker command before it forks: every work horse inherits a ready app and warm imports."""
    global _app
    _app = app
    from worker.kinds import KINDS, handler_for

    for kind in KINDS:
        handler_for(kind)


def _get_app() -> Flask:
    global _app
    if _app is None:
        from lti_app import create_app

        _app = create_app()
    return _app


def run_job(kind: str, row_id: int) -> str:
    from lti_app.extensions import db
    from worker.runner import perform

    app = _get_app()
    with app.app_context():
        # RQ forks a work horse per job: never reuse connections the parent opened.
        db.engine.dispose(close=False)
        return perform(kind, row_id)
