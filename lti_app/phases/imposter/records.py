"""What an Imposter attempt records, as the domain reads it, and the one way its state is changed.

- The state (``attempt.state``: the domain's JSON plus ``rev``, ``explored``, ``report`` and ``report_draft``) is
  changed only through :func:`change_state`: a compare-and-swap on ``rev``, retried on a lost race with the
  latest state, so a push recorded after a command, a commit opened in the page and a report save never
  overwrite one another, whichever lands first.
- After every terminal command, :class:`RecordingTask` (the domain's ``ShellTask`` plus the post-command hook)
  records what the command did to the shared remote (``record_push``) in the transaction that stores the
  command's result and its workspace.
- At the close, :func:`close_snapshot` reads the shared remote from the stored workspace and runs the project's
  tests on its head in the sandbox (in the evaluate job, with the worker's backend); the grade keeps it, so a
  regrade needs neither the workspace nor the sandbox.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from grader.phases.imposter import (
    InvalidReport,
    parse_report,
    record_push,
    remembered_head,
    remote_snapshot,
    workspace_seed,
)
from grader.phases.imposter.checks import CheckError
from grader.sandbox import InvalidRequest, SandboxError
from grader.workbench.workspace import ShellTask, WorkspaceError
from lti_app.errors import refuse
from lti_app.extensions import db
from lti_app.jobs import SANDBOX_BACKEND, resolve
from lti_app.models import Attempt, AttemptStatus, GradeRow, Submission, WorkspaceRow, WorkStatus, utcnow
from lti_app.workbench.workspaces import workspace_of

log = logging.getLogger(__name__)
STATE_TRIES = 8
SNAPSHOT_TRIES = 3  # a broken sandbox host is tried this often for the remote's tests at the close
MAX_OPENED = 500  # commits recorded as opened (each once, in the order first opened)
MAX_FILTERS = 200  # author filters recorded (a change of filter each)
REPORT_FIELDS = ("imposter", "commit", "resolution", "why")
LIVE = (AttemptStatus.OPEN, AttemptStatus.GRADING)


def aware(moment: datetime | None) -> datetime | None:
    """A stored (naive UTC) time as the domain takes it."""
    return None if moment is None else moment.replace(tzinfo=UTC)


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _fresh(attempt_id: int) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(Attempt.id == attempt_id)
                             .execution_options(populate_existing=True))


def change_state(attempt_id: int, change: Callable[[dict[str, Any]], dict[str, Any] | None], *,
                 statuses: tuple[str, ...] = (AttemptStatus.OPEN,), busy: bool = True) -> dict[str, Any] | None:
    """Apply ``change`` (state -> new state, or None for "nothing to store") with a compare-and-swap on the
    state's ``rev``, retried with the latest state when another write got there first. ``statuses``: where the
    attempt may be (an open one, by default, not finished). Returns the stored state (flushed, not committed:
    the caller commits it with what it records), the unchanged state when ``change`` had nothing to store, or
    None when the attempt is not in one of ``statuses`` (rolled back). After too many lost races: 409 ``busy``,
    or None when ``busy`` is False (a write that may be skipped, e.g. a record of what the student looked at)."""
    for _ in range(STATE_TRIES):
        attempt = _fresh(attempt_id)
        if attempt is None or attempt.status not in statuses or \
                (AttemptStatus.GRADING not in statuses and attempt.state.get("finished")):
            db.session.rollback()
            return None
        state = dict(attempt.state)
        base = int(state.get("rev") or 0)
        new = change(state)
        if new is None:
            return state
        new = {**new, "rev": base + 1}
        same = Attempt.state["rev"].as_integer() == base if "rev" in state else \
            Attempt.state["rev"].as_string().is_(None)  # an attempt started before revisions were kept
        stored = db.session.execute(
            update(Attempt)
            .where(Attempt.id == attempt_id, Attempt.status.in_(statuses), same)
            .values(state=new)
            .execution_options(synchronize_session=False)
        )
        if stored.rowcount == 1:
            return new
        db.session.rollback()
    if busy:
        refuse(409, "busy", "the attempt was changing while this was stored; nothing was lost, try again")
    log.warning("attempt %s: state not stored after %s lost races", attempt_id, STATE_TRIES)
    return None


# ----- what the student looked at ---------------------------------------------------------------------------
def explored_of(state: dict[str, Any]) -> dict[str, list[str]]:
    explored = state.get("explored") if isinstance(state.get("explored"), dict) else {}
    return {"opened": list(explored.get("opened") or []), "filters": list(explored.get("filters") or [])}


def record_opened(attempt_id: int, sha: str) -> None:
    """A commit opened in the page (its diff), once per commit, for the instructor. Never refuses the read."""
    def change(state: dict[str, Any]) -> dict[str, Any] | None:
        explored = explored_of(state)
        if sha in explored["opened"] or len(explored["opened"]) >= MAX_OPENED:
            return None
        return {**state, "explored": {**explored, "opened": [*explored["opened"], sha]}}

    change_state(attempt_id, change, busy=False)
    db.session.commit()


def record_filter(attempt_id: int, label: str) -> None:
    """An author filter chosen in the page ("everyone" for none), each change once, for the instructor."""
    def change(state: dict[str, Any]) -> dict[str, Any] | None:
        explored = explored_of(state)
        filters = explored["filters"]
        if (filters and filters[-1] == label) or (not filters and label == "everyone") or \
                len(filters) >= MAX_FILTERS:
            return None
        return {**state, "explored": {**explored, "filters": [*filters, label]}}

    change_state(attempt_id, change, busy=False)
    db.session.commit()


# ----- the terminal's post-command hook ---------------------------------------------------------------------
def _workspace_revision(attempt_id: int) -> int | None:
    return db.session.scalar(select(WorkspaceRow.revision).where(WorkspaceRow.attempt_id == attempt_id))


def _running_command(attempt_id: int) -> int | None:
    return db.session.scalar(
        select(Submission.id).where(Submission.attempt_id == attempt_id, Submission.kind == "command",
                                    Submission.status == WorkStatus.RUNNING).order_by(Submission.id.desc()).limit(1)
    )


def record_after_command(attempt_id: int, workspace: Any, revision: int | None) -> dict[str, Any] | None:
    """The post-command hook: ``record_push`` from the head the server remembers to the remote in the tree the
    command left, stored with a compare-and-swap (a push is never lost to a concurrent write). Skipped when
    the stored workspace moved past ``revision`` while the command ran (its tree will not be kept either).
    Not committed: the execute handler commits it with the command's result and new tree."""
    command_id = _running_command(attempt_id)
    at = iso(utcnow())

    def change(state: dict[str, Any]) -> dict[str, Any] | None:
        if revision is not None and _workspace_revision(attempt_id) != revision:
            return None
        new = record_push(state, remembered_head(state), workspace, at=at, command=command_id)
        return None if new is state else new

    # A command that ran across the deadline still counts: the attempt may be closing (grading waits for it).
    return change_state(attempt_id, change, statuses=LIVE, busy=False)


