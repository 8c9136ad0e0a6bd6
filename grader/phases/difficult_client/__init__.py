"""Phase 1, The Difficult Client (domain): hidden Director, visible Actor, end-of-session Evaluator.

LLMs propose, code decides: every function works with the offline provider (the default), and an LLM
provider only adds wording (Actor), one clamped signal (Director) and narrative feedback (Evaluator).

Public API (state is a plain JSON-serialisable dict; store it in a DB row as is):

- ``start_session(scenario, difficulty=None) -> state`` — ``difficulty`` easy / medium / hard (None: the
  scenario's own) sets how guarded the client is; it is recorded in the state.
- ``take_turn(scenario, state, message, provider=None, *, llm_judge=True) -> TurnOutcome`` with ``.reply``,
  ``.feedback`` (student-visible line), ``.state`` (new dict; the input is untouched), ``.judgement``
  (instructor-only: the Director's ``intent`` — constraint, world, general, acknowledge, off_world, stuffed,
  repeat, gaming, rude or none —, the ``world`` key answered, the target constraint and the level granted),
  ``.source`` (offline / llm / offline_fallback), ``.fallback_reason``, ``.llm_calls``
  (token use and latency per call), ``.student_payload()`` and ``.to_dict()``.
  Raises ``InvalidTurn`` (safe to show) for an empty or over-long message, a finished or foreign state.
- ``stream_turn(...)`` — the same turn as events: ``{"type": "chunk", "text"}`` (pieces of the final reply, an
  LLM's only after it passed every check, so nothing shown is withdrawn) and finally ``{"type": "done",
  "outcome": TurnOutcome}``.
- ``student_view(state, scenario=None) -> dict`` — the only thing a student page may render: messages,
  per-turn feedback, progress ``{"discovered", "total"}`` (never which), the coding task once unlocked.
- ``instructor_view(state, scenario=None) -> dict`` — adds each constraint's level and every judgement.
- ``evaluate_session(scenario, state, code_result, provider=None) -> Evaluation`` with ``.grade``
  (``Grade``: score, letter, items with evidence), ``.strengths``, ``.improvements``, ``.narrative_source``;
  ``code_result`` is ``CodeResult(passed, total, source, language, quality=None, quality_evidence="")`` or its
  dict form from the sandbox's real run of the coding task's hidden tests and linters; the grade's summary is the
  gradebook's one line ("Difficult Client: 4/5 constraints found, 9/12 hidden tests passed").
- The coding task (``coding.py``): the scenario's Code Crucible task (``task:``) as an exercise built at unlock
  from the constraints fully revealed, in the activity's language, stored in the state (``start_coding``,
  ``with_exercise``, ``exercise_of``, ``coding_view``).
- ``check_turn(scenario, state, message)`` — validate before opening a stream (raises ``InvalidTurn``).
- ``undiscovered_secrets(state, scenario=None) -> list[str]`` — what no student-facing output may contain now
  (for leak-scanning tests of pages and APIs).
- ``replay(scenario, messages, difficulty=None) -> state`` — rebuild a session offline (regrade, audit).
- ``finish_session(state) -> state``.
- ``load_scenario(id)``, ``list_scenarios()``, ``parse_scenario(text, file=...)``, ``choose_scenario(pool,
  difficulty, seed_key, played)`` — the truth files in ``scenarios/`` (``catalogue.py``).
- ``grade_attempt(scenario, state, submit, provider=None) -> (Grade, inputs, feedback)`` — the final grade from
  the recorded state and the counting Submit's ``{"id", "source", "result"}`` (``grading.py``).
- With an LLM: ``grounding.check_grounding`` refuses a model reply carrying prompt scaffolding, the assistant's
  voice, or specifics the client may not state; ``qualify.qualify(provider, scenario_ids)`` /
  ``qualify.ensure_verdict(provider, store)`` decide whether the model's question rating may count
  (``stream_turn(..., llm_judge=verdict.trusted)``); ``python -m grader.phases.difficult_client.qualify`` prints it.
"""

from grader.phases import PhaseInfo
from grader.phases.difficult_client.catalogue import (
    choose_scenario,
    list_scenarios,
    load_scenario,
    parse_scenario,
)
from grader.phases.difficult_client.director import HINT, NOTHING, REVEAL, Judgement, judge
from grader.phases.difficult_client.evaluator import CodeResult, Evaluation, evaluate_session
from grader.phases.difficult_client.grading import grade_attempt
from grader.phases.difficult_client.models import Scenario
from grader.phases.difficult_client.schema import PHASE_ID
from grader.phases.difficult_client.session import (
    MAX_MESSAGE_CHARS,
    InvalidTurn,
    TurnOutcome,
    check_turn,
    discovered_fraction,
    finish_session,
    instructor_view,
    replay,
    start_session,
    stream_turn,
    student_view,
    take_turn,
    undiscovered_secrets,
)

# "language": the coding task's (coding.py; Python by default; one the scenario's task lacks is refused by the
# picker, or falls back to Python with a note). "scenario" is a pool (one drawn per attempt,
# choose_scenario); "difficulty" narrows it and sets how guarded the client is; "show_answers": when the report
# card shows the missed constraints in full (report.py).
PHASE = PhaseInfo(PHASE_ID, "The Difficult Client", "Interview a client who hides their real constraints.",
                  list_scenarios=list_scenarios,
                  options=frozenset({"scenario", "difficulty", "time_limit", "max_attempts", "grade_policy",
                                     "submission_policy", "max_submits", "show_answers", "language"}))

__all__ = [
    "HINT",
    "PHASE",
    "Scenario",
    "choose_scenario",
    "grade_attempt",
    "list_scenarios",
    "load_scenario",
    "parse_scenario",
    "MAX_MESSAGE_CHARS",
    "NOTHING",
    "REVEAL",
    "CodeResult",
    "Evaluation",
    "InvalidTurn",
    "Judgement",
    "check_turn",
    "TurnOutcome",
    "discovered_fraction",
    "evaluate_session",
    "finish_session",
    "instructor_view",
    "judge",
    "replay",
    "start_session",
    "stream_turn",
    "student_view",
    "take_turn",
    "undiscovered_secrets",
]
