"""Phase 2, The Code Crucible (domain): implement what a client needed, against real hidden tests.

Tasks (``tasks/<id>/``: a truth file and a reference per language, see ``tasks.py``) are verified in the sandbox
(``verify``) and the accepted ones recorded in ``verified.json`` (``bank``, read by ``store``): only a task whose
files match a verified entry is served. An exercise is a task in one language, at one level (``scaffolding``:
intern, junior, mid, senior), in one seeded variant, possibly derived from what the student discovered in a
Difficult Client interview (``catalogue.derive``). Its Submit runs the hidden tests, real linters (``quality``) and
a timed run against the reference (``efficiency``); ``scoring`` turns that into the seed's rubric. State is plain
JSON, server-side only; pages render ``student_view``. With an LLM: ``generate`` makes new variants (verified in
the sandbox before any is served) and ``review`` a checked mentor's review of a Submit (never its points). The
web's contract is written out in /work/crucible_spec.md, "Domain API (as built)".

- ``list_tasks()``, ``choose_exercise(task_ids, language, difficulty, level, seed_key, discovered=None,
  client_scenario=None)`` (raises ``NoExercise``), ``derive(task, discovered)``, ``discovered_requirements(state)``
- ``start_state(exercise, started_at=None)``, ``exercise_of(state)``, ``student_view(state, failed_runs=0)``,
  ``take_hint(state, now_iso, failed_runs=0)`` (raises ``NoHintLeft``)
- ``Exercise.execute(backend, kind, source, stdin="", cancel=None)`` — kinds ``run``, ``examples``, ``submit``
- ``grade(state, submits, policy=...)``, ``report(...)``, ``instructor_view(...)``
"""

from grader.phases import PhaseInfo
from grader.phases.code_crucible.catalogue import (
    Derived,
    NoExercise,
    build_exercise,
    choose_exercise,
    derive,
    discovered_requirements,
    list_tasks,
    served_languages,
)
from grader.phases.code_crucible.exercise import KINDS, MAX_SOURCE_BYTES, Exercise, check_source
from grader.phases.code_crucible.grading import counting_index, grade, instructor_view, report
from grader.phases.code_crucible.scaffolding import DEFAULT_LEVEL, HINT_PENALTY, LEVELS, RULES
from grader.phases.code_crucible.tasks import PHASE_ID, TAGS, Task, load_task, task_ids
from grader.phases.code_crucible.views import (
    NoHintLeft,
    exercise_of,
    hints_left,
    start_state,
    student_view,
    take_hint,
)

DEFAULT_SUBMITS = 3
DEFAULT_TIME_LIMIT = 15  # minutes

PHASE = PhaseInfo(PHASE_ID, "The Code Crucible",
                  "Implement what a client needed, in a real editor, against real hidden tests.",
                  list_scenarios=list_tasks,
                  options=frozenset({"scenario", "language", "difficulty", "level", "time_limit", "max_attempts",
                                     "grade_policy", "submission_policy", "max_submits", "seeding"}),
                  defaults={"max_submits": str(DEFAULT_SUBMITS), "time_limit": str(DEFAULT_TIME_LIMIT),
                            "level": DEFAULT_LEVEL, "seeding": "student"})

__all__ = [
    "DEFAULT_LEVEL",
    "DEFAULT_SUBMITS",
    "DEFAULT_TIME_LIMIT",
    "HINT_PENALTY",
    "KINDS",
    "LEVELS",
    "MAX_SOURCE_BYTES",
    "PHASE",
    "RULES",
    "TAGS",
    "Derived",
    "Exercise",
    "NoExercise",
    "NoHintLeft",
    "Task",
    "build_exercise",
    "check_source",
    "choose_exercise",
    "counting_index",
    "derive",
    "discovered_requirements",
    "exercise_of",
    "grade",
    "hints_left",
    "instructor_view",
    "list_tasks",
    "load_task",
    "report",
    "served_languages",
    "start_state",
    "student_view",
    "take_hint",
    "task_ids",
]
