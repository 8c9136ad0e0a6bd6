"""Submissions of code, shared by every phase with a coding task: queue one, find the one that counts,
show one. A submission is a row before it is a job; one attempt has at most one pending at a time."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import select

from lti_app.dispatch import enqueue
from lti_app.errors import refuse
from lti_app.extensions import db
from lti_app.models import Attempt, Submission, WorkStatus
from lti_app.views.status import work_state

PENDING = (WorkStatus.QUEUED, WorkStatus.RUNNING, WorkStatus.RETRY)


def submission_view(launch_id: str, row: Submission) -> dict[str, Any]:
    """What the page may know of a submission: its work state, kind, student-safe result and status URL."""
    return {**work_state(row), "kind": row.kind, "result": row.result,
            "url": url_for("student.submission_status", launch_id=launch_id, submission_id=row.id)}


def latest_submission(attempt_id: int) -> Submission | None:
    return db.session.scalar(
        select(Submission).where(Submission.attempt_id == attempt_id).order_by(Submission.id.desc())
    )


def pending_submission(attempt_id: int) -> Submission | None:
    return db.session.scalar(
        select(Submission)
        .where(Submission.attempt_id == attempt_id, Submission.status.in_(PENDING))
        .order_by(Submission.id.desc())
    )


def counting_submit(attempt_id: int) -> dict[str, Any] | None:
    """The Submit that counts for the grade — the newest the sandbox finished with a test report (Run never
    counts) — as the plain data a phase grades: ``{"id", "source", "result"}``."""
    rows = db.session.scalars(
        select(Submission)
        .where(Submission.attempt_id == attempt_id, Submission.kind == "submit", Submission.status == WorkStatus.DONE)
        .order_by(Submission.id.desc())
    )
    row = next((r for r in rows if isinstance(r.result, dict) and "hidden" in r.result), None)
    return None if row is None else {"id": row.id, "source": row.source, "result": row.result}


def queue_submission(launch_id: str, attempt: Attempt, *, kind: str, language: str, source: str,
                     stdin: str = "") -> Submission:
    """Write the row and queue its run; refused while an earlier one of this attempt is still pending."""
    # Serialise queueing per attempt (a row lock on PostgreSQL) so a double click queues one job.
    db.session.scalar(select(Attempt).where(Attempt.id == attempt.id).with_for_update())
    pending = pending_submission(attempt.id)
    if pending is not None:
        view = submission_view(launch_id, pending)
        db.session.rollback()
        refuse(409, "submission_pending", "your previous run is still in progress; wait for its result",
               submission=view)
    row = Submission(attempt_id=attempt.id, kind=kind, language=language, source=source, stdin=stdin)
    db.session.add(row)
    db.session.commit()
    enqueue("execute", row)
    return row
