"""WSGI entry point (gunicorn ``lti_app.wsgi:app``).

In the embedded mode the web process is also the worker: it starts the worker side named in
:mod:`lti_app.jobs` (queue threads and the reconciler).
"""

from __future__ import annotations

from flask import Flask

from lti_app import create_app
from lti_app.jobs import EMBEDDED_WORKER, resolve


def build() -> Flask:
    app = create_app()
    if app.config["SETTINGS"].queue_mode == "inprocess":
        resolve(EMBEDDED_WORKER)(app)
    return app


app = build()
