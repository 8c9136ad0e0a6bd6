"""The coding task is the scenario's Code Crucible task: served and verified in the three languages, built at unlock
from the constraints fully revealed (a missed one stays a hidden test, never a sentence of the statement), in the
activity's language, stored in the state, graded from the Submit's real hidden tests and linters."""

from __future__ import annotations

import json
from typing import Any

import pytest

from grader.phases.code_crucible import load_task
from grader.phases.code_crucible.store import served_task
from grader.phases.code_crucible.tasks import LANGUAGES
from grader.phases.difficult_client import (
    REVEAL,
    CodeResult,
    coding,
    evaluate_session,
    finish_session,
    grade_attempt,
    list_scenarios,
    load_scenario,
    replay,
    start_session,
    student_view,
)
from grader.phases.difficult_client.coding import (
    LEVEL,
    NoCodingTask,
    choose_language,
    coding_view,
    exercise_of,
    start_coding,
    with_exercise,
)
from tests.phases.difficult_client.students import GOOD_CODE, NO_CUTOFF_CODE, SCENARIO, expert, solution
from tests.sandbox.conftest import local_backend  # noqa: F401 - the fixture, reused

SCENARIOS = [m.id for m in list_scenarios()]


def unlocked_missing(scenario_id: str, missed: set[str], language: str = "python") -> dict[str, Any]:
    """A session that has fully revealed every constraint but ``missed`` (a changing one in its changed version) and
    unlocked the task (plain state, as the engine stores it), with the exercise built as a turn stores it."""
    scenario = load_scenario(scenario_id)
    state = start_coding(scenario, start_session(scenario), language)
    for c in scenario.constraints:
        level = 0 if c.id in missed else REVEAL
        state["constraints"][c.id].update(level=level, **({"version": "changed", "stale_level": level} if c.change
                                                          else {}))
    state.update(unlocked=True, unlocked_turn=1, turn=1)
    return with_exercise(scenario, state)


def secrets_of(scenario_id: str, cid: str) -> list[str]:
    c = load_scenario(scenario_id).constraint(cid)
    out = [c.description, c.full_reveal, *c.key_facts]
    if c.change:
        out += [c.change.description, c.change.full_reveal, *c.change.key_facts]
    return out


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_every_scenario_names_a_task_served_and_verified_in_every_language(scenario_id):
    scenario = load_scenario(scenario_id)
    served = served_task(scenario.task)
    assert served is not None, f"{scenario_id}: its task {scenario.task!r} is not a verified Code Crucible task"
    task, entry = served
    assert tuple(entry["languages"]) == LANGUAGES
    assert next(m for m in list_scenarios() if m.id == scenario_id).languages == LANGUAGES
    # Tied to this scenario: the task's requirements are this client's constraints, each checked by hidden tests.
    assert task.scenario == scenario_id and task.requirement_ids
    assert set(task.requirement_ids) <= {c.id for c in scenario.constraints}
    for rid in task.requirement_ids:
        assert any(t.requirement == rid for t in task.hidden), rid


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_a_missed_constraint_stays_a_hidden_test_and_never_reaches_what_the_student_sees(scenario_id):
    task = load_task(load_scenario(scenario_id).task)
    for rid in task.requirement_ids:
        for language in LANGUAGES:
            state = unlocked_missing(scenario_id, {rid}, language)
            exercise = exercise_of(load_scenario(scenario_id), state)
            assert exercise is not None and exercise.language == language and exercise.level == LEVEL
            assert exercise.missed == (rid,) and rid not in (exercise.discovered or ())
            assert any(t.get("requirement") == rid for t in exercise.hidden)
            shown = json.dumps(student_view(state))
            for secret in [*secrets_of(scenario_id, rid), task.requirement_sentence(rid, 0)]:
                assert secret.lower() not in shown.lower(), (scenario_id, rid, language, secret)
            for test in exercise.hidden:  # no hidden input or expected value either
                assert json.dumps(test["args"]) not in shown
        # Found, the same requirement is in the statement.
        state = unlocked_missing(scenario_id, set())
        assert task.requirement_sentence(rid, 0) in student_view(state)["coding_task"]["statement"]


