"""Phase 1, The Difficult Client (domain): hidden Director, visible Actor, end-of-session Evaluator.

LLMs propose, code decides: every function works with the offline provider (the default), and an LLM
provider only adds wording (Actor), one clamped signal (Director) and narrative feedback (Evaluator).

Public API (state is a plain JSON-serialisable dict; store it in a DB row as is):

- ``start_session(scenario) -> state``
- ``take_turn(scenario, state, message, provider=None, *, llm_judge=True) -> TurnOutcome`` with ``.reply``,
  ``.feedback`` (student-visible line), ``.state`` (new dict; the input is untouched), ``.judgement``
  (instructor-only), ``.source`` (offline / llm / offline_fallback), ``.fallback_reason``, ``.llm_calls``
  (token use and latency per call), ``.student_payload()`` and ``.to_dict()``.
  Raises ``InvalidTurn`` (safe to show) for an empty or over-long message, a finished or foreign state.
- ``stream_turn(...)`` — the same turn as events: ``{"type": "chunk", "text"}``, ``{"type": "reset"}``
  (drop the chunks so far: an LLM reply failed its post-check; the offline reply follows) and finally
  ``{"type": "done", "outcome": TurnOutcome}``.
- ``student_view(state, scenario=None) -> dict`` — the only thing a student page may render: messages,
  per-turn feedback, progress ``{"discovered", "total"}`` (never which), the coding task once unlocked.
- ``instructor_view(state, scenario=None) -> dict`` — adds each constraint's level and every judgement.
- ``evaluate_session(scenario, state, code_result, provider=None) -> Evaluation`` with ``.grade``
  (``Grade``: score, letter, items with evidence), ``.strengths``, ``.improvements``, ``.narrative_source``;
  ``code_result`` is ``CodeResult(passed, total, source, language, quality=None)`` or its dict form from
  the sandbox's real run of the coding task's hidden tests.
- ``check_turn(scenario, state, message)`` — validate before opening a stream (raises ``InvalidTurn``).
- ``undiscovered_secrets(state, scenario=None) -> list[str]`` — what no student-facing output may contain now
  (for leak-scanning tests of pages and APIs).
- ``replay(scenario, messages) -> state`` — rebuild a session offline (regrade, audit).
- ``finish_session(state) -> state``.
- ``load_scenario(id)``, ``list_scenarios()``, ``parse_scenario(text, file=...)``, ``choose_scenario_id(name,
  difficulty)`` — the truth files in ``scenarios/`` (``catalogue.py``).
- ``grade_attempt(scenario, state, submit, provider=None) -> (Grade, inputs, feedback)`` — the final grade from
  the recorded state and the counting Submit's ``{"id", "source", "result"}`` (``grading.py``).
"""

from grader.phases import PhaseInfo
from grader.phases.difficult_client.catalogue import (
    choose_scenario_id,
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

# Not "language": the task's language comes from the scenario. "difficulty" picks a scenario of that
# difficulty when none is named (choose_scenario_id).
PHASE = PhaseInfo(PHASE_ID, "The Difficult Client", "Interview a client who hides their real constraints.",
                  list_scenarios=list_scenarios,
                  options=frozenset({"scenario", "difficulty", "time_limit", "max_attempts", "grade_policy",
                                     "submission_policy", "max_submits"}))

__all__ = [
    "HINT",
    "PHASE",
    "Scenario",
    "choose_scenario_id",
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
