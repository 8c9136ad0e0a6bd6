"""Level scaffolding: starters derived from the reference (deterministic), and what each level shows and allows.
That every starter of every task loads in the sandbox is part of verification (test_bank)."""

from __future__ import annotations

import ast

import pytest

from grader.phases.code_crucible import NoHintLeft, start_state, student_view, take_hint
from grader.phases.code_crucible.scaffolding import (
    LEVELS,
    RULES,
    function_bodies,
    hint_texts,
    intern_starter,
    starter,
)
from grader.phases.code_crucible.tasks import (
    LANGUAGES,
    MARK_CLOSE,
    MARK_NEUTRAL,
    MARK_OPEN,
    load_task,
    regions,
    task_ids,
)
from grader.phases.options import LEVELS as OPTION_LEVELS
from grader.phases.options import InvalidOption, clean_option
from tests.phases.code_crucible.conftest import exercise

PAIRS = [(t, lang) for t in task_ids() for lang in LANGUAGES]


@pytest.mark.parametrize(("task_id", "language"), PAIRS)
def test_starters_are_derived_deterministically_and_hide_the_solution(task_id, language):
    task = load_task(task_id)
    reference = task.reference(language)
    for level in LEVELS:
        text = starter(task, language, level)
        assert text == starter(task, language, level)  # deterministic
        assert "cr:param" not in text and ">>> TODO" not in text and "<<<" not in text
        assert text != reference
    intern = starter(task, language, "intern")
    for region in regions(reference, language):
        assert f"TODO: {region.todo}" in intern
        body = reference.split("\n")[region.open_line:region.close_line - 1]
        hidden_lines = [line for line in body if line.strip() and line.strip() not in intern]
        assert hidden_lines, "the region's code is gone from the Intern starter"
    junior = starter(task, language, "junior")
    flat = " ".join(junior.split())
    assert " ".join(task.signature(language).split()) in flat
    mid = starter(task, language, "mid")
    assert task.signature(language) in mid and len(mid.splitlines()) < 12
    senior = starter(task, language, "senior")
    assert task.function_name(language) in senior.splitlines()[0]
    if language != "java":
        assert len(senior.strip().splitlines()) == 1


def test_python_junior_keeps_signatures_and_docstrings_and_stubs_every_body():
    task = load_task("bakery_receipt")
    junior = starter(task, "python", "junior")
    tree = ast.parse(junior)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    reference = [n for n in ast.parse(task.reference("python")).body if isinstance(n, ast.FunctionDef)]
    assert [f.name for f in functions] == [f.name for f in reference]
    for function in functions:
        assert ast.get_docstring(function)
        assert isinstance(function.body[-1], ast.Raise)


def test_intern_adds_a_stub_where_a_region_returned_or_left_a_block_empty():
    source = ('def total(prices):\n    """Sum."""\n    # >>> TODO: add them up\n    return sum(prices)\n    # <<<\n\n\n'
              'def each(items):\n    """Loop."""\n    for item in items:\n        # >>> TODO: handle one\n'
              '        print(item)\n        # <<<\n    return None\n')
    text = intern_starter(source, "python")
    assert "    # TODO: add them up\n    raise NotImplementedError" in text
    assert "        # TODO: handle one\n        raise NotImplementedError\n    return None" in text
    ast.parse(text)
    java = ("public class Solution {\n    static int f(int x) {\n        // >>> TODO: double it\n"
            "        return 2 * x;\n        // <<<\n    }\n\n    static void g() {\n        if (true) {\n"
            "            // >>> TODO: nothing\n            System.gc();\n            // <<<\n        }\n    }\n}\n")
    text = intern_starter(java, "java")
    assert 'throw new UnsupportedOperationException("TODO");' in text.split("double it")[1].split("}")[0]
    assert text.count("UnsupportedOperationException") == 2


def test_function_bodies_skip_constructors_records_and_nested_functions():
    task = load_task("delivery_route")
    java = {name for _, name, _, _ in function_bodies(task.reference("java"), "java")}
    assert java == {"buildMap", "shortestTimes", "tracePath", "fastestRoute"}
    js = [name for _, name, _, _ in function_bodies(task.reference("javascript"), "javascript")]
    assert "constructor" not in js and {"push", "pop", "fastestRoute"} <= set(js)


def test_variant_starters_carry_the_variant_values_and_no_markers():
    task = load_task("parking_fees")
    assert "HOURLY_RATE = 4" in starter(task, "python", "intern", 1)
    assert "HOURLY_RATE = 3" in starter(task, "python", "intern", 0)
    assert "const DAILY_CAP = 15;" in starter(task, "javascript", "junior", 2)


def test_marker_lines_are_matched_whole():
    assert MARK_OPEN.match("    // >>> TODO: do it")
    assert not MARK_OPEN.match("    List<List<List<Integer>>> x; // >>> TODO: no")
    assert MARK_CLOSE.match("  # <<<") and not MARK_CLOSE.match("x <<< y")


def test_hints_are_the_reference_regions_in_order():
    task = load_task("bakery_receipt")
    assert hint_texts(task, "python")[0] == "split the cents into dollars and a two-digit remainder"


def test_level_option_and_rules():
    assert OPTION_LEVELS == LEVELS
    assert clean_option("level", "senior") == "senior"
    with pytest.raises(InvalidOption):
        clean_option("level", "principal")
    assert RULES["intern"].hidden_shown == "all" and RULES["junior"].hidden_shown == "names"
    assert RULES["mid"].hint_cost == 5 and RULES["mid"].max_hints == 3 and RULES["senior"].own_tests


