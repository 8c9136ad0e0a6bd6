"""Finds rows whose job was lost and puts them back on the queue, closes attempts past their deadline, and purges
expired LTI login states, launches and old nonces, and terminal workspaces a week after their attempt's grade (once
a minute: no request pays for it).

Lost means: queued but never enqueued (Redis was down), queued but the queue no longer knows the job
(Redis restarted), running but silent past the stale limit (worker killed), or waiting to retry and due.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import or_, select, update

from lti_app.dispatch import Dispatcher, enqueue_safely, get_dispatcher
from lti_app.extensions import db
from lti_app.jobs import KINDS
from lti_app.lti.launch_store import purge_expired
from lti_app.models import WorkStatus, utcnow
from lti_app.workbench.deadlines import sweep_deadlines
from lti_app.workbench.workspaces import purge_workspaces

log = logging.getLogger(__name__)

# A queued row younger than this is left alone even if the queue cannot see its job yet.
ENQUEUE_GRACE = timedelta(seconds=10)
# How often expired login states, launches and old nonces are deleted (a launch checks expiry itself).
PURGE_EVERY_SECONDS = 60.0


def reconcile(dispatcher: Dispatcher, stale_after: timedelta) -> list[tuple[str, int]]:
    """One pass over every work table. Returns the (kind, row id) pairs it re-enqueued."""
    now = utcnow()
    requeued: list[tuple[str, int]] = []
    for kind, spec in KINDS.items():
        model = spec.model
        candidates = db.session.scalars(
            select(model).where(
                or_(
                    model.status == WorkStatus.QUEUED,
                    (model.status == WorkStatus.RETRY) & (model.next_attempt_at <= now),
                    (model.status == WorkStatus.RUNNING) & (model.heartbeat_at < now - stale_after),
                )
            )
        ).all()
        for row in candidates:
            if row.status == WorkStatus.QUEUED and not _queued_row_lost(row, dispatcher, now):
                continue
            previous = row.status  # _reset_to_queued refreshes the row: by then it says "queued"
            if _reset_to_queued(model, row):
                log.warning("reconciler: re-enqueueing %s:%s (was %s)", kind, row.id, previous)
                enqueue_safely(dispatcher, kind, row)
                requeued.append((kind, row.id))
    return requeued


def _queued_row_lost(row: Any, dispatcher: Dispatcher, now: Any) -> bool:
    if row.enqueued_at is None:
        return True
    if now - row.enqueued_at < ENQUEUE_GRACE:
        return False
    return not dispatcher.job_alive(row.job_id)


def _reset_to_queued(model: Any, row: Any) -> bool:
    """Conditional update so two reconcilers never both take the same row."""
    previous_status, previous_heartbeat = row.status, row.heartbeat_at
    result = db.session.execute(
        update(model)
        .where(
            model.id == row.id,
            model.status == previous_status,
            model.heartbeat_at.is_(previous_heartbeat)
            if previous_heartbeat is None
            else model.heartbeat_at == previous_heartbeat,
        )
        .values(status=WorkStatus.QUEUED, next_attempt_at=None)
    )
    db.session.commit()
    db.session.refresh(row)
    return result.rowcount == 1


class ReconcilerThread:
    """Runs :func:`reconcile` every few seconds inside an app context."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        settings = app.config["SETTINGS"]
        self.period = settings.reconcile_seconds
        self.stale_after = timedelta(seconds=settings.work_stale_seconds)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._purged_at: float | None = None  # time.monotonic() of the last purge

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="cr-reconciler", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(self.period):
            try:
                with self.app.app_context():
                    reconcile(get_dispatcher(self.app), self.stale_after)
                    sweep_deadlines()
                    self.purge_if_due()
            except Exception:
                log.exception("reconciler pass failed; trying again next period")

    def purge_if_due(self) -> bool:
        """Purge expired LTI rows if the last purge is PURGE_EVERY_SECONDS old (or there was none yet)."""
        now = time.monotonic()
        if self._purged_at is not None and now - self._purged_at < PURGE_EVERY_SECONDS:
            return False
        purge_expired()
        purge_workspaces()  # terminal workspaces a week after their attempt's grade
        self._purged_at = now
        return True