class RecordingTask(ShellTask):
    """The terminal's task for an Imposter attempt: the domain's ``ShellTask`` (git's identity, ``GIT_EDITOR``,
    ``"remote_changed"`` in the result), whose ``run`` then records what the command did to the shared remote
    in the attempt's state (:func:`record_after_command`)."""

    def __init__(self, attempt_id: int, inner: ShellTask) -> None:
        super().__init__(setup=inner.setup, teardown=inner.teardown, prelude=inner.prelude, env=inner.env,
                         limits=inner.limits)
        self.attempt_id = attempt_id
        self.inner = inner

    def run(self, backend: Any, workspace: Any, command: str, cancel: Any = None) -> tuple[dict[str, Any], Any]:
        revision = _workspace_revision(self.attempt_id)
        db.session.commit()  # end the read: nothing is held while the sandbox runs
        view, after = self.inner.run(backend, workspace, command, cancel)
        if after is not None:
            try:
                record_after_command(self.attempt_id, after, revision)
            except Exception:  # noqa: BLE001 - the close's snapshot still sees the remote; the command's result stands
                db.session.rollback()
                log.exception("attempt %s: recording the remote after a command failed", self.attempt_id)
        return view, after


# ----- the report -------------------------------------------------------------------------------------------
def stored_fields(state: dict[str, Any], key: str) -> dict[str, str] | None:
    saved = state.get(key)
    if isinstance(saved, dict) and isinstance(saved.get("fields"), dict):
        return {k: str(saved["fields"].get(k) or "") for k in REPORT_FIELDS}
    return None


def report_for_grading(state: dict[str, Any]) -> dict[str, str] | None:
    """What the grade reads (the report's four fields and ``submitted_at``): the saved report; at a deadline,
    a draft typed after it counts when it is a valid report — the clock must not lose what was written."""
    saved = state.get("report") if isinstance(state.get("report"), dict) else None
    draft = state.get("report_draft") if isinstance(state.get("report_draft"), dict) else None
    chosen = saved
    if state.get("closed_by") == "deadline" and draft and isinstance(draft.get("fields"), dict) and \
            (saved is None or (str(draft.get("saved_at", "")) > str(saved.get("saved_at", ""))
                               and stored_fields(state, "report_draft") != stored_fields(state, "report"))):
        try:
            parse_report(state, draft["fields"])
            chosen = draft
        except InvalidReport:
            pass
    if not chosen or not isinstance(chosen.get("fields"), dict):
        return None
    fields = {k: str(chosen["fields"].get(k) or "") for k in REPORT_FIELDS}
    return {**fields, "submitted_at": str(chosen.get("saved_at") or "")}


# ----- the close --------------------------------------------------------------------------------------------
def previous_inputs(attempt_id: int) -> dict[str, Any] | None:
    """The inputs of the attempt's latest grade that holds a snapshot of the remote (for a regrade)."""
    rows = db.session.scalars(select(GradeRow).where(GradeRow.attempt_id == attempt_id)
                              .order_by(GradeRow.id.desc())).all()
    return next((r.inputs for r in rows if isinstance(r.inputs, dict) and r.inputs.get("remote")), None)


def close_snapshot(attempt: Attempt) -> dict[str, Any]:
    """The shared remote as the attempt left it (``remote_snapshot``: its history, recorded updates and the
    tests on its head, run in the worker's sandbox). Raises after SNAPSHOT_TRIES broken sandbox runs: the
    evaluation fails visibly and an instructor's regrade tries again (the workspace is kept a week)."""
    state = attempt.state
    row = db.session.get(WorkspaceRow, attempt.id)
    workspace = workspace_of(row) if row is not None else workspace_seed(state)
    db.session.commit()  # no transaction is held while the sandbox runs
    backend = resolve(SANDBOX_BACKEND)(current_app.config["SETTINGS"])
    for tries in range(1, SNAPSHOT_TRIES + 1):
        try:
            return remote_snapshot(backend, state, workspace)
        except (CheckError, SandboxError, InvalidRequest, WorkspaceError) as exc:
            log.warning("snapshot of the remote of attempt %s failed (try %s): %s", attempt.id, tries, exc)
            if tries == SNAPSHOT_TRIES:
                raise
            time.sleep(2 * tries)
    raise AssertionError("unreachable")


def command_entries(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The terminal's rows as the domain's grade and views read them (commands and checks, not editor saves)."""
    return [e for e in entries if e.get("kind") in ("command", "check")]
