"""The learner's side, for every phase: the activity page, the report card, a new attempt, live status."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, url_for

from lti_app.access import activity_for, current_attempt, require_launch
from lti_app.errors import refuse
from lti_app.launches import start_attempt
from lti_app.models import AttemptStatus
from lti_app.phases import get_phase
from lti_app.security import check_csrf
from lti_app.views.report import render_report
from lti_app.views.status import attempt_status
from lti_app.workbench.accommodations import accommodation_for, attempts_allowed
from lti_app.workbench.policy import policy_note
from lti_app.workbench.submissions import own_submission, submission_view

bp = Blueprint("student", __name__)
bp.add_app_template_global(policy_note, "grade_policy_note")  # for the shared partial workbench/policy_note.html


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
    if attempt is not None and attempt.number >= attempts_allowed(act, accommodation_for(act.id, attempt.user_id)):
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
    row, _ = own_submission(require_launch(launch_id), submission_id)
    return jsonify(submission=submission_view(launch_id, row))
