"""Deliver a grade to the LMS through AGS, with backoff on transient failures."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lti_app.extensions import db
from lti_app.models import Activity, Attempt, GradeRow, Passback, utcnow
from worker.outcome import Outcome

MAX_TRIES = 6


def backoff(tries: int) -> timedelta:
    """2 s, 4 s, 8 s … capped at 5 minutes."""
    return timedelta(seconds=min(300, 2**tries))


def handle(row: Passback) -> Outcome:
    from lti_app.grading import counting_grade
    from lti_app.lti.ags import AgsTarget, ScoreToSend, send_score

    # The grade with its attempt, the attempt's learner and activity, and the activity's course, in one query
    # (each is read below; one lazy load after another would be five round trips).
    grade = db.session.scalars(
        select(GradeRow).where(GradeRow.id == row.grade_id).options(
            joinedload(GradeRow.attempt).joinedload(Attempt.activity).joinedload(Activity.course),
            joinedload(GradeRow.attempt).joinedload(Attempt.user))
    ).one()
    attempt = grade.attempt
    activity = attempt.activity
    current = counting_grade(activity, attempt.user_id)
    if current is not None and current.id != grade.id:
        # Another grade of this student arrived (or a regrade replaced one) since this delivery was queued:
        # send what the attempt policy counts now, and let the row say so.
        row.grade = grade = current
        attempt = grade.attempt
    if not activity.ags_lineitem_url:
        return Outcome.failed("the platform did not grant a gradebook column (AGS) for this activity")

    target = AgsTarget(
        issuer=activity.course.issuer,
        client_id=activity.client_id,
        deployment_id=activity.deployment_id,
        lineitem_url=activity.ags_lineitem_url,
        user_sub=attempt.user.sub,
        platform_family=activity.platform_family,
    )
    score = ScoreToSend(
        score_given=grade.score,
        score_maximum=100.0,
        comment=f"{grade.letter} — {grade.summary}".strip(" —"),
        timestamp=row.score_timestamp.replace(tzinfo=UTC).isoformat(),
        activity_progress="Completed",
        grading_progress="FullyGraded",
        canvas_submission={"submitted_at": attempt.closed_at.replace(tzinfo=UTC).isoformat()}
        if activity.platform_family == "canvas" and attempt.closed_at
        else None,
    )
    result = send_score(target, score)
    row.response_code = result.status_code
    if result.ok:
        row.sent_at = utcnow()
        return Outcome.done()
    if result.conflict and row.tries < MAX_TRIES:
        # Moodle's 409: the platform holds a score at least as new, to the second (another delivery
        # landed first). Move past both it and the clock, and try again straight away.
        row.score_timestamp = max(utcnow().replace(microsecond=0), row.score_timestamp) + timedelta(seconds=1)
        return Outcome.retry("the platform holds a score at least as new; resending with a newer timestamp", utcnow())
    if result.retryable and row.tries < MAX_TRIES:
        return Outcome.retry(
            f"HTTP {result.status_code or 'error'}: {result.detail}"[:500], utcnow() + backoff(row.tries)
        )
    return Outcome.failed(f"HTTP {result.status_code or 'error'}: {result.detail}"[:500])
