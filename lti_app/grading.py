"""Turning finished work into grades and grades into gradebook deliveries — always row first, then job."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from grader.scoring import Grade
from grader.workbench.grade_policy import Scored, attempt_policy_of, pick
from lti_app.dispatch import commit_and_enqueue
from lti_app.extensions import db
from lti_app.models import Activity, Attempt, AttemptStatus, Evaluation, GradeRow, Passback, utcnow


def request_evaluation(attempt: Attempt, reason: str = "finish", inputs: dict[str, Any] | None = None) -> Evaluation:
    """Close the attempt for grading ("finish", "deadline") or regrade it, and queue the evaluation.
    Regrades go to the low-priority queue."""
    evaluation = Evaluation(attempt_id=attempt.id, reason=reason, inputs=inputs or {})
    if reason != "regrade":
        attempt.status = AttemptStatus.GRADING
    db.session.add(evaluation)
    commit_and_enqueue("evaluate", evaluation, queue_name="bulk" if reason == "regrade" else None)
    return evaluation


def store_grade(
    evaluation: Evaluation, grade: Grade, inputs: dict[str, Any], feedback: dict[str, Any] | None = None
) -> GradeRow:
    """Persist a grade once per evaluation (idempotent) and queue a passback of the grade the activity's
    attempt policy now counts for this student (this one, or another attempt's)."""
    existing = db.session.scalar(select(GradeRow).where(GradeRow.evaluation_id == evaluation.id))
    if existing is not None:
        return existing
    attempt = db.session.get(Attempt, evaluation.attempt_id)
    assert attempt is not None
    row = GradeRow(
        attempt_id=attempt.id,
        evaluation_id=evaluation.id,
        score=grade.score,
        letter=grade.letter,
        summary=grade.summary,
        breakdown=grade.to_dict()["items"],
        inputs=inputs,
        feedback=feedback or {},
    )
    attempt.status = AttemptStatus.CLOSED
    attempt.closed_at = attempt.closed_at or utcnow()
    db.session.add(row)
    db.session.flush()
    passback = new_passback(counting_grade(attempt.activity, attempt.user_id) or row)
    commit_and_enqueue("passback", passback)
    return row


def target_key(row: GradeRow) -> str:
    attempt = row.attempt
    return f"{attempt.activity.ags_lineitem_url or 'no-lineitem'}|{attempt.user.sub}"


def next_score_timestamp(key: str, now: datetime | None = None) -> datetime:
    """Strictly newer, to the second, than anything sent for this line item and user.

    Moodle answers 409 to a score whose timestamp is not newer than the last one (compared to the
    second) and Canvas 400 to an older one, so two quick grades must still get distinct seconds.
    """
    now = (now or utcnow()).replace(microsecond=0)
    last = db.session.scalar(select(func.max(Passback.score_timestamp)).where(Passback.target_key == key))
    if last is not None and last.replace(microsecond=0) >= now:
        return last.replace(microsecond=0) + timedelta(seconds=1)
    return now


def new_passback(row: GradeRow) -> Passback:
    key = target_key(row)
    passback = Passback(grade_id=row.id, target_key=key, score_timestamp=next_score_timestamp(key))
    db.session.add(passback)
    db.session.flush()
    return passback


def resend(row: GradeRow) -> Passback:
    """Instructor's resend for ``row``'s student: a new delivery, with a newer timestamp, of the grade the
    attempt policy counts (never an older, lower grade the policy does not pick)."""
    attempt = row.attempt
    passback = new_passback(counting_grade(attempt.activity, attempt.user_id) or row)
    commit_and_enqueue("passback", passback)
    return passback


def latest_passback(grade_id: int) -> Passback | None:
    return db.session.scalar(select(Passback).where(Passback.grade_id == grade_id).order_by(Passback.id.desc()))


def attempt_grades(activity_id: int, user_id: int) -> list[tuple[Attempt, GradeRow]]:
    """The student's graded attempts in attempt order, each with its newest grade (a regrade replaces it)."""
    rows = db.session.execute(
        select(Attempt, GradeRow)
        .join(GradeRow, GradeRow.attempt_id == Attempt.id)
        .where(Attempt.activity_id == activity_id, Attempt.user_id == user_id)
        .order_by(GradeRow.id)
    ).all()
    newest: dict[int, tuple[Attempt, GradeRow]] = {}
    for attempt, grade in rows:
        newest[attempt.id] = (attempt, grade)
    return sorted(newest.values(), key=lambda pair: pair[0].number)


def counting_grade(activity: Activity, user_id: int) -> GradeRow | None:
    """The grade the gradebook should hold for the student: the activity's attempt policy ("best" by default,
    "latest" or "first") applied to each attempt's newest grade. Ties under "best" go to the earlier attempt."""
    candidates = [Scored(grade, grade.score, attempt.number) for attempt, grade in attempt_grades(activity.id, user_id)]
    chosen = pick(candidates, attempt_policy_of(activity.options))
    return chosen.item if chosen is not None else None


def gradebook_passback(activity_id: int, user_id: int) -> Passback | None:
    """The newest delivery to the gradebook for this student and activity (whichever grade it carries)."""
    return db.session.scalar(
        select(Passback)
        .join(GradeRow, GradeRow.id == Passback.grade_id)
        .join(Attempt, Attempt.id == GradeRow.attempt_id)
        .where(Attempt.activity_id == activity_id, Attempt.user_id == user_id)
        .order_by(Passback.id.desc())
    )
