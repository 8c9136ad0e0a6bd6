"""The terminal phase's web half: an adapter with the RunsCommands capability and a page with the terminal."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, url_for

from lti_app.extensions import db
from lti_app.models import Submission
from lti_app.workbench.clock import clock_view
from lti_app.workbench.terminal import terminal_view
from tests.phases.terminal_phase import domain

bp = Blueprint(domain.PHASE.id, __name__, template_folder="templates")


class TerminalAdapter:
    blueprint = bp
    report_template = None
    terminal_host = "lab"

    def new_state(self, activity: Any, learner: Any) -> dict[str, Any]:
        return {}

    def render(self, ctx: Any, attempt: Any) -> Any:
        return render_template("terminal_phase/page.html", ctx=ctx, attempt=attempt,
                               terminal=terminal_view(ctx, attempt), clock=clock_view(ctx.launch_id, attempt),
                               report_url=url_for("student.report", launch_id=ctx.launch_id))

    def evaluate(self, attempt: Any, evaluation: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        commands = db.session.query(Submission).filter_by(attempt_id=attempt.id, kind="command").count()
        return domain.grade(commands), {"commands": commands}, {}

    def workspace_seed(self, attempt: Any) -> Any:
        return domain.seed()

    def command_task(self, attempt: Any) -> Any:
        return domain.task()

    def editable(self, attempt: Any, path: str) -> bool:
        return not path.startswith(".")


ADAPTER = TerminalAdapter()
