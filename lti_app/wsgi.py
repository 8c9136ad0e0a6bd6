"""WSGI entry point (gunicorn ``lti_app.wsgi:app``).

In the embedded mode the web process is also the worker: start the in-process queue threads and the
reconciler, which also picks up any work a previous process left unfinished.
"""

from __future__ import annotations

from flask import Flask

from lti_app import create_app
from worker.dispatch import get_dispatcher
from worker.reconciler import ReconcilerThread


def build() -> Flask:
    app = create_app()
    if app.config["SETTINGS"].queue_mode == "inprocess":
        get_dispatcher(app).start()
        reconciler = ReconcilerThread(app)
        reconciler.start()
        app.extensions["cr_reconciler"] = reconciler
    return app


app = build()
