"""A phase's Finish: close the attempt with a compare-and-swap (a double click, or the deadline racing it, cannot
finish twice), request its evaluation, and answer with the report card (JSON 202 for the page's script, a 303 to
the report card for its plain form).

The phase says what else the close writes (``values``: the default sets the status to grading and ``closed_at``)
and whether a running job refuses it. ``pending`` refuses while a submission is pending before the close is tried
(a Submit's result may count); ``pending_in_swap`` makes "no job pending" part of the compare-and-swap itself, so a
command queued meanwhile cannot slip in between (and says so when that is why the close failed).
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, redirect, url_for
from sqlalchemy import exists, update

from lti_app.errors import refuse, wants_json
from lti_app.extensions import db
from lti_app.grading import request_evaluation
from lti_app.models import Attempt, AttemptStatus, Submission, utcnow
from lti_app.workbench.submissions import PENDING, pending_submission

ALREADY_ENDED = "this attempt has already ended"


def close_for_grading(attempt: Attempt, *, values: dict[str, Any] | None = None, pending: str | None = None,
                      pending_in_swap: str | None = None, closed: str = ALREADY_ENDED) -> None:
    """Close ``attempt`` (open) for grading and request its evaluation; 409 ``submission_pending`` (with the
    sentence ``pending`` or ``pending_in_swap``) or ``attempt_closed`` (``closed``) when it cannot."""
    if pending is not None and pending_submission(attempt.id) is not None:
        refuse(409, "submission_pending", pending)
    where = [Attempt.id == attempt.id, Attempt.status == AttemptStatus.OPEN]
    if pending_in_swap is not None:
        where.append(~exists().where(Submission.attempt_id == Attempt.id, Submission.status.in_(PENDING)))
    result = db.session.execute(
        update(Attempt)
        .where(*where)
        .values(**(values if values is not None else {"status": AttemptStatus.GRADING, "closed_at": utcnow()}))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        if pending_in_swap is not None and pending_submission(attempt.id) is not None:
            refuse(409, "submission_pending", pending_in_swap)
        refuse(409, "attempt_closed", closed)
    db.session.commit()
    db.session.refresh(attempt)
    request_evaluation(attempt, reason="finish")


def report_card_answer(launch_id: str) -> Any:
    """The answer to a Finish: 202 ``{"status": "grading", "report_url"}`` as JSON, else a 303 to the report card."""
    report_url = url_for("student.report", launch_id=launch_id)
    if wants_json():
        return jsonify(status="grading", report_url=report_url), 202
    return redirect(report_url, code=303)
