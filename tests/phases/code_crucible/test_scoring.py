"""The rubric as plain functions of stored results: hidden tests 50, quality 30, efficiency 20, minus hints; the
Submit that counts; derived statements and the report card's "you never learned that ..."."""

from __future__ import annotations

from grader.phases.code_crucible import derive, discovered_requirements, grade, load_task, report, start_state
from grader.phases.code_crucible.scoring import crucible_grade, submit_items, submit_points
from grader.phases.code_crucible.views import take_hint
from grader.phases.difficult_client import load_scenario, start_session
from tests.phases.code_crucible.conftest import exercise

CLEAN_QUALITY = {"tool": "ruff", "available": True, "findings": [], "finding_count": 0, "suppressions": 0,
                 "parse_error": False, "duplicates": [], "code_lines": 20, "reference_lines": 20,
                 "metrics": {"functions": 3, "longest_function": 10, "longest_name": "f", "max_depth": 1,
                             "deepest_name": "f", "max_complexity": 3, "complex_name": "f", "name_count": 9,
                             "bad_names": []}}
FAST = {"band": "within_2x", "band_text": "", "time_band": "tenth", "time_text": ""}


def result(passed: int, total: int = 13, quality: dict | None = None, efficiency: dict | None = None,
           cases: list | None = None) -> dict:
    return {"kind": "submit", "hidden": {"passed": passed, "total": total}, "quality": quality or CLEAN_QUALITY,
            "efficiency": efficiency or FAST, "report": {"cases": cases or [], "load_error": None},
            "examples": {"passed": 2, "total": 2}, "tags_failed": []}


def test_a_perfect_submit_scores_100_with_evidence_for_every_item():
    items = submit_items("mid", result(13))
    assert sum(i.points for i in items) == 100.0
    assert all(i.evidence for i in items)
    assert {i.item for i in items} >= {"hidden_tests", "quality_linter", "quality_naming", "quality_function_length",
                                       "quality_complexity", "quality_duplication", "quality_brevity",
                                       "efficiency_speed", "efficiency_time"}
    assert sum(i.max_points for i in items) == 100.0
    assert sum(i.max_points for i in submit_items("senior", result(13))) == 100.0


def test_quality_and_efficiency_count_in_proportion_to_the_hidden_tests_passed():
    points = submit_points("mid", result(0))
    assert points == {"hidden": 0.0, "quality": 0.0, "efficiency": 0.0, "total": 0.0}
    half = submit_points("mid", result(13, 26))
    assert half["hidden"] == 25.0 and half["quality"] == 15.0 and half["efficiency"] == 10.0


def test_findings_and_slowness_cost_points():
    messy = dict(CLEAN_QUALITY, finding_count=4, findings=[{"line": 3, "rule": "F401", "message": "unused"}])
    assert submit_points("mid", result(13, quality=messy))["quality"] == 24.0
    slow = {"band": "over_5x", "time_band": "quarter"}
    assert submit_points("mid", result(13, efficiency=slow))["efficiency"] == 5.0
    broken = dict(CLEAN_QUALITY, parse_error=True, metrics=None)
    assert submit_points("mid", result(13, quality=broken))["quality"] == 0.0
    unavailable = dict(CLEAN_QUALITY, available=False)
    assert submit_points("mid", result(13, quality=unavailable))["quality"] == 30.0


def test_hints_cost_five_points_each_at_mid_and_nothing_at_junior():
    assert crucible_grade("mid", result(13), hints=2, hint_cost=5).score == 90.0
    assert crucible_grade("junior", result(13), hints=2, hint_cost=0).score == 100.0
    no_submit = crucible_grade("mid", None, hints=0, hint_cost=5)
    assert no_submit.score == 0.0 and no_submit.items[0].evidence == "no Submit was made"


def test_the_counting_submit_follows_the_policy_and_the_grade_is_reproducible():
    state = start_state(exercise())
    state, _ = take_hint(state, "2026-01-01T10:00:00")
    submits = [{"id": 7, "result": result(13)}, {"id": 8, "result": result(5)}]
    best, inputs, _ = grade(state, submits, policy="best")
    assert best.score == 95.0 and inputs["submission_id"] == 7 and inputs["hints"] == 1
    assert grade(state, submits, policy="best") == (best, inputs, grade(state, submits, policy="best")[2])
    latest = grade(state, submits, policy="latest")[0]
    assert latest.score == round(submit_points("mid", result(5))["total"] - 5, 1)
    runs_only = [{"id": 1, "result": {"kind": "run"}}]
    assert grade(state, runs_only)[0].score == 0.0


def test_derive_states_discovered_requirements_and_omits_missed_ones():
    task = load_task("bakery_receipt")
    sentence = task.requirement_sentence("allergen_labels")
    assert sentence in derive(task, None).statement
    derived = derive(task, set())
    assert sentence not in derived.statement and derived.missed == ("allergen_labels",)
    assert derive(task, {"allergen_labels", "order_cutoff"}).stated == ("allergen_labels",)


def test_the_report_card_says_what_the_student_never_learned_only_where_its_tests_failed():
    ex = exercise(discovered=set())
    state = start_state(ex)
    tied = [i + 1 for i, t in enumerate(ex.hidden) if t.get("requirement") == "allergen_labels"]
    cases = [{"group": "hidden", "number": n, "passed": n not in tied, "status": "passed" if n not in tied
              else "wrong_answer"} for n in range(1, 14)]
    card = report(state, [{"id": 1, "result": result(13 - len(tied), cases=cases)}])
    (missed,) = card["missed_requirements"]
    assert missed["id"] == "allergen_labels" and missed["failed"] == tied
    assert missed["line"].startswith("You never learned that the health inspector fined Rosa")
    assert [t["passed"] for t in card["tests"]] == [n not in tied for n in range(1, 14)]
    assert all(set(t) == {"number", "tag", "passed", "status"} for t in card["tests"])
    passing = [dict(c, passed=True, status="passed") for c in cases]
    card = report(state, [{"id": 1, "result": result(13, cases=passing)}])
    assert card["missed_requirements"][0]["line"].startswith("You never learned this rule, yet your code handled it")


def test_discovered_requirements_come_from_a_difficult_client_state():
    scenario = load_scenario("perfectionist_startup_founder")
    state = start_session(scenario)
    state["constraints"]["seat_price"]["level"] = 2
    state["constraints"]["seat_cap"]["level"] = 1  # only a hint: not discovered
    state["constraints"]["annual_discount"].update(version="changed", level=0, stale_level=2)  # old rule only
    assert discovered_requirements(state) == {"seat_price"}
    state["constraints"]["annual_discount"]["level"] = 2
    assert discovered_requirements(state) == {"seat_price", "annual_discount"}
