"""The grade, the report card and the instructor's view of an attempt, from its state and its Submits.

``submits`` are the attempt's graded Submits, oldest first, as ``{"id", "source", "result"}`` (optionally
``"submitted_at"``, an ISO time); which one counts follows the activity's submission policy ("best": the highest
points before hints, ties to the earlier; "latest"). The same state and Submits always give the same grade.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from grader.phases.code_crucible.feedback import mentor_feedback
from grader.phases.code_crucible.scoring import crucible_grade, submit_items, submit_points
from grader.phases.code_crucible.views import exercise_of, shown_hints
from grader.scoring import Grade
from grader.workbench.code_task import LANGUAGE_NAMES
from grader.workbench.grade_policy import Scored, pick
from grader.workbench.notation import literal

DEFAULT_POLICY = "best"


def _graded(submits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in submits if isinstance(s.get("result"), dict) and s["result"].get("kind") == "submit"]


def counting_index(state: dict[str, Any], submits: list[dict[str, Any]], policy: str = DEFAULT_POLICY) -> int | None:
    """Index (in ``submits``) of the Submit that counts."""
    level = exercise_of(state).level
    scored = [Scored(i, submit_points(level, s["result"])["total"], i) for i, s in enumerate(submits)
              if isinstance(s.get("result"), dict) and s["result"].get("kind") == "submit"]
    chosen = pick(scored, policy if policy in ("best", "latest") else DEFAULT_POLICY)
    return None if chosen is None else chosen.item


def _never_learned(sentence: str) -> str:
    text = sentence.strip().rstrip(".")
    if text[:1].isupper() and not text[1:2].isupper():
        text = text[0].lower() + text[1:]
    return f"You never learned that {text}."


def report(state: dict[str, Any], submits: list[dict[str, Any]], *, policy: str = DEFAULT_POLICY) -> dict[str, Any]:
    """The report card's section (after the attempt closed): each hidden test's pass/fail and tag, the
    requirements missed in the interview (with "you never learned that ..." where their tests failed), and the
    quality and efficiency items with their evidence. Hidden inputs and expected values stay hidden."""
    exercise = exercise_of(state)
    counting = counting_index(state, submits, policy)
    result = submits[counting]["result"] if counting is not None else None
    cases = {c.get("number"): c for c in ((result or {}).get("report") or {}).get("cases", [])
             if c.get("group") == "hidden"}
    # Tags as the student saw them during the attempt (a missed requirement's tests are "requirement"); the
    # missed requirements themselves are spelled out below.
    tests = [{"number": i + 1, "tag": exercise.shown_tag(i), "passed": bool(cases.get(i + 1, {}).get("passed")),
              "status": cases.get(i + 1, {}).get("status", "not_run")} for i in range(len(exercise.hidden))]
    sentences = dict(exercise.requirements)
    missed = []
    for rid in exercise.missed:
        numbers = [i + 1 for i, t in enumerate(exercise.hidden) if t.get("requirement") == rid]
        failed = [n for n in numbers if not tests[n - 1]["passed"]]
        missed.append({"id": rid, "sentence": sentences[rid], "tests": numbers, "failed": failed,
                       "line": _never_learned(sentences[rid]) if failed else
                       f"You never learned this rule, yet your code handled it: {sentences[rid]}"})
    items = [i.__dict__ for i in submit_items(exercise.level, result)] if result else []
    return {
        "tests": tests,
        "missed_requirements": missed,
        "quality": [i for i in items if i["item"].startswith("quality_")],
        "efficiency": [i for i in items if i["item"].startswith("efficiency_")],
        "efficiency_band": ((result or {}).get("efficiency") or {}).get("band_text"),
        "feedback": mentor_feedback(exercise, result) if result else ["No Submit was made."],
        "review": (result or {}).get("review"),  # the LLM's checked review of that Submit, if it wrote one
        "submission_id": submits[counting].get("id") if counting is not None else None,
    }


def grade(state: dict[str, Any], submits: list[dict[str, Any]], *,
          policy: str = DEFAULT_POLICY) -> tuple[Grade, dict[str, Any], dict[str, Any]]:
    """(Grade, the inputs that reproduce it, report-card feedback)."""
    exercise = exercise_of(state)
    counting = counting_index(state, submits, policy)
    result = submits[counting]["result"] if counting is not None else None
    hints = len(state["hints"])
    result_grade = crucible_grade(exercise.level, result, hints, exercise.rules.hint_cost)
    inputs = {
        "task_id": exercise.task_id, "language": exercise.language, "level": exercise.level,
        "variant": exercise.variant, "digest": exercise.digest, "policy": policy,
        "submission_id": submits[counting].get("id") if counting is not None else None,
        "submits": len(_graded(submits)), "hints": hints, "discovered": exercise.discovered,
        "points": submit_points(exercise.level, result) if result else None,
    }
    return result_grade, inputs, report(state, submits, policy=policy)


def _seconds_between(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    try:
        return round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds(), 1)
    except (TypeError, ValueError):
        return None


def instructor_view(state: dict[str, Any], submits: list[dict[str, Any]], *,
                    policy: str = DEFAULT_POLICY) -> dict[str, Any]:
    """Everything about the attempt for its instructor: the exercise (variant, statement, requirements discovered
    and missed), every hidden test with its input and expected value, and each Submit with its code, per-test
    results (hidden inputs included), the linter's findings, the efficiency band, points and time used."""
    exercise = exercise_of(state)
    counting = counting_index(state, submits, policy)
    language = exercise.language

    def hidden_rows(result: dict[str, Any] | None) -> list[dict[str, Any]]:
        cases = {c.get("number"): c for c in ((result or {}).get("report") or {}).get("cases", [])
                 if c.get("group") == "hidden"}
        return [{"number": i + 1, "tag": t["tag"], "requirement": t.get("requirement"),
                 "call": exercise.shown_call(t["args"]), "expected": literal(t["expected"], language),
                 "passed": bool(cases.get(i + 1, {}).get("passed")),
                 "status": cases.get(i + 1, {}).get("status", "not_run")} for i, t in enumerate(exercise.hidden)]

    submissions = []
    for number, submit in enumerate(submits, 1):
        result = submit.get("result") if isinstance(submit.get("result"), dict) else {}
        quality = result.get("quality") or {}
        cases = (result.get("report") or {}).get("cases", [])
        submissions.append({
            "id": submit.get("id"), "number": number, "counts": counting == number - 1,
            "source": str(submit.get("source") or ""), "language": language,
            "submitted_at": submit.get("submitted_at"),
            "time_used_seconds": _seconds_between(state.get("started_at"), submit.get("submitted_at")),
            "load_error": (result.get("report") or {}).get("load_error"),
            "examples": [c for c in cases if c.get("group") == "example"],
            "own_tests": [c for c in cases if c.get("group") == "own"],
            "hidden": hidden_rows(result),
            "findings": quality.get("findings", []), "finding_count": quality.get("finding_count", 0),
            "quality_tool": quality.get("tool"), "quality_metrics": quality.get("metrics"),
            "efficiency": (result.get("efficiency") or {}).get("band_text"),
            "points": submit_points(exercise.level, result) if result.get("kind") == "submit" else None,
        })
    sentences = dict(exercise.requirements)
    return {
        "task_id": exercise.task_id, "title": exercise.title, "language": language,
        "language_name": LANGUAGE_NAMES.get(language, language), "level": exercise.level,
        "variant": exercise.variant, "values": dict(exercise.values), "statement": exercise.statement,
        "file_name": exercise.file_name, "scenario": exercise.scenario,
        "requirements": [{"id": rid, "sentence": text, "discovered": exercise.discovered is None
                          or rid in exercise.discovered} for rid, text in sentences.items()],
        "missed": list(exercise.missed),
        "examples": [{"number": n, "call": exercise.shown_call(e["args"]), "expected": literal(e["expected"], language)}
                     for n, e in enumerate(exercise.examples, 1)],
        "hidden_tests": hidden_rows(None),
        "submissions": submissions,
        "hints": shown_hints(state) if exercise.rules.hints != "always" else [],
        "counting_submission": submits[counting].get("id") if counting is not None else None,
        "policy": policy,
    }
