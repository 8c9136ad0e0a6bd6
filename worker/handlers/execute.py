"""Run a submission's code in the sandbox: the phase names the task, the workbench runs it, the row keeps it."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from grader.sandbox import InvalidRequest, SandboxError
from grader.workbench import SUBMISSION_KINDS, execute
from lti_app.extensions import db
from lti_app.models import Attempt, Submission, utcnow
from lti_app.phases.registry import RunsCode, get_phase
from worker.outcome import Outcome
from worker.sandbox import sandbox_backend

log = logging.getLogger(__name__)
SANDBOX_TRIES = 3  # a broken sandbox host is retried this many times before the row fails


@contextlib.contextmanager
def cancel_watch(row: Submission, every: float = 0.1) -> Iterator[threading.Event | None]:
    """For a Run: an event set as soon as the student's Cancel lands on the row (polled on its own
    connection, so it works the same under RQ and in-process). Submits are never cancelled."""
    if row.kind != "run":
        yield None
        return
    cancel, done = threading.Event(), threading.Event()
    engine, row_id = db.engine, row.id

    def poll() -> None:
        query = select(Submission.cancel_requested_at).where(Submission.id == row_id)
        while not done.wait(every):
            try:
                with engine.connect() as conn:
                    if conn.execute(query).scalar() is not None:
                        cancel.set()
                        return
            except Exception:  # a missed poll only delays the cancel
                log.warning("polling submission %s for a cancel failed", row_id, exc_info=True)

    thread = threading.Thread(target=poll, name=f"cr-cancel-{row_id}", daemon=True)
    thread.start()
    try:
        yield cancel
    finally:
        done.set()
        thread.join(timeout=2)


def handle(row: Submission) -> Outcome:
    """Fill ``row.result`` (the runner commits it with the row's final status)."""
    attempt = db.session.get(Attempt, row.attempt_id)
    phase = get_phase(attempt.activity.phase) if attempt else None
    if attempt is None or phase is None:
        return Outcome.failed("the attempt or its phase no longer exists")
    if not isinstance(phase.adapter, RunsCode):
        return Outcome.failed(f"phase {phase.id!r} has no code to run")
    if row.kind not in SUBMISSION_KINDS:
        return Outcome.failed(f"unknown submission kind {row.kind!r}")
    task = phase.adapter.code_task(attempt)
    if row.cancel_requested_at is not None:  # cancelled while it waited in the queue
        row.result = {"kind": row.kind, "outcome": "cancelled"}
        return Outcome.done()
    try:
        with cancel_watch(row) as cancel:
            row.result = execute(sandbox_backend(current_app.config["SETTINGS"]), task, row.kind, row.source,
                                 row.stdin, cancel=cancel)
    except InvalidRequest as exc:  # the code itself cannot be run (e.g. too large): a student-facing answer
        row.result = {"kind": row.kind, "outcome": "refused", "error": f"Your code could not be run: {exc}"}
    except SandboxError as exc:  # the host is broken: keep the row and try again, then fail visibly
        log.warning("sandbox failed for submission %s (try %s): %s", row.id, row.tries, exc)
        if row.tries < SANDBOX_TRIES:
            return Outcome.retry(f"sandbox unavailable: {exc}", utcnow() + timedelta(seconds=5 * row.tries))
        return Outcome.failed(f"sandbox unavailable: {exc}")
    return Outcome.done()
