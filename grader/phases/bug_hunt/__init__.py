"""Phase 3, The Bug Hunt (domain): a working program broken in exactly four ways, one bug of each type.

Base programs (``programs/<id>/``: a truth file with tests, and the source in Python and often JavaScript) go
through a seeded injector (``inject_python`` with ast + tokenize, ``inject_js`` with acorn), every exercise
is verified in the sandbox (``verify``) and the accepted ones are stored in ``bank.json`` (``bank``), which
is all the web needs to serve one. Fixed bugs are judged by behaviour (``judge``); the grade is the seed's
rubric (``scoring``). State is plain JSON, server-side only; pages render ``student_view``.

- ``list_programs()``, ``choose_exercise(program_ids, language, seed_key)`` (raises ``NoExercise``)
- ``start_state(exercise, hints_allowed)``, ``exercise_of(state)``, ``student_view(state, fixed)``,
  ``take_hint(state, fixed, now_iso)`` (raises ``NoHintLeft``)
- ``Exercise.execute(backend, kind, source, stdin="", cancel=None)`` — Run and Submit
- ``bugs_fixed(exercise, result)``, ``grade(state, submits, policy=...)``, ``report(...)``,
  ``instructor_view(...)``
"""

from grader.phases import PhaseInfo
from grader.phases.bug_hunt.catalogue import NoExercise, choose_exercise, list_programs
from grader.phases.bug_hunt.edits import BUG_TYPES
from grader.phases.bug_hunt.exercise import Bug, Exercise
from grader.phases.bug_hunt.grading import grade, instructor_view, report
from grader.phases.bug_hunt.judge import bugs_fixed
from grader.phases.bug_hunt.programs import PHASE_ID, load_program, program_ids
from grader.phases.bug_hunt.scoring import HINT_PENALTY
from grader.phases.bug_hunt.views import DEFAULT_HINTS, NoHintLeft, exercise_of, start_state, student_view, take_hint

DEFAULT_SUBMITS = 3

PHASE = PhaseInfo(PHASE_ID, "The Bug Hunt", "Find and fix the four bugs someone put into a working program.",
                  list_scenarios=list_programs,
                  options=frozenset({"scenario", "language", "time_limit", "max_attempts", "grade_policy",
                                     "submission_policy", "max_submits", "hints", "seeding"}),
                  defaults={"max_submits": str(DEFAULT_SUBMITS), "hints": str(DEFAULT_HINTS), "seeding": "student"})

__all__ = [
    "BUG_TYPES",
    "DEFAULT_HINTS",
    "DEFAULT_SUBMITS",
    "HINT_PENALTY",
    "PHASE",
    "Bug",
    "Exercise",
    "NoExercise",
    "NoHintLeft",
    "bugs_fixed",
    "choose_exercise",
    "exercise_of",
    "grade",
    "instructor_view",
    "list_programs",
    "load_program",
    "program_ids",
    "report",
    "start_state",
    "student_view",
    "take_hint",
]
