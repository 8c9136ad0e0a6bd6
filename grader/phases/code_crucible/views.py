"""An attempt's state and what a student may see of it.

The state is plain JSON kept on the server: the whole exercise (hidden tests and reference included), the hints
taken and, when the web gives it, when the attempt started. ``student_view`` is the only thing a student page
renders from it.
"""

from __future__ import annotations

from typing import Any

from grader.phases.code_crucible.exercise import Exercise
from grader.phases.code_crucible.tasks import PHASE_ID
from grader.workbench.code_task import LANGUAGE_NAMES
from grader.workbench.notation import literal

STATE_VERSION = 1


class NoHintLeft(Exception):
    """A hint was asked for when none can be given; the message is safe to show the student."""


def start_state(exercise: Exercise, started_at: str | None = None) -> dict[str, Any]:
    return {"version": STATE_VERSION, "phase": PHASE_ID, "exercise": exercise.to_dict(), "hints": [],
            "started_at": started_at}


def exercise_of(state: dict[str, Any]) -> Exercise:
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION or state.get("phase") != PHASE_ID:
        raise ValueError("not a Code Crucible attempt state")
    return Exercise.from_dict(state["exercise"])


def hints_unlocked(state: dict[str, Any], failed_runs: int = 0) -> int:
    """How many hints the student may have by now (taken ones included). ``failed_runs``: failed Runs of the
    examples and Submits so far (the web counts them; Junior unlocks one hint per failure)."""
    exercise = exercise_of(state)
    rules, total = exercise.rules, len(exercise.hints)
    if rules.hints == "always":
        return total
    if rules.hints == "after_failed_run":
        return min(total, max(0, int(failed_runs)))
    return min(total, rules.max_hints or total)


def hints_left(state: dict[str, Any], failed_runs: int = 0) -> int:
    exercise = exercise_of(state)
    if exercise.rules.hints == "always":
        return 0  # every hint is on the page already
    return max(0, hints_unlocked(state, failed_runs) - len(state["hints"]))


def shown_hints(state: dict[str, Any]) -> list[dict[str, Any]]:
    exercise = exercise_of(state)
    if exercise.rules.hints == "always":
        return [{"number": n, "text": text, "taken_at": None} for n, text in enumerate(exercise.hints, 1)]
    return [{"number": n, "text": exercise.hints[n - 1], "taken_at": h["taken_at"]}
            for n, h in enumerate(state["hints"], 1)]


def _hidden_list(exercise: Exercise) -> list[dict[str, Any]]:
    shown = exercise.rules.hidden_shown
    if shown == "none":
        return []
    out = []
    for index, test in enumerate(exercise.hidden):
        item: dict[str, Any] = {"number": index + 1, "name": f"hidden test {index + 1}",
                                "tag": exercise.shown_tag(index)}
        if exercise.hidden_shown(index):
            item.update(call=exercise.shown_call(test["args"]), expected=literal(test["expected"], exercise.language))
        out.append(item)
    return out


def student_view(state: dict[str, Any], failed_runs: int = 0) -> dict[str, Any]:
    """What the page shows: statement, signature, starter, examples with expected outputs, the level's rules and
    hints. Hidden tests appear as the level allows: Intern with their inputs (except those of a requirement the
    student did not discover), Junior by name and tag, Mid and Senior not at all (a count). A test of a missed
    requirement is "hidden test N" with the tag "requirement", whatever the level."""
    exercise = exercise_of(state)
    rules = exercise.rules
    return {
        "title": exercise.title,
        "difficulty": exercise.difficulty,
        "statement": exercise.statement,
        "language": exercise.language,
        "language_name": LANGUAGE_NAMES.get(exercise.language, exercise.language),
        "file_name": exercise.file_name,
        "function": exercise.function,
        "signature": exercise.signature,
        "starter": exercise.starter,
        "level": exercise.level,
        "level_rules": rules.to_dict(),
        "level_sentence": rules.sentence(),
        "examples": [{"number": n, "call": exercise.shown_call(e["args"]),
                      "expected": literal(e["expected"], exercise.language)}
                     for n, e in enumerate(exercise.examples, 1)],
        "hidden_tests": _hidden_list(exercise),
        "hidden_count": len(exercise.hidden),
        "hints": shown_hints(state),
        "hints_left": hints_left(state, failed_runs),
        "hint_cost": rules.hint_cost,
        "own_tests": rules.own_tests,
    }


def take_hint(state: dict[str, Any], now_iso: str, failed_runs: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
    """(new state, the hint shown): the next hint, in the order of the reference's marked regions. The input
    state is untouched. Raises ``NoHintLeft`` with a sentence for the student."""
    exercise = exercise_of(state)
    rules = exercise.rules
    used = len(state["hints"])
    if rules.hints == "always":
        raise NoHintLeft("At the Intern level every hint is already on the page.")
    if not exercise.hints:
        raise NoHintLeft("This task has no hints.")
    if used >= len(exercise.hints):
        raise NoHintLeft("You have taken every hint this task has.")
    if rules.hints == "after_failed_run" and used >= hints_unlocked(state, failed_runs):
        raise NoHintLeft("A new hint unlocks after a failed Run or Submit.")
    if rules.max_hints is not None and used >= rules.max_hints:
        raise NoHintLeft(f"You have used all {rules.max_hints} of your hints.")
    entry = {"number": used + 1, "taken_at": now_iso, "cost": rules.hint_cost}
    new_state = {**state, "hints": [*state["hints"], entry]}
    return new_state, {"number": used + 1, "text": exercise.hints[used], "taken_at": now_iso,
                       "cost": rules.hint_cost}
