"""The Difficult Client's coding task: the Code Crucible task its scenario names (``task:``), as an exercise built from
what the student found out in the interview.

The attempt's state carries ``state["coding"]``: the language the activity asked for (``language``, or a fallback
with a ``note`` the page shows when the task lacks it) and, once the task unlocks, the ``exercise`` (plain JSON, the
Crucible's ``Exercise.to_dict``): ``build_exercise`` at the Crucible's "mid" level, in the client's own numbers
(variant 0), with ``discovered`` = the constraints fully revealed so far (one the client is still due to change
counts once its new version is learned: ``stated_constraints``). Its statement holds only those; a missed
one stays among the hidden tests, so the report can say which missed constraint failed which test. While the
attempt is open and the student learns more, ``with_exercise`` rebuilds it (same task, language, level and tests:
only what is stated grows); a reload or a regrade reads the stored one.

Why "mid": its starter is the signature alone, as the interview's coding task always was, and its hidden tests stay a
count until a Submit (Junior would list every test's edge-case tag before any code is written, pointing at what the
interview should have taught; Intern would show their inputs). The Crucible's hints, which cost points at this
level, are not offered here: the interview is where the student learns the rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grader.phases.code_crucible import (
    Exercise,
    build_exercise,
    discovered_requirements,
    served_languages,
    start_state,
    student_view,
)
from grader.phases.code_crucible.scoring import QUALITY_POINTS, hidden_share, quality_items
from grader.phases.code_crucible.store import served_task
from grader.phases.difficult_client.models import Scenario
from grader.workbench.code_task import LANGUAGE_NAMES

LEVEL = "mid"
DEFAULT_LANGUAGE = "python"
# What a student may see of the exercise (the Crucible's student view, less its level rules and hints).
PUBLIC_KEYS = ("title", "statement", "language", "language_name", "file_name", "function", "signature", "starter",
               "examples", "hidden_count")
# Where Run's program tries the function: printing there is not held against the code's quality
# (grader.phases.code_crucible.entry_point), printing inside the function may be.
TRY_IT = {
    "python": 'call your function and print the result under if __name__ == "__main__":',
    "javascript": "call your function and print the result inside if (require.main === module) { ... }",
    "java": "call your method and print the result from public static void main(String[] args)",
}


class NoCodingTask(Exception):
    """The scenario's Crucible task is not served (not verified, or not in any language); safe for an instructor."""


def task_languages(scenario: Scenario) -> tuple[str, ...]:
    """The languages the scenario's task is verified in (empty when it is not served)."""
    return served_languages(scenario.task) if scenario.task else ()


def choose_language(scenario: Scenario, wanted: Sequence[str] | str | None) -> tuple[str, str]:
    """(the language the attempt codes in, a note for the student when it is not the one the activity asked for).

    ``wanted``: the activity's ``language`` option (its first language; none: Python). A language the task lacks
    falls back to Python (or the task's first language), with a note saying so; the picker already refuses such a
    placement, so this only meets an activity placed without it or a task withdrawn since."""
    served = task_languages(scenario)
    if not served:
        raise NoCodingTask(f"the coding task of “{scenario.meta.title}” ({scenario.task}) is not a verified Code "
                           f"Crucible task")
    asked = [wanted] if isinstance(wanted, str) else list(wanted or [])
    language = asked[0] if asked and asked[0] else DEFAULT_LANGUAGE
    if language in served:
        return language, ""
    fallback = DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in served else served[0]
    return fallback, (f"This client's coding task is not available in {LANGUAGE_NAMES.get(language, language)}, "
                      f"so you write it in {LANGUAGE_NAMES.get(fallback, fallback)}.")


def start_coding(scenario: Scenario, state: dict[str, Any], wanted: Sequence[str] | str | None) -> dict[str, Any]:
    """A new session's state with its coding language chosen (raises ``NoCodingTask``)."""
    language, note = choose_language(scenario, wanted)
    return {**state, "coding": {"task": scenario.task, "language": language, "note": note, "exercise": None}}


def coding_language(state: dict[str, Any]) -> str:
    return str((state.get("coding") or {}).get("language") or DEFAULT_LANGUAGE)


def stored_exercise(state: dict[str, Any]) -> Exercise | None:
    data = (state.get("coding") or {}).get("exercise")
    return Exercise.from_dict(data) if isinstance(data, dict) else None


def stated_constraints(scenario: Scenario, state: dict[str, Any]) -> set[str]:
    """The constraints the statement may state: fully revealed in the version that holds now. One still due to
    change is left out until the client has changed it and the student has learned the new version: the task's
    sentence is the changed rule, which the client has not said yet."""
    entries = state.get("constraints") or {}
    pending = {c.id for c in scenario.constraints if c.change and (entries.get(c.id) or {}).get("version") != "changed"}
    return discovered_requirements(state) - pending


def build_for(scenario: Scenario, state: dict[str, Any], language: str | None = None) -> Exercise:
    """The exercise for the constraints ``state`` has fully revealed (raises ``NoCodingTask``)."""
    language = language or coding_language(state)
    served = served_task(scenario.task) if scenario.task else None
    if served is None or language not in served[1].get("languages", ()):
        raise NoCodingTask(f"the coding task of “{scenario.meta.title}” is not available in "
                           f"{LANGUAGE_NAMES.get(language, language)}")
    task, entry = served
    return build_exercise(task, entry, language, LEVEL, 0, sorted(stated_constraints(scenario, state)))