def test_student_view_per_level_shows_hidden_tests_as_allowed():
    intern = student_view(start_state(exercise(level="intern")))
    assert intern["hidden_tests"] and all("call" in t for t in intern["hidden_tests"])
    assert len(intern["hints"]) == 3 and intern["hints_left"] == 0
    junior = student_view(start_state(exercise(level="junior")))
    assert junior["hidden_tests"] and all(set(t) == {"number", "name", "tag"} for t in junior["hidden_tests"])
    for level in ("mid", "senior"):
        view = student_view(start_state(exercise(level=level)))
        assert view["hidden_tests"] == [] and view["hidden_count"] == 13 and view["hints"] == []


def test_intern_hides_tests_of_a_requirement_the_student_missed():
    view = student_view(start_state(exercise(level="intern", discovered=set())))
    hidden = {t["number"]: t for t in view["hidden_tests"]}
    ex = exercise(level="intern", discovered=set())
    for i, test in enumerate(ex.hidden, 1):
        assert ("call" in hidden[i]) == (test.get("requirement") is None)


def test_hints_per_level():
    with pytest.raises(NoHintLeft):
        take_hint(start_state(exercise(level="intern")), "2026-01-01T00:00:00")
    junior = start_state(exercise(level="junior"))
    with pytest.raises(NoHintLeft, match="failed Run"):
        take_hint(junior, "t0", failed_runs=0)
    junior, hint = take_hint(junior, "t1", failed_runs=1)
    assert hint["number"] == 1 and hint["cost"] == 0
    with pytest.raises(NoHintLeft):
        take_hint(junior, "t2", failed_runs=1)
    state = start_state(exercise(level="mid"))
    for n in range(1, 4):
        state, hint = take_hint(state, f"t{n}")
        assert hint["cost"] == 5
    with pytest.raises(NoHintLeft):
        take_hint(state, "t4")
    assert [h["number"] for h in student_view(state)["hints"]] == [1, 2, 3]


# -- derived from an interview: what the student missed stays out of the scaffolding -------------------------------

def test_a_missed_requirements_regions_leave_the_starters_and_the_hints():
    task = load_task("bakery_receipt")
    missed = ("allergen_labels",)
    intern = starter(task, "python", "intern", 0, missed)
    assert "TODO: add the quantity to the line for this name and price" in intern  # the neutral text
    assert "allergens in brackets" not in intern and "lower-case allergens" not in intern
    assert "TODO: append" not in intern  # a region without a neutral text is left out entirely
    assert "TODO: append the allergens in brackets" in starter(task, "python", "intern")  # standalone: all of it
    ast.parse(intern)
    assert hint_texts(task, "python", 0, missed) == ("split the cents into dollars and a two-digit remainder",)
    assert len(hint_texts(task, "python")) == 3
    # Java keeps the allergens in a field of its Line class, outside any function body: Junior drops it too
    junior = starter(task, "java", "junior", 0, missed)
    assert "TreeSet" not in junior and "allergens = " not in junior  # (the input's format still names them)
    assert "java.util.TreeSet<String> allergens" in starter(task, "java", "junior")
    assert "TreeSet" not in starter(task, "java", "intern", 0, missed)


def test_a_missed_requirements_hints_are_not_offered_at_any_level():
    ex = exercise(level="mid", discovered=set())
    assert ex.hints == ("split the cents into dollars and a two-digit remainder",)
    state = start_state(ex)
    assert student_view(state)["hints_left"] == 1
    state, hint = take_hint(state, "t1")
    assert hint["text"] == ex.hints[0]
    with pytest.raises(NoHintLeft, match="every hint"):
        take_hint(state, "t2")
    junior = start_state(exercise(level="junior", discovered=set()))
    assert student_view(junior, failed_runs=5)["hints_left"] == 1
    intern = student_view(start_state(exercise(level="intern", discovered=set())))
    assert [h["text"] for h in intern["hints"]] == list(ex.hints)
    assert len(exercise(level="mid", discovered={"allergen_labels"}).hints) == 3  # discovered: every hint


def test_tests_of_a_missed_requirement_are_listed_by_number_with_the_tag_requirement():
    for level in ("intern", "junior"):
        ex = exercise(level=level, discovered=set())
        listed = student_view(start_state(ex))["hidden_tests"]
        tied = [t for t in listed if ex.hidden[t["number"] - 1].get("requirement")]
        assert tied and {t["tag"] for t in tied} == {"requirement"}  # not "duplicates" or "bad value"
        assert all(t["name"] == f"hidden test {t['number']}" and "call" not in t for t in tied)
        shown = exercise(level=level, discovered={"allergen_labels"})
        real = [t["tag"] for t in student_view(start_state(shown))["hidden_tests"]]
        assert real == [t["tag"] for t in shown.hidden]


def test_a_tied_region_names_its_requirement_in_every_language():
    for task_id in task_ids():
        task = load_task(task_id)
        for language in LANGUAGES:
            found = regions(task.reference(language), language)
            tagged = {rid for region in found for rid in region.requirements}
            assert tagged == set(task.requirement_ids), (task_id, language)
            # the markers' syntax never reaches a starter
            for level in ("intern", "junior"):
                text = starter(task, language, level, 0, task.requirement_ids)
                assert "TODO[" not in text and not any(
                    MARK_OPEN.match(line) or MARK_CLOSE.match(line) or MARK_NEUTRAL.match(line)
                    for line in text.split("\n"))

