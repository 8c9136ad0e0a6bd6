"""The embedded mode's worker side, inside the web process: the in-process queue threads and the reconciler,
which also picks up any work a previous process left unfinished."""

from __future__ import annotations

from flask import Flask

from lti_app.dispatch import get_dispatcher
from worker.reconciler import ReconcilerThread


def start(app: Flask) -> None:
    get_dispatcher(app).start()
    reconciler = ReconcilerThread(app)
    reconciler.start()
    app.extensions["cr_reconciler"] = reconciler