def with_exercise(scenario: Scenario, state: dict[str, Any]) -> dict[str, Any]:
    """``state`` with its exercise built (at unlock) or rebuilt (the student has since revealed more of what the
    task depends on); ``state`` itself when nothing changes: still locked, finished, or the task's files changed
    since the exercise was built (its tests must not change under a running attempt)."""
    if not state.get("unlocked") or state.get("finished"):
        return state
    stored = stored_exercise(state)
    if stored is not None and stored.discovered == tuple(sorted(
            stated_constraints(scenario, state) & {rid for rid, _ in stored.requirements})):
        return state  # nothing new to state (the usual turn): no need to read the task's files
    served = served_task(scenario.task) if scenario.task else None
    if served is None:
        return state
    known = tuple(sorted(stated_constraints(scenario, state) & set(served[0].requirement_ids)))
    if stored is not None and (stored.digest != served[0].digest or stored.discovered == known):
        return state
    try:
        exercise = build_for(scenario, state, stored.language if stored else None)
    except NoCodingTask:
        return state
    coding = {"task": scenario.task, "language": exercise.language, "note": "", **(state.get("coding") or {})}
    return {**state, "coding": {**coding, "exercise": exercise.to_dict()}}


def exercise_of(scenario: Scenario, state: dict[str, Any]) -> Exercise | None:
    """The attempt's exercise: the stored one; for an unlocked attempt stored before it had one, built now; None
    while locked (or when the task is not served)."""
    stored = stored_exercise(state)
    if stored is not None:
        return stored
    if not state.get("unlocked"):
        return None
    try:
        return build_for(scenario, state)
    except NoCodingTask:
        return None


def coding_view(scenario: Scenario, state: dict[str, Any]) -> dict[str, Any] | None:
    """What a student sees of the coding task once unlocked: the statement (only the requirements they found out),
    signature, starter and examples in the attempt's language, how many hidden tests run, and the language note.
    Never the hidden tests, the reference or a missed requirement."""
    exercise = exercise_of(scenario, state) if state.get("unlocked") else None
    if exercise is None:
        return None
    view = student_view(start_state(exercise))
    return {**{key: view[key] for key in PUBLIC_KEYS}, "try_it": TRY_IT.get(exercise.language, ""),
            "note": str((state.get("coding") or {}).get("note") or "")}


def hidden_count(scenario: Scenario, state: dict[str, Any]) -> int:
    """How many hidden tests the attempt's code is (or would have been) graded on."""
    exercise = stored_exercise(state)
    if exercise is not None:
        return len(exercise.hidden)
    served = served_task(scenario.task) if scenario.task else None
    return len(served[0].hidden) if served else 0


def code_quality(exercise: Exercise, result: dict[str, Any]) -> tuple[float, str] | None:
    """(0..1, evidence) from the Submit's real linter run (ruff, ESLint, javac -Xlint) and measured items, scored
    as the Crucible scores them (earned in proportion to the hidden tests passed: an empty stub has no findings,
    and earns nothing for it). None when the Submit carries no quality measurement."""
    quality = result.get("quality")
    if not isinstance(quality, dict):
        return None
    passed, total = hidden_share(result)
    share = passed / total if total else 0.0
    items = quality_items(exercise.level, quality, result.get("own_tests"), share)
    score = sum(i.points for i in items) / QUALITY_POINTS
    # In words: the linter's verdict and what fell short on its own, then the share once (not item by item).
    measured = quality_items(exercise.level, quality, result.get("own_tests"), 1.0)
    words = [measured[0].evidence, *(i.evidence for i in measured[1:] if i.points < i.max_points)]
    if share < 1:
        words.append(f"counted at {share:.0%}, the share of hidden tests passed")
    return round(min(1.0, max(0.0, score)), 3), "; ".join(words)


def missed_tests(scenario: Scenario, state: dict[str, Any], exercise: Exercise,
                 result: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Each task requirement the student never learned in the interview, with the hidden tests that check it and
    those of them the counting Submit failed: ``{"id", "topic", "description", "tests", "failed"}`` (the topic and
    the client's description kept apart, so the report may name only the topic while attempts remain)."""
    cases = {c.get("number"): c for c in (((result or {}).get("report") or {}).get("cases") or [])
             if isinstance(c, dict) and c.get("group") == "hidden"}
    out = []
    for rid in exercise.missed:
        try:
            constraint = scenario.constraint(rid)
        except KeyError:
            continue
        changed = constraint.change is not None and (state.get("constraints") or {}).get(rid, {}).get(
            "version") == "changed"
        description = constraint.change.description if changed and constraint.change else constraint.description
        numbers = [i + 1 for i, t in enumerate(exercise.hidden) if t.get("requirement") == rid]
        out.append({"id": rid, "topic": constraint.topic, "description": description, "tests": numbers,
                    "failed": [n for n in numbers if not cases.get(n, {}).get("passed")]})
    return out
