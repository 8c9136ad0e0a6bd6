"""Run a submission's code in the sandbox: the phase names the task, the workbench runs it, the row keeps it.

A terminal's command (kind "command") runs the phase's ``CommandTask`` over the attempt's stored workspace;
the tree it leaves is stored (revision + 1) in the transaction that records the result, so a command whose
worker died changed nothing and may simply run again. A "check" runs the task's ``check`` over the workspace
and keeps only its verdict.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grader.sandbox import InvalidRequest, SandboxError
from grader.workbench import SUBMISSION_KINDS
from grader.workbench.workspace import Workspace, WorkspaceError
from lti_app.extensions import db
from lti_app.models import Attempt, Submission, utcnow
from lti_app.phases.registry import RunsCode, RunsCommands, get_phase
from lti_app.workbench.workspaces import store_workspace, workspace_of, workspace_row
from worker.outcome import Outcome
from worker.sandbox import sandbox_backend

log = logging.getLogger(__name__)
SANDBOX_TRIES = 3  # a broken sandbox host is retried this many times before the row fails
TERMINAL_KINDS = ("command", "check")
CANCELLABLE = ("run", "command")


@contextlib.contextmanager
def cancel_watch(row: Submission, every: float = 0.1) -> Iterator[threading.Event | None]:
    """For a Run or a command: an event set as soon as the student's Cancel lands on the row (polled on its own
    connection, so it works the same under RQ and in-process). Submits are never cancelled."""
    if row.kind not in CANCELLABLE:
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
    # The attempt with its activity in one query (the phase and the task come from both).
    attempt = db.session.get(Attempt, row.attempt_id, options=[joinedload(Attempt.activity)])
    phase = get_phase(attempt.activity.phase) if attempt else None
    if attempt is None or phase is None:
        return Outcome.failed("the attempt or its phase no longer exists")
    if row.kind in TERMINAL_KINDS:
        return _terminal(row, attempt, phase)
    if not isinstance(phase.adapter, RunsCode):
        return Outcome.failed(f"phase {phase.id!r} has no code to run")
    task = phase.adapter.code_task(attempt)
    if row.kind not in getattr(task, "kinds", SUBMISSION_KINDS):  # a task may run more (e.g. "examples")
        return Outcome.failed(f"unknown submission kind {row.kind!r}")
    if row.cancel_requested_at is not None:  # cancelled while it waited in the queue
        row.result = {"kind": row.kind, "outcome": "cancelled"}
        return Outcome.done()
    try:
        with cancel_watch(row) as cancel:
            # Any phase's task: it knows its language and how its Run and Submit are judged.
            row.result = task.execute(sandbox_backend(current_app.config["SETTINGS"]), row.kind, row.source,
                                      row.stdin, cancel=cancel)
    except InvalidRequest as exc:  # the code itself cannot be run (e.g. too large): a student-facing answer
        row.result = {"kind": row.kind, "outcome": "refused", "error": f"Your code could not be run: {exc}"}
    except SandboxError as exc:  # the host is broken: keep the row and try again, then fail visibly
        log.warning("sandbox failed for submission %s (try %s): %s", row.id, row.tries, exc)
        if row.tries < SANDBOX_TRIES:
            return Outcome.retry(f"sandbox unavailable: {exc}", utcnow() + timedelta(seconds=5 * row.tries))
        return Outcome.failed(f"sandbox unavailable: {exc}")
    return Outcome.done()


def _terminal(row: Submission, attempt: Attempt, phase: Any) -> Outcome:
    """A command or a check over the attempt's workspace."""
    if not isinstance(phase.adapter, RunsCommands):
        return Outcome.failed(f"phase {phase.id!r} has no terminal")
    if row.cancel_requested_at is not None:  # cancelled while it waited in the queue
        row.result = {"kind": row.kind, "outcome": "cancelled", "output": "", "exit_code": None,
                      "note": "Cancelled before it started; nothing was changed."}
        return Outcome.done()
    stored = workspace_row(attempt, phase.adapter)
    revision = stored.revision
    before = workspace_of(stored)
    task = phase.adapter.command_task(attempt)
    command = row.source
    # End the transaction before the sandbox runs: no lock or snapshot is held for seconds (SQLite would make
    # every other writer wait); the tree is stored below only if it is still at the revision read here.
    db.session.commit()
    backend = sandbox_backend(current_app.config["SETTINGS"])
    after: Workspace | None = None
    try:
        with cancel_watch(row) as cancel:
            if row.kind == "command":
                result, after = task.run(backend, before, command, cancel)
            else:
                check = getattr(task, "check", None)
                if check is None:
                    return Outcome.failed(f"phase {phase.id!r} has no check")
                result = check(backend, before)
    except (InvalidRequest, WorkspaceError) as exc:  # the command itself cannot be run: the student's answer
        row.result = {"kind": row.kind, "outcome": "refused", "output": f"This command could not be run: {exc}\n",
                      "exit_code": None, "note": "", "cwd": before.cwd, "started_in": before.cwd}
        return Outcome.done()
    except SandboxError as exc:  # the host is broken: keep the row and try again, then fail visibly
        log.warning("sandbox failed for %s %s (try %s): %s", row.kind, row.id, row.tries, exc)
        if row.tries < SANDBOX_TRIES:
            return Outcome.retry(f"sandbox unavailable: {exc}", utcnow() + timedelta(seconds=5 * row.tries))
        return Outcome.failed(f"sandbox unavailable: {exc}")
    result = {"kind": row.kind, **dict(result), "started_in": before.cwd}
    changed = after is not None and (after.archive != before.archive or after.cwd != before.cwd)
    # Stored here, committed by the runner together with the row's result and final status.
    if changed and not store_workspace(stored, after, revision):  # type: ignore[arg-type]
        log.warning("workspace of attempt %s changed while command %s ran; its tree was not kept",
                    attempt.id, row.id)
        result["note"] = (str(result.get("note") or "") + " The workspace changed while this command ran, so "
                          "what it changed was not kept.").strip()
        result["cwd"] = before.cwd
    row.result = result
    return Outcome.done()
