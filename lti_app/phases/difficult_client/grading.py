"""The final grade of a Difficult Client attempt and the report card's narrative.

The numbers come from ``grader.engine.evaluate_session`` over the recorded session state and the latest
completed Submit's real sandbox results; an LLM, when configured, only words the strengths and
improvements. The same recorded inputs always give the same grade (a regrade recomputes it).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import select

from grader.engine import HINT, REVEAL, CodeResult, evaluate_session
from grader.scenarios.models import Scenario
from lti_app.extensions import db
from lti_app.models import Submission, WorkStatus

STATUS_LABELS = {REVEAL: "found", HINT: "partly found"}


def latest_graded_submit(attempt_id: int) -> Submission | None:
    """The newest Submit the sandbox finished with a test report (Run never counts)."""
    rows = db.session.scalars(
        select(Submission)
        .where(Submission.attempt_id == attempt_id, Submission.kind == "submit", Submission.status == WorkStatus.DONE)
        .order_by(Submission.id.desc())
    )
    return next((r for r in rows if isinstance(r.result, dict) and "hidden" in r.result), None)


def code_result_of(row: Submission | None, language: str) -> CodeResult | None:
    if row is None or row.result is None:
        return None
    hidden = row.result["hidden"]
    return CodeResult(passed=int(hidden["passed"]), total=int(hidden["total"]), source=row.source, language=language)


def constraint_report(scenario: Scenario, state: dict[str, Any]) -> list[dict[str, str]]:
    """Which constraints were found, partly found or missed — for the report card after the attempt closed."""
    out = []
    for c in scenario.constraints:
        entry = state["constraints"][c.id]
        changed = bool(c.change and entry["version"] == "changed")
        out.append({
            "topic": c.topic,
            "description": c.change.description if changed and c.change else c.description,
            "status": STATUS_LABELS.get(entry["level"], "missed"),
        })
    return out


def grade_attempt(scenario: Scenario, state: dict[str, Any], submit: Submission | None,
                  provider: Any = None) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """(Grade, inputs that reproduce it, report-card feedback)."""
    code = code_result_of(submit, scenario.coding_task.language)
    evaluation = evaluate_session(scenario, state, code, provider)
    inputs = {
        "scenario_id": scenario.id,
        "state": state,
        "submission_id": submit.id if submit else None,
        "code_result": asdict(code) if code else None,
    }
    feedback = {
        "communication": {"strengths": evaluation.strengths, "improvements": evaluation.improvements,
                          "source": evaluation.narrative_source},
        "constraints": constraint_report(scenario, state),
        "code": {"passed": code.passed, "total": code.total} if code else None,
        "turns": state["turn"],
    }
    if evaluation.llm_calls:
        inputs["llm_calls"] = evaluation.llm_calls
    return evaluation.grade, inputs, feedback
