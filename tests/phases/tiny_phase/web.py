"""The tiny phase's web half: an adapter, one route and its own template folder."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for

from lti_app.extensions import db
from lti_app.grading import request_evaluation
from lti_app.security import csrf_token
from lti_app.workbench.attempts import open_attempt
from tests.phases.tiny_phase.domain import PHASE, grade_answer

bp = Blueprint(PHASE.id, __name__, template_folder="templates")


@bp.post("/a/<launch_id>/tiny")
def answer(launch_id: str):  # type: ignore[no-untyped-def]
    _, attempt = open_attempt(launch_id, PHASE.id)
    attempt.state = {**attempt.state, "answer": request.form.get("answer", "")[:100]}
    db.session.commit()
    request_evaluation(attempt)
    return redirect(url_for("student.activity", launch_id=launch_id), code=303)


class TinyAdapter:
    blueprint = bp
    report_template = None

    def new_state(self, activity: Any, learner: Any) -> dict[str, Any]:
        return {}

    def render(self, ctx: Any, attempt: Any) -> Any:
        return render_template("tiny/page.html", ctx=ctx, csrf=csrf_token(ctx.launch_id))

    def evaluate(self, attempt: Any, evaluation: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        answer = attempt.state.get("answer", "")
        return grade_answer(answer), {"answer": answer}, {}


ADAPTER = TinyAdapter()
