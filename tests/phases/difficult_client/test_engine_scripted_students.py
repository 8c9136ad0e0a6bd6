"""Scripted students on every scenario, graded by the offline engine with a fixed code result."""

from __future__ import annotations

import json

import pytest

from grader.phases.difficult_client import (
    REVEAL,
    CodeResult,
    evaluate_session,
    list_scenarios,
    load_scenario,
    replay,
    start_session,
    student_view,
    take_turn,
)
from tests.phases.difficult_client.students import ORDER, SOLUTIONS, STUDENTS, TOPICS, expert

SCENARIOS = [m.id for m in list_scenarios()]
# The same real-looking sandbox result for every student: only the conversation differs.
FIXED_CODE = CodeResult(passed=6, total=8, source=SOLUTIONS["angry_bakery_owner"])


def run(scenario, messages):
    state = start_session(scenario)
    outcomes = []
    for message in messages:
        outcome = take_turn(scenario, state, message)
        outcomes.append(outcome)
        state = outcome.state
    return state, outcomes


def test_there_are_four_scenarios():
    assert sorted(TOPICS) == SCENARIOS


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_students_are_graded_strictly_in_order(scenario_id):
    scenario = load_scenario(scenario_id)
    scores = {}
    for name in ORDER:
        state, _ = run(scenario, STUDENTS[name](scenario_id))
        scores[name] = evaluate_session(scenario, state, FIXED_CODE).grade.score
    ordered = [scores[name] for name in ORDER]
    assert all(a > b for a, b in zip(ordered, ordered[1:], strict=False)), scores
    assert scores["expert"] >= 85, scores


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_expert_discovers_everything_and_unlocks_the_task(scenario_id):
    scenario = load_scenario(scenario_id)
    state, outcomes = run(scenario, expert(scenario_id))
    assert all(entry["level"] == REVEAL for entry in state["constraints"].values()), state["constraints"]
    view = student_view(state)
    assert view["progress"] == {"discovered": 5, "total": 5}
    assert view["coding_task_unlocked"] and view["coding_task"]["function_name"] == scenario.coding_task.function_name
    assert "hidden_tests" not in json.dumps(view)
    assert any(o.feedback == "clear and empathetic" for o in outcomes)


@pytest.mark.parametrize("scenario_id", SCENARIOS)
@pytest.mark.parametrize("name", ["careless", "rude", "extractor"])
def test_poor_interviewers_do_not_unlock_the_task(scenario_id, name):
    scenario = load_scenario(scenario_id)
    state, _ = run(scenario, STUDENTS[name](scenario_id))
    assert not state["unlocked"]
    assert student_view(state)["coding_task"] is None
    assert student_view(state)["progress"]["discovered"] == 0


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_replay_gives_the_same_state_and_grade(scenario_id):
    scenario = load_scenario(scenario_id)
    for name in ORDER:
        messages = STUDENTS[name](scenario_id)
        state, _ = run(scenario, messages)
        again = replay(scenario, messages)
        assert again == state
        # Through JSON, as a DB row would store it.
        stored = json.loads(json.dumps(state))
        assert evaluate_session(scenario, stored, FIXED_CODE).grade == evaluate_session(scenario, state,
                                                                                       FIXED_CODE).grade


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_student_view_never_leaks_undiscovered_truth(scenario_id):
    scenario = load_scenario(scenario_id)
    for name in ORDER:
        state, outcomes = run(scenario, STUDENTS[name](scenario_id))
        shown = json.dumps([student_view(state)] + [o.student_payload() for o in outcomes])
        for c in scenario.constraints:
            entry = state["constraints"][c.id]
            assert c.id not in shown and c.description not in shown
            if entry["level"] < REVEAL and not (entry["version"] == "changed" and entry["stale_level"] == REVEAL):
                assert c.full_reveal not in shown
                for fact in c.key_facts:
                    assert fact.lower() not in shown.lower(), (name, c.id, fact)
        for case in scenario.coding_task.hidden_tests:
            assert json.dumps({"args": list(case.args), "expected": case.expected}) not in shown
