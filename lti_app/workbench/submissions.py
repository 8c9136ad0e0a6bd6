"""Submissions of code, shared by every phase with a coding task: queue one, find the one that counts,
show one. A submission is a row before it is a job; one attempt has at most one pending at a time."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import func, select, update

from grader.phases.options import max_submits_of
from grader.workbench import time_limit_seconds
from grader.workbench.grade_policy import Scored, pick, submission_policy_of
from lti_app.access import activity_for, user_for
from lti_app.dispatch import commit_and_enqueue
from lti_app.errors import refuse
from lti_app.extensions import db
from lti_app.lti.context import LaunchContext
from lti_app.models import Attempt, Submission, WorkStatus, utcnow
from lti_app.views.status import work_state

PENDING = (WorkStatus.QUEUED, WorkStatus.RUNNING, WorkStatus.RETRY)


def submission_view(launch_id: str, row: Submission) -> dict[str, Any]:
    """What the page may know of a submission: its work state, kind, student-safe result, how long it has
    run against which limit, and where to follow (events), poll (url) or cancel it."""
    view = {**work_state(row), "kind": row.kind, "result": row.result,
            "limit_seconds": time_limit_seconds(row.kind),
            "url": url_for("student.submission_status", launch_id=launch_id, submission_id=row.id),
            "events_url": url_for("workbench.submission_events", launch_id=launch_id, submission_id=row.id)}
    if row.kind in ("run", "command"):
        view["cancel_url"] = url_for("workbench.cancel_submission", launch_id=launch_id, submission_id=row.id)
    if row.status == WorkStatus.RUNNING and row.started_at is not None:
        view["elapsed_seconds"] = round(max(0.0, (utcnow() - row.started_at).total_seconds()), 1)
    if row.cancel_requested_at is not None:
        view["cancel_requested"] = True
    return view


def own_submission(ctx: LaunchContext, submission_id: int) -> tuple[Submission, Attempt]:
    """The submission, refused unless it belongs to this learner in this launch's activity (ids in URLs are
    not trusted alone)."""
    row = db.session.get(Submission, submission_id)
    attempt = db.session.get(Attempt, row.attempt_id) if row is not None else None
    if attempt is None or attempt.activity_id != activity_for(ctx).id or attempt.user_id != user_for(ctx).id:
        refuse(404, "submission_unknown", "there is no such submission in your attempt")
    assert row is not None
    return row, attempt


def latest_submission(attempt_id: int) -> Submission | None:
    from lti_app.access import kept_attempt_facts

    if kept_attempt_facts(attempt_id)[0] is False:  # read with the page's launch: nothing run or submitted yet
        return None
    return db.session.scalar(
        select(Submission).where(Submission.attempt_id == attempt_id).order_by(Submission.id.desc())
    )


def pending_submission(attempt_id: int) -> Submission | None:
    return db.session.scalar(
        select(Submission)
        .where(Submission.attempt_id == attempt_id, Submission.status.in_(PENDING))
        .order_by(Submission.id.desc())
    )


def graded_submits(attempt_id: int) -> list[Submission]:
    """The attempt's Submits the sandbox finished with a test report, oldest first (Run never counts)."""
    rows = db.session.scalars(
        select(Submission)
        .where(Submission.attempt_id == attempt_id, Submission.kind == "submit", Submission.status == WorkStatus.DONE)
        .order_by(Submission.id)
    )
    return [r for r in rows if isinstance(r.result, dict) and isinstance(r.result.get("hidden"), dict)]


def counting_submission(attempt_id: int, policy: str | None = None) -> Submission | None:
    """The Submit the activity's submission policy counts: "best" (the default) = the highest measure — the
    result's own ``measure`` where the phase gives one (bugs fixed, say), else hidden tests passed — ties to the
    earlier one; "latest" = the newest."""
    if policy is None:
        from lti_app.phases.registry import activity_options

        attempt = db.session.get(Attempt, attempt_id)
        policy = submission_policy_of(activity_options(attempt.activity) if attempt is not None else None)
    candidates = [Scored(row, _measure(row.result), row.id) for row in graded_submits(attempt_id)]
    chosen = pick(candidates, policy)
    return chosen.item if chosen is not None else None


def _measure(result: dict[str, Any]) -> float:
    measure = result.get("measure")
    if isinstance(measure, int | float) and not isinstance(measure, bool):
        return float(measure)
    return float(result["hidden"].get("passed") or 0)


def counting_submit(attempt_id: int, policy: str | None = None) -> dict[str, Any] | None:
    """The Submit that counts for the grade (:func:`counting_submission`), as the plain data a phase grades:
    ``{"id", "source", "result"}``."""
    row = counting_submission(attempt_id, policy)
    return None if row is None else {"id": row.id, "source": row.source, "result": row.result}


def submit_limit(attempt: Attempt) -> int | None:
    """How many Submits the attempt may make: the activity's ``max_submits`` where its phase honours that option
    (unset: the phase's own default, else 10); None for no limit (``max_submits`` 0, or a phase without it)."""
    from lti_app.phases.registry import activity_options, get_phase

    phase = get_phase(attempt.activity.phase)
    if phase is None or "max_submits" not in phase.info.options:
        return None
    return max_submits_of(activity_options(attempt.activity))


def submits_used(attempt_id: int) -> int:
    """Submits that count against the limit: every one, whatever became of it. Even one the grader gave up on
    counts, since code that makes grading fail only for some hidden inputs would learn from the failure."""
    return db.session.scalar(
        select(func.count()).select_from(Submission).where(Submission.attempt_id == attempt_id,
                                                           Submission.kind == "submit")
    ) or 0


def submits_left(attempt: Attempt) -> int | None:
    """Submits the attempt may still make; None for no limit."""
    allowed = submit_limit(attempt)
    return None if allowed is None else max(0, allowed - submits_used(attempt.id))


def queue_submission(launch_id: str, attempt: Attempt, *, kind: str, language: str, source: str,
                     stdin: str = "") -> Submission:
    """Write the row and queue its run; refused while an earlier one of this attempt is still pending, and a
    Submit beyond the attempt's limit (:func:`submit_limit`)."""
    # Serialise queueing per attempt so a double click queues one job: a no-op update takes the attempt's row
    # lock on PostgreSQL and the database's write lock on SQLite (where FOR UPDATE does nothing) before the
    # pending check, so a concurrent request checks only after this one has committed or rolled back.
    db.session.execute(update(Attempt).where(Attempt.id == attempt.id).values(status=Attempt.status)
                       .execution_options(synchronize_session=False))
    pending = pending_submission(attempt.id)
    if pending is not None:
        view = submission_view(launch_id, pending)
        db.session.rollback()
        refuse(409, "submission_pending", "your previous run is still in progress; wait for its result",
               submission=view)
    if kind == "submit":
        allowed = submit_limit(attempt)
        if allowed is not None and submits_used(attempt.id) >= allowed:
            db.session.rollback()
            used = f"all {allowed} Submits" if allowed > 1 else "the one Submit"
            refuse(409, "submit_limit", f"you have used {used} of this attempt; Run still works",
                   submits_allowed=allowed)
    row = Submission(attempt_id=attempt.id, kind=kind, language=language, source=source, stdin=stdin)
    db.session.add(row)
    commit_and_enqueue("execute", row)
    return row