def test_the_exercise_is_built_at_unlock_from_what_the_interview_revealed_and_kept_in_the_state():
    scenario = load_scenario(SCENARIO)
    state = start_coding(scenario, start_session(scenario), None)
    assert state["coding"] == {"task": "pickup_dates", "language": "python", "note": "", "exercise": None}
    assert with_exercise(scenario, state) is state and coding_view(scenario, state) is None  # locked: nothing
    played = replay(scenario, expert(SCENARIO)[:4])
    state = with_exercise(scenario, {**played, "coding": state["coding"]})
    stored = state["coding"]["exercise"]
    assert played["unlocked"] and stored["task_id"] == "pickup_dates" and stored["discovered"] == ["order_cutoff"]
    assert with_exercise(scenario, state) is state  # nothing new learned: the same exercise
    # Stored as JSON, it reads back as the same exercise (a reload, a regrade).
    again = json.loads(json.dumps(state))
    assert exercise_of(scenario, again) == exercise_of(scenario, state)
    view = student_view(again, scenario)["coding_task"]
    assert view["function"] == "orderable_days" and view["signature"].startswith("def orderable_days(")
    assert view["starter"].startswith("def orderable_days(") and view["hidden_count"] == 13
    assert "Orders close at 2 pm the day before pickup" in view["statement"] and "hidden" not in view
    assert [e["call"] for e in view["examples"]] == ["orderable_days(3, 9, [5, 4, 6], [6])",
                                                     "orderable_days(10, 11, [9, 10, 12, 12, 11], [])"]


def test_learning_more_after_the_unlock_restates_the_task_until_the_attempt_ends():
    scenario = load_scenario(SCENARIO)
    state = unlocked_missing(SCENARIO, {"order_cutoff"})
    assert exercise_of(scenario, state).missed == ("order_cutoff",)
    before = state["coding"]["exercise"]
    state["constraints"]["order_cutoff"]["level"] = REVEAL
    learned = with_exercise(scenario, state)
    after = learned["coding"]["exercise"]
    assert after["discovered"] == ["order_cutoff"] and "Orders close at 2 pm" in after["statement"]
    assert (after["hidden"], after["examples"], after["language"]) == (before["hidden"], before["examples"], "python")
    finished = finish_session({**state, "coding": {**state["coding"], "exercise": before}})
    assert with_exercise(scenario, finished) is finished  # a closed attempt keeps what it was graded on


def test_a_constraint_still_due_to_change_is_not_stated_before_the_client_changes_it():
    founder = load_scenario("perfectionist_startup_founder")
    changing = next(c for c in founder.constraints if c.change)
    state = unlocked_missing(founder.id, set())
    state["constraints"][changing.id].update(version="original", stale_level=0)  # revealed, but not changed yet
    state = with_exercise(founder, {**state, "coding": {**state["coding"], "exercise": None}})
    shown = json.dumps(student_view(state, founder)).lower()
    assert all(fact.lower() not in shown for fact in changing.change.key_facts)
    assert exercise_of(founder, state).missed == (changing.id,)
    state["constraints"][changing.id].update(version="changed", stale_level=REVEAL)  # changed and learned again
    assert changing.id in exercise_of(founder, with_exercise(founder, state)).discovered


@pytest.mark.parametrize("language", ["java", "javascript"])
def test_java_and_javascript_activities_build_exercises_in_their_language(language):
    scenario = load_scenario(SCENARIO)
    state = unlocked_missing(SCENARIO, set(), language)
    view = coding_view(scenario, state)
    assert view["language"] == language and view["function"] == "orderableDays" and view["note"] == ""
    if language == "java":
        assert view["file_name"] == "Solution.java" and "public class Solution" in view["starter"]
        assert view["signature"].startswith("public static List<Integer> orderableDays(")
        assert view["examples"][0]["call"] == "orderableDays(3, 9, List.of(5, 4, 6), List.of(6))"
        assert "public static void main" in view["try_it"]
    else:
        assert view["file_name"] == "solution.js" and "module.exports = { orderableDays }" in view["starter"]
        assert view["examples"][0]["call"] == "orderableDays(3, 9, [5, 4, 6], [6])"
        assert "require.main === module" in view["try_it"]


