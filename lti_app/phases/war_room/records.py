"""What a War Room attempt has recorded, as the domain reads it, and the one way its state is changed.

- The state (``attempt.state``, the domain's JSON plus ``rev``, ``report`` and ``report_draft``) is changed only
  through :func:`change_state`: a compare-and-swap on ``rev`` while the attempt is open, so the CTO's pressure
  lines, a chat turn and a report save never overwrite one another, whichever lands first.
- The terminal's rows (commands, checks, editor saves) are the workbench's (``lti_app.workbench.terminal``).
- At the close, :func:`final_check` runs the incident's check once on the stored workspace (in the evaluate job,
  with the worker's sandbox) and records it as the attempt's last check row; a regrade reuses it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from grader.phases.war_room import InvalidReport, clean_report, command_task
from grader.sandbox import InvalidRequest, SandboxError
from grader.workbench.workspace import WorkspaceError
from lti_app.errors import refuse
from lti_app.extensions import db
from lti_app.jobs import SANDBOX_BACKEND, resolve
from lti_app.models import Attempt, AttemptStatus, Submission, WorkspaceRow, WorkStatus, utcnow
from lti_app.workbench.terminal import command_log
from lti_app.workbench.workspaces import workspace_of

log = logging.getLogger(__name__)
STATE_TRIES = 8
FINAL_TRIES = 3  # a broken sandbox host is tried this often for the final check before it is recorded as broken


def aware(moment: datetime | None) -> datetime | None:
    """A stored (naive UTC) time as the domain takes it."""
    return None if moment is None else moment.replace(tzinfo=UTC)


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.replace(tzinfo=None).isoformat() + "Z"


def now_aware() -> datetime:
    return datetime.now(UTC)


def _fresh(attempt_id: int) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(Attempt.id == attempt_id)
                             .execution_options(populate_existing=True))


def is_open(attempt: Attempt) -> bool:
    return attempt.status == AttemptStatus.OPEN and not attempt.state.get("finished")


def change_state(attempt_id: int, change: Callable[[dict[str, Any]], dict[str, Any] | None]) -> dict[str, Any] | None:
    """Apply ``change`` (state -> new state, or None for "nothing to store") to the open attempt's state with a
    compare-and-swap on its ``rev``; retried on a lost race with the latest state. Returns the stored state
    (flushed, not committed: the caller adds its rows and commits), the unchanged state when ``change`` had
    nothing to store, or None when the attempt is no longer open (rolled back)."""
    for _ in range(STATE_TRIES):
        attempt = _fresh(attempt_id)
        if attempt is None or not is_open(attempt):
            db.session.rollback()
            return None
        state = dict(attempt.state)
        base = int(state.get("rev") or 0)
        new = change(state)
        if new is None:
            return state
        new = {**new, "rev": base + 1}
        stored = db.session.execute(
            update(Attempt)
            .where(Attempt.id == attempt_id, Attempt.status == AttemptStatus.OPEN,
                   Attempt.state["rev"].as_integer() == base)
            .values(state=new)
            .execution_options(synchronize_session=False)
        )
        if stored.rowcount == 1:
            return new
        db.session.rollback()
    refuse(409, "busy", "the attempt was changing while this was stored; nothing was lost, try again")


# ----- checks -----------------------------------------------------------------------------------------------
def check_rows(attempt_id: int) -> list[Submission]:
    """The attempt's finished checks, oldest first (a check the sandbox could not run is not one)."""
    rows = db.session.scalars(
        select(Submission).where(Submission.attempt_id == attempt_id, Submission.kind == "check",
                                 Submission.status == WorkStatus.DONE).order_by(Submission.id)
    ).all()
    return [r for r in rows if isinstance(r.result, dict) and isinstance(r.result.get("passed"), bool)]


def last_check(attempt_id: int) -> dict[str, Any] | None:
    rows = check_rows(attempt_id)
    return rows[-1].result if rows else None


def checks_of(attempt_id: int) -> list[dict[str, Any]]:
    """Every check as the domain grades it: ``{"at", "result"}``, oldest first; the last is the final check."""
    return [{"at": iso(r.created_at), "result": r.result} for r in check_rows(attempt_id)]


