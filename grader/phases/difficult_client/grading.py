"""The final grade of a Difficult Client attempt and the report card's data, from recorded plain data.

The numbers come from ``evaluate_session`` over the recorded session state and the real sandbox counts of
the Submit that counts; an LLM, when configured, only words the strengths and improvements. The same
recorded inputs always give the same grade (a regrade recomputes it).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from grader.phases.difficult_client.director import HINT, REVEAL
from grader.phases.difficult_client.evaluator import CodeResult, evaluate_session
from grader.phases.difficult_client.models import Scenario
from grader.scoring import Grade

STATUS_LABELS = {REVEAL: "found", HINT: "partly found"}


def code_result_of(submit: dict[str, Any] | None, language: str) -> CodeResult | None:
    """``submit`` is ``{"id", "source", "result"}`` of the Submit that counts (its result has hidden counts)."""
    if not submit or not isinstance(submit.get("result"), dict) or "hidden" not in submit["result"]:
        return None
    hidden = submit["result"]["hidden"]
    return CodeResult(passed=int(hidden["passed"]), total=int(hidden["total"]), source=submit["source"],
                      language=language)


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


def grade_attempt(scenario: Scenario, state: dict[str, Any], submit: dict[str, Any] | None,
                  provider: Any = None) -> tuple[Grade, dict[str, Any], dict[str, Any]]:
    """(Grade, inputs that reproduce it, report-card feedback)."""
    code = code_result_of(submit, scenario.coding_task.language)
    evaluation = evaluate_session(scenario, state, code, provider)
    inputs: dict[str, Any] = {
        "scenario_id": scenario.id,
        "state": state,
        "submission_id": submit["id"] if code and submit else None,
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
