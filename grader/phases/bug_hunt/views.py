"""An attempt's state and what a student may see of it.

The state is plain JSON kept on the server: the whole exercise (with its manifest), how many hints the
activity allows and the hints taken. ``student_view`` is the only thing a student page renders from it: the
buggy source and the visible tests, the number of hidden tests and bugs, and the lines of hints taken.
"""

from __future__ import annotations

from typing import Any

from grader.phases.bug_hunt.exercise import Exercise
from grader.workbench.code_task import LANGUAGE_NAMES
from grader.workbench.notation import literal

STATE_VERSION = 1
DEFAULT_HINTS = 3
MAX_HINTS = 4  # one per bug


class NoHintLeft(Exception):
    """A hint was asked for when none can be given; the message is safe to show the student."""


def start_state(exercise: Exercise, hints_allowed: int) -> dict[str, Any]:
    return {"version": STATE_VERSION, "exercise": exercise.to_dict(),
            "hints_allowed": max(0, min(MAX_HINTS, int(hints_allowed))), "hints": []}


def exercise_of(state: dict[str, Any]) -> Exercise:
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        raise ValueError("not a Bug Hunt attempt state")
    return Exercise.from_dict(state["exercise"])


def _unfixed(exercise: Exercise, fixed: list[bool] | None) -> list[bool]:
    if fixed is None or len(fixed) != len(exercise.bugs):
        return [True] * len(exercise.bugs)
    return [not f for f in fixed]


def _hintable(state: dict[str, Any], exercise: Exercise, fixed: list[bool] | None) -> list[int]:
    """Bugs not fixed and not hinted yet, lowest line first."""
    hinted = {h["bug"] for h in state["hints"]}
    unfixed = _unfixed(exercise, fixed)
    return sorted((i for i, _ in enumerate(exercise.bugs) if unfixed[i] and i not in hinted),
                  key=lambda i: exercise.bugs[i].line)


def hints_left(state: dict[str, Any], fixed: list[bool] | None) -> int:
    exercise = exercise_of(state)
    return max(0, min(state["hints_allowed"] - len(state["hints"]), len(_hintable(state, exercise, fixed))))


def shown_hints(state: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"number": n, "line": h["line"], "taken_at": h["taken_at"]} for n, h in enumerate(state["hints"], 1)]


def student_view(state: dict[str, Any], fixed: list[bool] | None) -> dict[str, Any]:
    """What the page shows: never a bug's type, index or original text, nor a hidden test."""
    exercise = exercise_of(state)
    visible = [t for t in exercise.tests if not t.hidden]
    return {
        "title": exercise.title,
        "summary": exercise.summary,
        "language": exercise.language,
        "language_name": LANGUAGE_NAMES.get(exercise.language, exercise.language),
        "file_name": exercise.file_name,
        "source": exercise.source,
        "tests": [{"name": t.name, "call": exercise.shown_call(t), "expected": literal(t.expected, exercise.language)}
                  for t in visible],
        "hidden_tests": len(exercise.tests) - len(visible),
        "bug_count": len(exercise.bugs),
        "hints": shown_hints(state),
        "hints_left": hints_left(state, fixed),
    }


def take_hint(state: dict[str, Any], fixed: list[bool] | None, now_iso: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(new state, the hint shown) — the line of the unfixed, not yet hinted bug with the lowest line.
    ``fixed``: per bug, from the student's latest Submit (None before any). The input state is untouched."""
    exercise = exercise_of(state)
    allowed, used = state["hints_allowed"], len(state["hints"])
    if allowed == 0:
        raise NoHintLeft("This activity gives no hints.")
    if used >= allowed:
        raise NoHintLeft(f"You have used all {allowed} of your hints.")
    candidates = _hintable(state, exercise, fixed)
    if not candidates:
        if not any(_unfixed(exercise, fixed)):
            raise NoHintLeft("Your last Submit fixed every bug: there is nothing left to hint.")
        raise NoHintLeft("Every bug you have not fixed yet already has a hint.")
    bug = candidates[0]
    entry = {"bug": bug, "line": exercise.bugs[bug].line, "taken_at": now_iso}
    new_state = {**state, "hints": [*state["hints"], entry]}
    return new_state, {"number": used + 1, "line": entry["line"], "taken_at": now_iso}
