"""Run a submission's code through its phase adapter (which calls the sandbox)."""

from __future__ import annotations

from lti_app.models import Submission
from lti_app.phases import adapter_for
from worker.kinds import Outcome


def handle(row: Submission) -> Outcome:
    from lti_app.extensions import db
    from lti_app.models import Attempt

    attempt = db.session.get(Attempt, row.attempt_id)
    adapter = adapter_for(attempt.activity.phase) if attempt else None
    if attempt is None or adapter is None:
        return Outcome.failed("the attempt or its phase no longer exists")
    return adapter.execute(row)
