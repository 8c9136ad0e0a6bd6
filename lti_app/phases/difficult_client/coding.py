"""The Difficult Client's coding task on the web: the attempt's language when it starts, the exercise kept in the
attempt's state as the interview goes on, the Code Crucible task the workbench's Run / Run examples / Submit execute
(the Crucible's own ``CrucibleTask``), and what is refused before anything is queued."""

from __future__ import annotations

from typing import Any

from grader.phases.difficult_client import Scenario
from grader.phases.difficult_client.coding import NoCodingTask, exercise_of, start_coding, with_exercise
from grader.phases.options import languages_of
from grader.sandbox.types import LANGUAGES
from grader.workbench.code_task import LANGUAGE_NAMES
from lti_app.errors import Refusal
from lti_app.models import Activity, Attempt
from lti_app.phases.code_crucible import CrucibleTask
from lti_app.phases.difficult_client.scenario import scenario_of
from lti_app.phases.registry import activity_options


def with_language(activity: Activity, scenario: Scenario, state: dict[str, Any]) -> dict[str, Any]:
    """A new attempt's state with the language its coding task will be in: the activity's (Python by default), or
    Python with a note when the scenario's task lacks it. Refused (409 ``no_exercise``, a sentence for the
    instructor) when the scenario's task is not served at all."""
    try:
        return start_coding(scenario, state, languages_of(activity_options(activity)))
    except NoCodingTask as exc:
        raise Refusal(409, "no_exercise", f"this interview cannot start: {exc}; tell your instructor") from None


def with_current_exercise(state: dict[str, Any]) -> dict[str, Any]:
    """The state a turn stores: its exercise built at unlock, rebuilt when the student has learned more since."""
    return with_exercise(scenario_of(state), state)


def crucible_task(attempt: Attempt) -> CrucibleTask:
    """What Run, Run examples and Submit execute: the attempt's exercise (the worker calls it too)."""
    state = attempt.state
    exercise = exercise_of(scenario_of(state), state)
    if exercise is None:
        raise Refusal(409, "task_locked", "the coding task unlocks once you have uncovered most of the client's needs")
    return CrucibleTask(exercise)


def has_task(attempt: Attempt) -> bool:
    state = attempt.state
    return bool(state.get("unlocked")) and exercise_of(scenario_of(state), state) is not None


def check_language(attempt: Attempt, data: dict[str, Any]) -> None:
    """Refuse code sent for another language than the attempt's (a page left open from another activity, a
    script): nothing is queued."""
    language = data.get("language")
    if language is None:
        return
    current = crucible_task(attempt).language
    if language != current:
        shown = language if isinstance(language, str) and language in LANGUAGES else "that language"
        raise Refusal(400, "language_not_offered",
                      f"this coding task is in {LANGUAGE_NAMES.get(current, current)}, not "
                      f"{LANGUAGE_NAMES.get(shown, shown)}; nothing was run")
