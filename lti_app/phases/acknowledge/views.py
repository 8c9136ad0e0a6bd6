"""The orientation quiz's page and its one route: submit the answers, which closes and grades the attempt."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for

from grader.phases.acknowledge import PHASE, QUESTIONS, InvalidAnswers, validate_answers
from lti_app.errors import refuse, wants_json
from lti_app.extensions import db
from lti_app.grading import request_evaluation
from lti_app.security import csrf_token
from lti_app.workbench.attempts import open_attempt

bp = Blueprint(PHASE.id, __name__, template_folder="templates")


def render_page(ctx: Any, attempt: Any, error: str = "") -> str:
    return render_template("acknowledge/page.html", ctx=ctx, attempt=attempt, questions=QUESTIONS,
                           csrf=csrf_token(ctx.launch_id), error=error)


@bp.post("/a/<launch_id>/acknowledge")
def submit(launch_id: str):  # type: ignore[no-untyped-def]
    ctx, attempt = open_attempt(launch_id, PHASE.id, within_time=False)
    raw = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    raw = {k: v for k, v in (raw or {}).items() if k != "csrf_token"} if isinstance(raw, dict) else None
    try:
        if raw is None:
            raise InvalidAnswers("the answers must be a form or a JSON object")
        answers = validate_answers(raw)
    except InvalidAnswers as exc:
        if wants_json():
            refuse(400, "invalid_answers", str(exc))
        return render_page(ctx, attempt, error=str(exc)), 400
    attempt.state = {**attempt.state, "answers": answers}
    db.session.commit()
    request_evaluation(attempt, reason="finish")
    return redirect(url_for("student.activity", launch_id=launch_id), code=303)
