"""The pool phase's web half: an adapter that takes its scenario as a pool, and a page that shows the draw."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from lti_app.launches import scenario_pool
from lti_app.phases.registry import NewAttempt
from tests.phases.pool_phase.domain import PHASE, grade

bp = Blueprint(PHASE.id, __name__, template_folder="templates")


class PoolAdapter:
    blueprint = bp
    report_template = None
    scenario_pool = True

    def new_state(self, activity: Any, learner: NewAttempt) -> dict[str, Any]:
        pool = scenario_pool(activity) or ["alpha", "beta"]
        return {"program": pool[(learner.user_id + learner.number) % len(pool)], "number": learner.number,
                "previous": [p.get("program") for p in learner.previous]}

    def render(self, ctx: Any, attempt: Any) -> Any:
        return render_template("pool/page.html", attempt=attempt)

    def evaluate(self, attempt: Any, evaluation: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        return grade(), {}, {}


ADAPTER = PoolAdapter()
