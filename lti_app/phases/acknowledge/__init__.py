"""The orientation quiz (phase ``acknowledge``), web half: the page and the submit route.

- ``POST /a/<launch_id>/acknowledge`` — the answers (form or JSON); closes the attempt and queues its grade.
  Refused with ``invalid_answers`` (400) when a question is unanswered or unknown.
"""

from __future__ import annotations

from typing import Any

from grader.phases.acknowledge import grade_orientation
from lti_app.phases.acknowledge.views import bp, render_page


class AcknowledgeAdapter:
    blueprint = bp
    report_template = None

    def new_state(self, activity: Any, learner: Any) -> dict[str, Any]:
        return {}

    def render(self, ctx: Any, attempt: Any) -> Any:
        return render_page(ctx, attempt)

    def evaluate(self, attempt: Any, evaluation: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        answers = attempt.state.get("answers", {})
        return grade_orientation(answers), {"answers": answers}, {}


ADAPTER = AcknowledgeAdapter()
