"""The final grade of a Difficult Client attempt and the report card's data, from recorded plain data.

The numbers come from ``evaluate_session`` over the recorded session state and the real sandbox counts of
the Submit that counts; an LLM, when configured, only words the strengths and improvements. The same
recorded inputs always give the same grade (a regrade recomputes it).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from grader.phases.code_crucible import Exercise
from grader.phases.difficult_client.coding import code_quality, exercise_of, missed_tests
from grader.phases.difficult_client.director import HINT, REVEAL
from grader.phases.difficult_client.evaluator import CodeResult, evaluate_session
from grader.phases.difficult_client.models import Scenario
from grader.scoring import Grade

STATUS_LABELS = {REVEAL: "found", HINT: "partly found"}


def code_result_of(submit: dict[str, Any] | None, exercise: Exercise | None) -> CodeResult | None:
    """``submit`` is ``{"id", "source", "result"}`` of the Submit that counts: the Crucible exercise's result, with
    the hidden tests' counts and the linter's measurements."""
    if exercise is None or not submit or not isinstance(submit.get("result"), dict) or \
            not isinstance(submit["result"].get("hidden"), dict):
        return None
    result = submit["result"]
    measured = code_quality(exercise, result)
    return CodeResult(passed=int(result["hidden"]["passed"]), total=int(result["hidden"]["total"]),
                      source=str(submit.get("source") or ""), language=exercise.language,
                      quality=measured[0] if measured else None, quality_evidence=measured[1] if measured else "")


def code_report(scenario: Scenario, state: dict[str, Any], exercise: Exercise, code: CodeResult,
                result: dict[str, Any]) -> dict[str, Any]:
    """The report card's code section: tests passed, the language, the quality evidence, and each task requirement
    the interview missed with the hidden tests it became (``topic`` and ``description`` kept apart)."""
    return {"passed": code.passed, "total": code.total, "language": exercise.language,
            "quality": code.quality_evidence, "missed": missed_tests(scenario, state, exercise, result)}


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
    exercise = exercise_of(scenario, state)
    code = code_result_of(submit, exercise)
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
        "code": code_report(scenario, state, exercise, code, submit["result"]) if code and exercise and submit
        else None,
        "turns": state["turn"],
    }
    if evaluation.llm_calls:
        inputs["llm_calls"] = evaluation.llm_calls
    return evaluation.grade, inputs, feedback
