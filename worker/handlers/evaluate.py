"""Grade an attempt: its phase computes the grade from plain data; the grade row (and its passback) is stored."""

from __future__ import annotations

from sqlalchemy.orm import joinedload

from lti_app.extensions import db
from lti_app.grading import store_grade
from lti_app.models import Attempt, Evaluation
from lti_app.phases.registry import get_phase
from worker.outcome import Outcome


def handle(row: Evaluation) -> Outcome:
    attempt = db.session.get(Attempt, row.attempt_id, options=[joinedload(Attempt.activity)])  # one query
    phase = get_phase(attempt.activity.phase) if attempt else None
    if attempt is None or phase is None:
        return Outcome.failed("the attempt or its phase no longer exists")
    grade, inputs, feedback = phase.adapter.evaluate(attempt, row)
    store_grade(row, grade, {**inputs, "reason": row.reason}, feedback)
    return Outcome.done()
