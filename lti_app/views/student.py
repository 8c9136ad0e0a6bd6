"""The learner's side: the activity page, a new attempt, and live status."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, url_for

from lti_app.access import activity_for, current_attempt, require_launch
from lti_app.launches import start_attempt
from lti_app.models import AttemptStatus
from lti_app.phases import adapter_for
from lti_app.security import check_csrf
from lti_app.views.report import render_report
from lti_app.views.status import attempt_status

bp = Blueprint("student", __name__)


@bp.get("/a/<launch_id>")
def activity(launch_id: str):  # type: ignore[no-untyped-def]
    ctx = require_launch(launch_id)
    attempt = current_attempt(ctx)
    act = activity_for(ctx)
    adapter = adapter_for(act.phase)
    if attempt is None or adapter is None:
        abort(404, description="attempt_unknown: launch the activity again from your course")
    if attempt.status == AttemptStatus.OPEN:
        return adapter.render(ctx, attempt)
    return render_report(ctx, act, attempt)


@bp.post("/a/<launch_id>/attempts")
def new_attempt(launch_id: str):  # type: ignore[no-untyped-def]
    ctx = require_launch(launch_id)
    check_csrf(launch_id)
    act = activity_for(ctx)
    attempt = current_attempt(ctx)
    if attempt is not None and attempt.status != AttemptStatus.CLOSED:
        abort(409, description="attempt_open: finish the current attempt first")
    if attempt is not None and attempt.number >= act.max_attempts:
        abort(409, description="no_attempts_left: you have used every attempt for this activity")
    start_attempt(act, ctx)
    return redirect(url_for("student.activity", launch_id=launch_id), code=303)


@bp.get("/api/a/<launch_id>/status")
def status(launch_id: str):  # type: ignore[no-untyped-def]
    ctx = require_launch(launch_id)
    attempt = current_attempt(ctx)
    if attempt is None:
        abort(404, description="attempt_unknown: launch the activity again from your course")
    return jsonify(attempt_status(attempt))
