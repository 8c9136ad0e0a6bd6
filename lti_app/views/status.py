"""Student-safe status of an attempt: attempt state, queued work with positions, grade and passback.

Only what is listed here reaches a student; the attempt's engine state never does.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lti_app.dispatch import get_dispatcher
from lti_app.extensions import db
from lti_app.grading import gradebook_passback
from lti_app.models import Attempt, AttemptStatus, Evaluation, GradeRow, Passback, Submission, WorkStatus
from lti_app.phases import get_phase
from lti_app.phases.registry import FiltersFeedback


def work_state(row: Any) -> dict[str, Any]:
    state: dict[str, Any] = {"id": row.id, "state": str(row.status)}
    if row.status == WorkStatus.QUEUED:
        state["position"] = get_dispatcher().position(row.job_id)
    if row.status == WorkStatus.FAILED and not isinstance(row, Passback):
        state["error"] = "This could not be processed; your work is saved and staff can re-run it."
    return state


def passback_state(passback: Passback | None) -> dict[str, Any] | None:
    if passback is None:
        return None
    labels = {
        WorkStatus.QUEUED: "pending",
        WorkStatus.RUNNING: "sending",
        WorkStatus.RETRY: "retrying",
        WorkStatus.DONE: "sent",
        WorkStatus.FAILED: "failed",
    }
    data: dict[str, Any] = {"state": labels.get(WorkStatus(passback.status), str(passback.status))}
    if passback.status in (WorkStatus.FAILED, WorkStatus.RETRY):
        data["reason"] = passback.last_error
    if passback.sent_at:
        data["sent_at"] = passback.sent_at.isoformat() + "Z"
    return data


def latest_grade(attempt: Attempt) -> GradeRow | None:
    return db.session.scalar(select(GradeRow).where(GradeRow.attempt_id == attempt.id).order_by(GradeRow.id.desc()))


def grade_view(grade: GradeRow) -> dict[str, Any]:
    """A grade as its student sees it: the phase may hold back part of the stored feedback (FiltersFeedback)."""
    return {
        "score": grade.score,
        "letter": grade.letter,
        "summary": grade.summary,
        "breakdown": grade.breakdown,
        "feedback": student_feedback(grade),
    }


def student_feedback(grade: GradeRow) -> Any:
    phase = get_phase(grade.attempt.activity.phase)
    if phase is None or not isinstance(phase.adapter, FiltersFeedback) or not isinstance(grade.feedback, dict):
        return grade.feedback
    return phase.adapter.student_feedback(grade.attempt, grade.feedback)


def attempt_status(attempt: Attempt) -> dict[str, Any]:
    evaluation = db.session.scalar(
        select(Evaluation).where(Evaluation.attempt_id == attempt.id).order_by(Evaluation.id.desc())
    )
    submission = db.session.scalar(
        select(Submission).where(Submission.attempt_id == attempt.id).order_by(Submission.id.desc())
    )
    data: dict[str, Any] = {"attempt": {"number": attempt.number, "status": str(attempt.status)}}
    if evaluation is not None:
        data["evaluation"] = work_state(evaluation)
    if submission is not None:
        data["submission"] = {**work_state(submission), "kind": submission.kind, "result": submission.result}
    if attempt.status == AttemptStatus.CLOSED and (grade := latest_grade(attempt)) is not None:
        data["grade"] = grade_view(grade)
        # The gradebook's newest delivery for this student, whichever attempt's grade the policy sent.
        delivery = gradebook_passback(attempt.activity_id, attempt.user_id)
        data["passback"] = passback_state(delivery)
        if delivery is not None:
            sent = delivery.grade
            data["gradebook"] = {"score": sent.score, "letter": sent.letter, "attempt": sent.attempt.number}
    return data
