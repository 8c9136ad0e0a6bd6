"""Scripted students on every scenario, graded by the offline engine with a fixed code result."""

from __future__ import annotations

import json

import pytest

from grader.phases.code_crucible import load_task
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
from grader.phases.difficult_client.evaluator import constraint_credit
from tests.phases.difficult_client.students import ORDER, SOLUTIONS, STUDENTS, TOPICS, expert

SCENARIOS = [m.id for m in list_scenarios()]
# The same real-looking sandbox result for every student: only the conversation differs.
FIXED_CODE = CodeResult(passed=6, total=8, source=SOLUTIONS["angry_bakery_owner"], quality=0.9)


def run(scenario, messages, difficulty=None):
    state = start_session(scenario, difficulty)
    outcomes = []
    for message in messages:
        outcome = take_turn(scenario, state, message)
        outcomes.append(outcome)
        state = outcome.state
    return state, outcomes


def test_there_are_four_scenarios():
    assert sorted(TOPICS) == SCENARIOS


DIFFICULTIES = ("easy", "medium", "hard")


def messages_of(name, scenario_id, difficulty):
    return expert(scenario_id, difficulty) if name == "expert" else STUDENTS[name](scenario_id)


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_students_are_graded_strictly_in_order(scenario_id, difficulty):
    """expert > average > keyword stuffer > careless > rude, all handing in correct code; the stuffer (each topic's
    trigger words, politely, twice) never gets above a D, and the extractor earns no more than the stuffer."""
    scenario = load_scenario(scenario_id)
    correct = CodeResult(passed=8, total=8, source=SOLUTIONS[scenario_id], quality=1.0)
    scores = {}
    for name in STUDENTS:
        state, _ = run(scenario, messages_of(name, scenario_id, difficulty), difficulty)
        scores[name] = evaluate_session(scenario, state, correct).grade.score
    ordered = [scores[name] for name in ORDER]
    assert all(a > b for a, b in zip(ordered, ordered[1:], strict=False)), scores
    assert scores["expert"] >= 85, scores
    assert scores["stuffer"] < 70 and scores["extractor"] < scores["stuffer"], scores


@pytest.mark.parametrize("scenario_id", SCENARIOS)
@pytest.mark.parametrize("name", ["expert", "average"])
def test_the_same_student_discovers_less_from_a_hard_client_than_from_an_easy_one(scenario_id, name):
    scenario = load_scenario(scenario_id)
    messages = messages_of(name, scenario_id, "medium")  # one script, played at both ends
    found = {d: constraint_credit(scenario, run(scenario, messages, d)[0])[0] for d in ("easy", "hard")}
    assert found["hard"] < found["easy"], found
    grades = {d: evaluate_session(scenario, run(scenario, messages, d)[0], FIXED_CODE).grade.score
              for d in ("easy", "hard")}
    assert grades["hard"] < grades["easy"], grades


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_expert_discovers_everything_and_unlocks_the_task(scenario_id):
    scenario = load_scenario(scenario_id)
    state, outcomes = run(scenario, expert(scenario_id))
    assert all(entry["level"] == REVEAL for entry in state["constraints"].values()), state["constraints"]
    view = student_view(state)
    assert view["progress"] == {"discovered": 5, "total": 5}
    assert view["coding_task_unlocked"] and view["coding_task"]["function"] == load_task(scenario.task).function_name(
        "python")
    assert "hidden_tests" not in json.dumps(view)
    assert any(o.feedback == "clear and empathetic" for o in outcomes)


@pytest.mark.parametrize("scenario_id", SCENARIOS)
@pytest.mark.parametrize("name", ["stuffer", "careless", "rude", "extractor"])
def test_poor_interviewers_do_not_unlock_the_task(scenario_id, name):
    scenario = load_scenario(scenario_id)
    state, _ = run(scenario, STUDENTS[name](scenario_id))
    assert not state["unlocked"]
    assert student_view(state)["coding_task"] is None
    assert student_view(state)["progress"]["discovered"] == 0


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_replay_gives_the_same_state_and_grade(scenario_id):
    scenario = load_scenario(scenario_id)
    for name, difficulty in zip(STUDENTS, DIFFICULTIES * 2, strict=True):
        messages = STUDENTS[name](scenario_id)
        state, _ = run(scenario, messages, difficulty)
        again = replay(scenario, messages, difficulty)
        assert again == state and state["difficulty"] == difficulty
        # Through JSON, as a DB row would store it.
        stored = json.loads(json.dumps(state))
        assert evaluate_session(scenario, stored, FIXED_CODE).grade == evaluate_session(scenario, state,
                                                                                       FIXED_CODE).grade


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_student_view_never_leaks_undiscovered_truth(scenario_id):
    scenario = load_scenario(scenario_id)
    for name in STUDENTS:
        state, outcomes = run(scenario, STUDENTS[name](scenario_id))
        shown = json.dumps([student_view(state)] + [o.student_payload() for o in outcomes])
        # The public scenario id may contain a constraint id (landlord_three_languages / three_languages).
        without_scenario_id = shown.replace(scenario_id, "")
        for c in scenario.constraints:
            entry = state["constraints"][c.id]
            assert c.id not in without_scenario_id and c.description not in shown
            if entry["level"] < REVEAL and not (entry["version"] == "changed" and entry["stale_level"] == REVEAL):
                assert c.full_reveal not in shown
                for fact in c.key_facts:
                    assert fact.lower() not in shown.lower(), (name, c.id, fact)
        for case in load_task(scenario.task).hidden:
            assert json.dumps(list(case.args)) not in shown