def test_a_language_the_task_lacks_falls_back_to_python_with_a_note(monkeypatch):
    scenario = load_scenario(SCENARIO)
    assert choose_language(scenario, "java") == ("java", "")
    assert choose_language(scenario, ["javascript"]) == ("javascript", "")
    assert choose_language(scenario, None) == ("python", "")
    monkeypatch.setattr(coding, "served_languages", lambda task_id: ("python", "javascript"))
    language, note = choose_language(scenario, "java")
    assert language == "python" and note == ("This client's coding task is not available in Java, so you write it "
                                             "in Python.")
    state = start_coding(scenario, start_session(scenario), "java")
    assert state["coding"]["language"] == "python" and state["coding"]["note"] == note
    monkeypatch.setattr(coding, "served_languages", lambda task_id: ())
    with pytest.raises(NoCodingTask, match="not a verified Code Crucible task"):
        choose_language(scenario, "python")


def test_the_gradebook_line_counts_constraints_found_and_hidden_tests_passed():
    scenario = load_scenario(SCENARIO)
    state = unlocked_missing(SCENARIO, {"phone_customers"})
    grade = evaluate_session(scenario, state, CodeResult(9, 12, quality=1.0, quality_evidence="ruff: no findings"))
    assert grade.grade.summary == "Difficult Client: 4/5 constraints found, 9/12 hidden tests passed"
    locked = replay(scenario, ["What is your budget?"])
    assert evaluate_session(scenario, locked, None).grade.summary == (
        "Difficult Client: 0/5 constraints found, 0/13 hidden tests passed")


def _submit(backend: Any, state: dict[str, Any], source: str, number: int = 1) -> dict[str, Any]:
    exercise = exercise_of(load_scenario(SCENARIO), state)
    return {"id": number, "source": source, "result": exercise.execute(backend, "submit", source)}


def test_a_missed_constraint_becomes_a_failing_hidden_test_and_the_report_says_so(local_backend):  # noqa: F811
    scenario = load_scenario(SCENARIO)
    missed = finish_session(unlocked_missing(SCENARIO, {"order_cutoff"}))
    grade, inputs, feedback = grade_attempt(scenario, missed, _submit(local_backend, missed, NO_CUTOFF_CODE))
    code = feedback["code"]
    (line,) = code["missed"]
    cutoff = scenario.constraint("order_cutoff")
    assert (line["topic"], line["description"]) == (cutoff.topic, cutoff.description)  # kept apart for the report
    assert line["tests"] == [9, 10, 11, 12, 13] and line["failed"] and set(line["failed"]) <= set(line["tests"])
    assert code["passed"] == 13 - len(line["failed"]) and code["total"] == 13 and code["language"] == "python"
    assert grade.summary == f"Difficult Client: 4/5 constraints found, {code['passed']}/13 hidden tests passed"
    assert inputs["code_result"]["passed"] == code["passed"]
    # The same attempt with the reference: every hidden test passes, and the missed rule is still named.
    _, _, good = grade_attempt(scenario, missed, _submit(local_backend, missed, GOOD_CODE))
    assert good["code"]["passed"] == 13 and good["code"]["missed"][0]["failed"] == []
    # Found in the interview, nothing is listed as missed.
    found = finish_session(unlocked_missing(SCENARIO, set()))
    _, _, full = grade_attempt(scenario, found, _submit(local_backend, found, GOOD_CODE))
    assert full["code"]["missed"] == [] and full["code"]["quality"].startswith("ruff: no findings")


def test_a_java_submit_is_graded_from_its_real_hidden_tests_and_javac(local_backend):  # noqa: F811
    scenario = load_scenario(SCENARIO)
    state = finish_session(unlocked_missing(SCENARIO, set(), "java"))
    grade, inputs, feedback = grade_attempt(scenario, state, _submit(local_backend, state, solution(SCENARIO, "java")))
    items = {i.item: i for i in grade.items}
    assert feedback["code"]["passed"] == 13 and feedback["code"]["language"] == "java"
    assert items["code_correctness"].points == 25 and items["code_quality"].points == 15
    assert "javac -Xlint:all: no findings" in items["code_quality"].evidence
    assert inputs["code_result"]["language"] == "java"
