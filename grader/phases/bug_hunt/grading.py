"""The grade, the report card and the instructor's view of an attempt, from its state and its Submits.

``submits`` are every graded Submit of the attempt, oldest first, as ``{"id", "source", "result"}``; which one
counts follows the activity's submission policy ("best": most bugs fixed, ties to the earlier; "latest").
The same state and Submits always give the same grade (a regrade recomputes it).
"""

from __future__ import annotations

import difflib
from typing import Any

from grader.phases.bug_hunt.judge import bugs_fixed
from grader.phases.bug_hunt.scoring import bug_hunt_grade, counting_index, earns_bonus
from grader.phases.bug_hunt.views import exercise_of
from grader.scoring import Grade
from grader.workbench.code_task import LANGUAGE_NAMES

DEFAULT_POLICY = "latest"


def _fixed_per_submit(state: dict[str, Any], submits: list[dict[str, Any]]) -> list[list[bool]]:
    exercise = exercise_of(state)
    return [bugs_fixed(exercise, s.get("result")) for s in submits]


def _counted(state: dict[str, Any], submits: list[dict[str, Any]], policy: str) -> tuple[list[list[bool]], int | None]:
    per_submit = _fixed_per_submit(state, submits)
    return per_submit, counting_index(per_submit, policy)


def report(state: dict[str, Any], submits: list[dict[str, Any]], *,
           policy: str = DEFAULT_POLICY) -> list[dict[str, Any]]:
    """Each bug for the report card (after the attempt closed): its line, type, whether it was fixed and hinted."""
    exercise = exercise_of(state)
    per_submit, counting = _counted(state, submits, policy)
    fixed = per_submit[counting] if counting is not None else [False] * len(exercise.bugs)
    hinted = {h["bug"] for h in state["hints"]}
    return [{"number": i + 1, "line": bug.line, "type": bug.type, "fixed": fixed[i], "hinted": i in hinted}
            for i, bug in enumerate(exercise.bugs)]


def grade(state: dict[str, Any], submits: list[dict[str, Any]], *,
          policy: str = DEFAULT_POLICY) -> tuple[Grade, dict[str, Any], dict[str, Any]]:
    """(Grade, the inputs that reproduce it, report-card feedback)."""
    exercise = exercise_of(state)
    per_submit, counting = _counted(state, submits, policy)
    fixed = per_submit[counting] if counting is not None else [False] * len(exercise.bugs)
    hints = len(state["hints"])
    bonus = earns_bonus(per_submit, counting)
    words = [f"the {bug.type} bug on line {bug.line}" for bug in exercise.bugs]
    result = bug_hunt_grade(fixed, hints, bonus, words)
    inputs = {
        "program_id": exercise.program_id, "language": exercise.language, "seed": exercise.seed,
        "digest": exercise.digest, "policy": policy,
        "submission_id": submits[counting].get("id") if counting is not None else None,
        "submits": len(submits), "fixed": fixed, "hints": hints, "bonus": bonus,
    }
    feedback = {
        "bugs": report(state, submits, policy=policy),
        "bugs_fixed": sum(fixed), "bug_count": len(exercise.bugs),
        "hints_used": hints, "submits": len(submits),
    }
    return result, inputs, feedback


def _diff(exercise_source: str, source: str, file_name: str, number: int) -> str:
    return "".join(difflib.unified_diff(exercise_source.splitlines(keepends=True), source.splitlines(keepends=True),
                                        fromfile=f"{file_name} (as given)", tofile=f"{file_name} (Submit {number})"))


def instructor_view(state: dict[str, Any], submits: list[dict[str, Any]], *,
                    policy: str = DEFAULT_POLICY) -> dict[str, Any]:
    """The manifest, each Submit as a diff against the buggy original with the bugs it fixed, and the hints."""
    exercise = exercise_of(state)
    per_submit, counting = _counted(state, submits, policy)
    return {
        "program_id": exercise.program_id, "title": exercise.title, "language": exercise.language,
        "language_name": LANGUAGE_NAMES.get(exercise.language, exercise.language), "seed": exercise.seed,
        "file_name": exercise.file_name,
        "bugs": [{"number": i + 1, "line": bug.line, "type": bug.type, "function": bug.function,
                  "description": bug.description, "original": bug.original, "injected": bug.injected,
                  "targets": list(bug.targets)} for i, bug in enumerate(exercise.bugs)],
        "submissions": [{"id": s.get("id"), "number": n, "counts": counting == n - 1,
                         "diff": _diff(exercise.source, str(s.get("source") or ""), exercise.file_name, n),
                         "fixed": per_submit[n - 1], "bugs_fixed": sum(per_submit[n - 1])}
                        for n, s in enumerate(submits, 1)],
        "hints_allowed": state["hints_allowed"],
        "hints": [{"number": n, "bug": h["bug"] + 1, "line": h["line"], "taken_at": h["taken_at"]}
                  for n, h in enumerate(state["hints"], 1)],
        "counting_submission": submits[counting].get("id") if counting is not None else None,
        "policy": policy,
    }
