"""The orientation activity (phase id ``acknowledge``): a four-question quiz that proves the whole path."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for

from grader.activities.orientation import QUESTIONS, InvalidAnswers, grade_orientation, validate_answers
from lti_app.access import current_attempt, require_launch
from lti_app.extensions import db
from lti_app.grading import request_evaluation
from lti_app.models import AttemptStatus
from lti_app.security import check_csrf, csrf_token
from worker.kinds import Outcome

bp = Blueprint("acknowledge", __name__)


class AcknowledgeAdapter:
    phase_id = "acknowledge"
    blueprint = bp

    def new_state(self, activity: Any) -> dict[str, Any]:
        return {}

    def render(self, ctx: Any, attempt: Any) -> Any:
        return render_template(
            "acknowledge.html", ctx=ctx, attempt=attempt, questions=QUESTIONS, csrf=csrf_token(ctx.launch_id), error=""
        )

    def evaluate(self, attempt: Any, evaluation: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        answers = attempt.state.get("answers", {})
        return grade_orientation(answers), {"answers": answers}, {}

    def execute(self, submission: Any) -> Outcome:
        return Outcome.failed("the orientation has no code to run")


@bp.post("/a/<launch_id>/acknowledge")
def submit(launch_id: str):  # type: ignore[no-untyped-def]
    ctx = require_launch(launch_id)
    check_csrf(launch_id)
    attempt = current_attempt(ctx)
    if attempt is None:
        abort(404, description="attempt_unknown: launch the activity again from your course")
    if attempt.status != AttemptStatus.OPEN:
        abort(409, description="attempt_closed: this attempt was already submitted")
    raw = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    raw = {k: v for k, v in (raw or {}).items() if k != "csrf_token"} if isinstance(raw, dict) else None
    try:
        if raw is None:
            raise InvalidAnswers("the answers must be a form or a JSON object")
        answers = validate_answers(raw)
    except InvalidAnswers as exc:
        if request.is_json:
            return jsonify(error="invalid_answers", detail=str(exc)), 400
        page = render_template(
            "acknowledge.html",
            ctx=ctx,
            attempt=attempt,
            questions=QUESTIONS,
            csrf=csrf_token(launch_id),
            error=str(exc),
        )
        return page, 400
    attempt.state = {**attempt.state, "answers": answers}
    db.session.commit()
    request_evaluation(attempt, reason="finish")
    return redirect(url_for("student.activity", launch_id=launch_id), code=303)
