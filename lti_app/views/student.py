"""The learner's side, for every phase: the activity page, the report card, a new attempt, live status."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, url_for

from lti_app.access import activity_for, current_attempt, require_launch, user_for
from lti_app.errors import refuse
from lti_app.extensions import db
from lti_app.launches import start_attempt
from lti_app.models import Attempt, AttemptStatus, Submission
from lti_app.phases import get_phase
from lti_app.security import check_csrf
from lti_app.views.report import render_report
from lti_app.views.status import attempt_status
from lti_app.workbench.submissions import submission_view

bp = Blueprint("student", __name__)


@bp.get("/a/<launch_id>")
def activity(launch_id: str):  # type: ignore[no-untyped-def]
    ctx = require_launch(launch_id)
    attempt = current_attempt(ctx)
    act = activity_for(ctx)
    phase = get_phase(act.phase)
    if attempt is None or phase is None:
        refuse(404, "attempt_unknown", "launch the activity again from your course")
    if attempt.status == AttemptStatus.OPEN:
        return phase.adapter.render(ctx, attempt)
    return render_report(ctx, act, attempt)


@bp.get("/a/<launch_id>/report")
def report(launch_id: str):  # type: ignore[no-untyped-def]
    """The report card of the current attempt (the page itself while the attempt is still open)."""
    ctx = require_launch(launch_id)
    act = activity_for(ctx)
    attempt = current_attempt(ctx)
    if attempt is None:
        refuse(404, "attempt_unknown", "launch the activity again from your course")
    if attempt.status == AttemptStatus.OPEN:
        return redirect(url_for("student.activity", launch_id=launch_id), code=303)
    return render_report(ctx, act, attempt)


@bp.post("/a/<launch_id>/attempts")
def new_attempt(launch_id: str):  # type: ignore[no-untyped-def]
    ctx = require_launch(launch_id)
    check_csrf(launch_id)
    act = activity_for(ctx)
    attempt = current_attempt(ctx)
    if attempt is not None and attempt.status != AttemptStatus.CLOSED:
        refuse(409, "attempt_open", "finish the current attempt first")
    if attempt is not None and attempt.number >= act.max_attempts:
        refuse(409, "no_attempts_left", "you have used every attempt for this activity")
    start_attempt(act, ctx)
    return redirect(url_for("student.activity", launch_id=launch_id), code=303)


@bp.get("/api/a/<launch_id>/status")
def status(launch_id: str):  # type: ignore[no-untyped-def]
    ctx = require_launch(launch_id)
    attempt = current_attempt(ctx)
    if attempt is None:
        refuse(404, "attempt_unknown", "launch the activity again from your course")
    return jsonify(attempt_status(attempt))


@bp.get("/api/a/<launch_id>/submissions/<int:submission_id>")
def submission_status(launch_id: str, submission_id: int):  # type: ignore[no-untyped-def]
    """A submission's live status and result."""
    ctx = require_launch(launch_id)
    row = db.session.get(Submission, submission_id)
    attempt = db.session.get(Attempt, row.attempt_id) if row is not None else None
    # Ids in URLs are not trusted: the row must belong to this learner in this launch's activity.
    if attempt is None or attempt.activity_id != activity_for(ctx).id or attempt.user_id != user_for(ctx).id:
        refuse(404, "submission_unknown", "there is no such submission in your attempt")
    return jsonify(submission=submission_view(launch_id, row))
