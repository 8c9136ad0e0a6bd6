"""Closing attempts at their deadline, page open or not.

The reconciler calls :func:`sweep_deadlines` every few seconds. An open attempt past its ``deadline_at`` is
closed with a compare-and-swap (so a sweep racing the student's own Finish, or a second sweeper, cannot
close it twice); where the phase has code and accepts it, the last saved draft is submitted, and once no
submission of the attempt is pending the attempt is graded (reason "deadline") and its grade passed back
like any other.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import exists, select, true, update

from lti_app.dispatch import commit_and_enqueue
from lti_app.extensions import db
from lti_app.grading import request_evaluation
from lti_app.models import Attempt, AttemptStatus, Evaluation, Submission, utcnow
from lti_app.phases.registry import RunsCode, get_phase
from lti_app.workbench.drafts import draft_of
from lti_app.workbench.submissions import PENDING, submits_left

log = logging.getLogger(__name__)
CLOSED_BY = "deadline"
CLOSE_TRIES = 5


def sweep_deadlines(now: datetime | None = None) -> list[int]:
    """One pass. Returns the ids of attempts this pass closed or sent to grading."""
    now = now or utcnow()
    touched = [a for a in _expired_open(now) if close_at_deadline(a)]
    touched += [a for a in _closed_awaiting_grade() if grade_when_settled(a)]
    return touched


def _expired_open(now: datetime) -> list[int]:
    return list(db.session.scalars(
        select(Attempt.id).where(Attempt.status == AttemptStatus.OPEN, Attempt.deadline_at.is_not(None),
                                 Attempt.deadline_at <= now)
    ))


def _closed_awaiting_grade() -> list[int]:
    """Attempts the deadline closed that have no evaluation yet (their deadline Submit was still running)."""
    no_evaluation = ~exists().where(Evaluation.attempt_id == Attempt.id)
    rows = db.session.execute(
        select(Attempt.id, Attempt.state).where(Attempt.status == AttemptStatus.GRADING, no_evaluation)
    ).all()
    return [row.id for row in rows if isinstance(row.state, dict) and row.state.get("closed_by") == CLOSED_BY]


def close_at_deadline(attempt_id: int) -> bool:
    for _ in range(CLOSE_TRIES):
        attempt = db.session.scalar(select(Attempt).where(Attempt.id == attempt_id)
                                    .execution_options(populate_existing=True))
        if attempt is None or attempt.status != AttemptStatus.OPEN:
            return False
        # A phase that changes its state with a compare-and-swap on "rev" (a push recorded after a command, a
        # report saved) must not lose a change stored since this read: closing is one more such change.
        rev = attempt.state.get("rev")
        unchanged = Attempt.state["rev"].as_integer() == rev if isinstance(rev, int) else true()
        state = {**attempt.state, "finished": True, "closed_by": CLOSED_BY,
                 **({"rev": rev + 1} if isinstance(rev, int) else {})}
        result = db.session.execute(
            update(Attempt)
            .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.OPEN, unchanged)
            .values(state=state, status=AttemptStatus.GRADING, closed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            break
        db.session.rollback()  # the student finished, another sweeper closed it first, or the state moved on
    else:
        return False
    db.session.commit()
    db.session.refresh(attempt)
    submitted = _submit_last_draft(attempt)
    log.info("attempt %s closed at its deadline%s", attempt.id, " (last draft submitted)" if submitted else "")
    grade_when_settled(attempt.id)
    return True


def _submit_last_draft(attempt: Attempt) -> bool:
    """Submit the last saved draft where the phase has code, accepts it, and the draft is not already the
    code of the attempt's latest Submit."""
    phase = get_phase(attempt.activity.phase)
    if phase is None or not isinstance(phase.adapter, RunsCode) or not phase.adapter.accepts_code(attempt):
        return False
    draft = draft_of(attempt.id)
    if draft is None or not draft.source.strip():
        return False
    if submits_left(attempt) == 0:  # the student's own Submits used the limit; the one that counts is among them
        return False
    last_submit = db.session.scalar(
        select(Submission).where(Submission.attempt_id == attempt.id, Submission.kind == "submit")
        .order_by(Submission.id.desc())
    )
    if last_submit is not None and last_submit.source == draft.source:
        return False
    language = phase.adapter.code_task(attempt).language
    row = Submission(attempt_id=attempt.id, kind="submit", language=language, source=draft.source)
    db.session.add(row)
    commit_and_enqueue("execute", row)
    return True


def grade_when_settled(attempt_id: int) -> bool:
    """Queue the deadline evaluation once nothing of the attempt is pending; False while something is."""
    attempt = db.session.scalar(select(Attempt).where(Attempt.id == attempt_id).with_for_update())
    if attempt is None or attempt.status != AttemptStatus.GRADING:
        db.session.rollback()
        return False
    pending = db.session.scalar(
        select(Submission.id).where(Submission.attempt_id == attempt_id, Submission.status.in_(PENDING))
    )
    already = db.session.scalar(select(Evaluation.id).where(Evaluation.attempt_id == attempt_id))
    if pending is not None or already is not None:
        db.session.rollback()
        return False
    request_evaluation(attempt, reason=CLOSED_BY)
    return True
