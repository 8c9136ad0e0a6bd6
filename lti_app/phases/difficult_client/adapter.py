"""The Difficult Client's phase adapter: attempt state, the page, grading and code execution."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, url_for
from sqlalchemy import select

from grader.engine import start_session, student_view
from grader.scenarios import load_scenario
from lti_app.extensions import db
from lti_app.models import Attempt, Submission
from lti_app.phases.difficult_client.execution import execute_submission
from lti_app.phases.difficult_client.grading import grade_attempt, latest_graded_submit
from lti_app.phases.difficult_client.scenario import PHASE, choose_scenario_id, provider, scenario_of
from lti_app.phases.difficult_client.timing import seconds_left, time_limit_minutes
from lti_app.phases.difficult_client.views import bp, submission_view
from lti_app.security import csrf_token
from worker.kinds import Outcome


def turn_feedback(view: dict[str, Any]) -> list[dict[str, str]]:
    """The transcript for the page, each student message followed by the Director's line for that turn."""
    lines = {f["turn"]: f["line"] for f in view["feedback"]}
    out, turn = [], 0
    for m in view["messages"]:
        item = {"role": m["role"], "text": m["text"], "feedback": ""}
        if m["role"] == "student":
            turn += 1
            item["feedback"] = lines.get(turn, "")
        out.append(item)
    return out


class DifficultClientAdapter:
    phase_id = PHASE
    blueprint = bp

    def new_state(self, activity: Any) -> dict[str, Any]:
        return start_session(load_scenario(PHASE, choose_scenario_id(activity)))

    def render(self, ctx: Any, attempt: Attempt) -> Any:
        scenario = scenario_of(attempt.state)
        view = student_view(attempt.state, scenario)
        latest = db.session.scalar(
            select(Submission).where(Submission.attempt_id == attempt.id).order_by(Submission.id.desc())
        )
        task = view["coding_task"]
        starter = f"{task['signature']}\n    pass\n" if task else ""
        return render_template(
            "difficult_client/page.html",
            ctx=ctx,
            attempt=attempt,
            view=view,
            transcript=turn_feedback(view),
            task=task,
            source=latest.source if latest is not None else starter,
            stdin=latest.stdin if latest is not None else "",
            latest=submission_view(ctx.launch_id, latest) if latest is not None else None,
            csrf=csrf_token(ctx.launch_id),
            report_url=url_for("difficult_client.report", launch_id=ctx.launch_id),
            time_limit=time_limit_minutes(attempt.activity),
            seconds_left=seconds_left(attempt.activity, attempt),
        )

    def evaluate(self, attempt: Attempt, evaluation: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        scenario = scenario_of(attempt.state)
        return grade_attempt(scenario, attempt.state, latest_graded_submit(attempt.id), provider())

    def execute(self, submission: Submission) -> Outcome:
        from worker.sandbox import sandbox_backend

        attempt = db.session.get(Attempt, submission.attempt_id)
        if attempt is None:
            return Outcome.failed("the attempt no longer exists")
        task = scenario_of(attempt.state).coding_task
        return execute_submission(sandbox_backend(current_app.config["SETTINGS"]), task, submission)
