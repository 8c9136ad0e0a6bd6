"""WSGI entry point (gunicorn ``lti_app.wsgi:app``).

In the embedded mode the web process is also the worker: it starts the worker side named in
:mod:`lti_app.jobs` (queue threads and the reconciler). With an LLM configured it also starts the model's
qualification (lti_app.phases.difficult_client.qualification) when the model has no verdict yet.
"""

from __future__ import annotations

import gc

from flask import Flask

from lti_app import create_app
from lti_app.jobs import EMBEDDED_WORKER, resolve


def build() -> Flask:
    app = create_app()
    if app.config["SETTINGS"].queue_mode == "inprocess":
        resolve(EMBEDDED_WORKER)(app)
    # With an LLM on: qualify its question rating once per model, in the background (cached in the data dir).
    from lti_app.phases.difficult_client.qualification import start_qualification

    start_qualification(app.config["SETTINGS"])
    # What is loaded by now (modules, templates, scenarios) lives as long as the process: keep it out of the cyclic
    # collector's full passes, which otherwise walk it all again every so many requests.
    gc.freeze()
    return app


app = build()