def final_row(attempt_id: int) -> Submission | None:
    rows = [r for r in check_rows(attempt_id) if r.result.get("final")]
    return rows[-1] if rows else None


# ----- the report -------------------------------------------------------------------------------------------
def report_for_grading(state: dict[str, Any]) -> dict[str, str] | None:
    """The report the grade reads: the saved one; but a draft typed after it (the page saves drafts as the
    student types) counts when it is a valid report — the deadline must not lose what was written."""
    saved = state.get("report") if isinstance(state.get("report"), dict) else None
    draft = state.get("report_draft") if isinstance(state.get("report_draft"), dict) else None
    if draft and (saved is None or str(draft.get("saved_at", "")) > str(saved.get("saved_at", ""))):
        try:
            return clean_report(draft.get("fields") or {})
        except InvalidReport:
            pass
    return dict(saved["fields"]) if saved and isinstance(saved.get("fields"), dict) else None


# ----- the close --------------------------------------------------------------------------------------------
def close_time(attempt: Attempt) -> datetime:
    """When the system's state counts: the close, or the deadline if the sweep closed it a little after."""
    closed = attempt.closed_at or utcnow()
    return min(closed, attempt.deadline_at) if attempt.deadline_at is not None else closed


def _run_final(attempt: Attempt) -> dict[str, Any]:
    row = db.session.get(WorkspaceRow, attempt.id)
    task = command_task(attempt.state)
    if row is None:  # no command was ever typed: the system as it was handed over
        from grader.phases.war_room import workspace_seed

        workspace = workspace_seed(attempt.state)
    else:
        workspace = workspace_of(row)
    db.session.commit()  # no transaction is held while the sandbox runs
    backend = resolve(SANDBOX_BACKEND)(current_app.config["SETTINGS"])
    for tries in range(1, FINAL_TRIES + 1):
        try:
            return {**task.check(backend, workspace), "started_in": workspace.cwd}
        except (SandboxError, InvalidRequest, WorkspaceError) as exc:
            log.warning("final check of attempt %s failed (try %s): %s", attempt.id, tries, exc)
            if tries < FINAL_TRIES:
                time.sleep(2 * tries)
    error = "The check could not run on the system at the close; an instructor can regrade to try again."
    return {"kind": "check", "passed": False, "probes": [], "findings": [], "fixed_by": None, "seconds": 0.0,
            "error": error, "output": f"FAIL: {error}\n", "started_in": workspace.cwd}


def final_check(attempt: Attempt, evaluation: Any) -> Submission:
    """The check of the system at the close, recorded once as the attempt's last check row. A retried
    evaluation or a regrade reuses it; a regrade runs it again only if it could not finish before and the
    workspace is still kept."""
    existing = final_row(attempt.id)
    if existing is not None:
        rerun = (getattr(evaluation, "reason", "") == "regrade" and existing.result.get("error")
                 and db.session.get(WorkspaceRow, attempt.id) is not None)
        if not rerun:
            return existing
    at = close_time(attempt)
    started = utcnow()
    result = _run_final(attempt)
    attempt = db.session.get(Attempt, attempt.id)
    row = Submission(attempt_id=attempt.id, kind="check", language="shell", source="", stdin="",
                     status=WorkStatus.DONE, created_at=at, started_at=started, finished_at=utcnow(),
                     result={**result, "kind": "check", "final": True,
                             "closed_by": str(getattr(evaluation, "reason", "") or "finish")})
    db.session.add(row)
    db.session.commit()
    log.info("final check of attempt %s: %s", attempt.id, "passed" if result.get("passed") else "not passed")
    return row


def grading_inputs(attempt: Attempt) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]],
                                             dict[str, str] | None, datetime | None, datetime | None]:
    """(state, command log, checks, report, started, deadline): what the domain's grade and views read."""
    state = attempt.state
    return (state, command_log(attempt.id), checks_of(attempt.id), report_for_grading(state),
            aware(attempt.started_at), aware(attempt.deadline_at))
