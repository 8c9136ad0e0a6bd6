"""The Difficult Client's phase adapter: attempt state, the page, grading and its coding task."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for

from grader.phases.difficult_client import grade_attempt, start_session, student_view
from grader.workbench import CodingTask
from lti_app.models import Attempt
from lti_app.phases.difficult_client.scenario import provider, scenario_for_activity, scenario_of
from lti_app.phases.difficult_client.views import bp
from lti_app.security import csrf_token
from lti_app.workbench.clock import seconds_left, time_limit_minutes
from lti_app.workbench.submissions import counting_submit, latest_submission, submission_view


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
    blueprint = bp
    report_template = "difficult_client/report_extra.html"

    def new_state(self, activity: Any) -> dict[str, Any]:
        return start_session(scenario_for_activity(activity))

    def render(self, ctx: Any, attempt: Attempt) -> Any:
        scenario = scenario_of(attempt.state)
        view = student_view(attempt.state, scenario)
        latest = latest_submission(attempt.id)
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
            report_url=url_for("student.report", launch_id=ctx.launch_id),
            time_limit=time_limit_minutes(attempt.activity),
            seconds_left=seconds_left(attempt.activity, attempt),
        )

    def evaluate(self, attempt: Attempt, evaluation: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        return grade_attempt(scenario_of(attempt.state), attempt.state, counting_submit(attempt.id), provider())

    def code_task(self, attempt: Attempt) -> CodingTask:
        return scenario_of(attempt.state).coding_task
