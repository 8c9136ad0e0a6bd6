"""Grade an attempt through its phase adapter and store the grade (which queues the passback)."""

from __future__ import annotations

from lti_app.grading import store_grade
from lti_app.models import Evaluation
from lti_app.phases import adapter_for
from worker.kinds import Outcome


def handle(row: Evaluation) -> Outcome:
    from lti_app.extensions import db
    from lti_app.models import Attempt

    attempt = db.session.get(Attempt, row.attempt_id)
    adapter = adapter_for(attempt.activity.phase) if attempt else None
    if attempt is None or adapter is None:
        return Outcome.failed("the attempt or its phase no longer exists")
    grade, inputs, feedback = adapter.evaluate(attempt, row)
    store_grade(row, grade, {**inputs, "reason": row.reason}, feedback)
    return Outcome.done()
