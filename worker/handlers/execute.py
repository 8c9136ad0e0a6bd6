"""Run a submission's code in the sandbox: the phase names the task, the workbench runs it, the row keeps it."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app

from grader.sandbox import InvalidRequest, SandboxError
from grader.workbench import SUBMISSION_KINDS, execute
from lti_app.extensions import db
from lti_app.models import Attempt, Submission, utcnow
from lti_app.phases.registry import RunsCode, get_phase
from worker.outcome import Outcome
from worker.sandbox import sandbox_backend

log = logging.getLogger(__name__)
SANDBOX_TRIES = 3  # a broken sandbox host is retried this many times before the row fails


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
    try:
        row.result = execute(sandbox_backend(current_app.config["SETTINGS"]), task, row.kind, row.source, row.stdin)
    except InvalidRequest as exc:  # the code itself cannot be run (e.g. too large): a student-facing answer
        row.result = {"kind": row.kind, "outcome": "refused", "error": f"Your code could not be run: {exc}"}
    except SandboxError as exc:  # the host is broken: keep the row and try again, then fail visibly
        log.warning("sandbox failed for submission %s (try %s): %s", row.id, row.tries, exc)
        if row.tries < SANDBOX_TRIES:
            return Outcome.retry(f"sandbox unavailable: {exc}", utcnow() + timedelta(seconds=5 * row.tries))
        return Outcome.failed(f"sandbox unavailable: {exc}")
    return Outcome.done()
