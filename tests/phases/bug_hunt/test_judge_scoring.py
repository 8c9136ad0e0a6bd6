"""Fixed is judged by behaviour in the real sandbox (a correct rewrite earns the credit, deleting code earns
nothing), the seed's scoring (25 per bug, -10 per hint, +10 for all four within three Submits, clamped), hints,
the report card and the instructor's view — and the manifest never reaches a student."""

from __future__ import annotations

import json
import re

import pytest

from grader.phases.bug_hunt import (
    NoHintLeft,
    bugs_fixed,
    exercise_of,
    grade,
    instructor_view,
    report,
    start_state,
    student_view,
    take_hint,
)
from grader.phases.bug_hunt.edits import apply
from grader.phases.bug_hunt.exercise import Exercise
from grader.phases.bug_hunt.programs import load_program
from grader.phases.bug_hunt.store import accepted

NOW = "2025-01-02T03:04:05+00:00"


def _original(exercise: Exercise) -> str:
    return load_program(exercise.program_id).source(exercise.language)


def _fixing(exercise: Exercise, *types: str) -> str:
    """The buggy source with the bugs of ``types`` put right (the others left in)."""
    return apply(_original(exercise), [b.edit for b in exercise.bugs if b.type not in types])


def _replace_function(source: str, name: str, new: str) -> str:
    match = re.search(rf"^def {name}\(.*?(?=^def |\Z)", source, re.MULTILINE | re.DOTALL)
    assert match, name
    return source[:match.start()] + new + "\n\n" + source[match.end():]


def _order(exercise: Exercise) -> list[str]:
    return [b.type for b in exercise.bugs]


def _fixed_types(exercise: Exercise, result: dict) -> set[str]:
    return {b.type for b, f in zip(exercise.bugs, bugs_fixed(exercise, result), strict=True) if f}


@pytest.fixture(scope="module")
def submit(local_backend, python_exercise):
    cache: dict[str, dict] = {}

    def run(source: str) -> dict:
        if source not in cache:
            cache[source] = python_exercise.execute(local_backend, "submit", source)
        return cache[source]

    return run


# -- behaviour, in the sandbox ------------------------------------------------------------------------------

def test_the_buggy_program_fixes_nothing_and_the_original_fixes_everything(python_exercise, submit):
    buggy = submit(python_exercise.source)
    assert buggy["report"]["load_error"] and buggy["bugs_fixed"] == 0 == buggy["measure"]
    fixed = submit(_original(python_exercise))
    assert fixed["bugs_fixed"] == 4 == fixed["measure"] == fixed["bug_count"]
    assert fixed["tests"]["passed"] == fixed["tests"]["total"] and fixed["hidden"]["passed"] == fixed["hidden"]["total"]
    assert bugs_fixed(python_exercise, fixed) == [True] * 4


@pytest.mark.parametrize("types", [("syntax",), ("syntax", "runtime"), ("syntax", "logic", "type")])
def test_each_bug_counts_when_its_own_tests_pass(python_exercise, submit, types):
    result = submit(_fixing(python_exercise, *types))
    assert _fixed_types(python_exercise, result) == set(types)
    assert result["bugs_fixed"] == len(types)


def test_fixing_semantic_bugs_without_the_syntax_bug_earns_nothing(python_exercise, submit):
    result = submit(_fixing(python_exercise, "logic", "runtime", "type"))
    assert result["report"]["load_error"] and result["bugs_fixed"] == 0


def test_a_correct_rewrite_fixes_a_bug_another_way(python_exercise, submit):
    rewrite = (
        "def average_line(amounts):\n"
        "    count = len(amounts)\n"
        "    return round(sum(amounts) / count, 2) if count else 0.0\n"
    )
    source = _replace_function(_fixing(python_exercise, "syntax"), "average_line", rewrite)
    assert _fixed_types(python_exercise, submit(source)) == {"syntax", "runtime"}


def test_deleting_the_body_earns_nothing(python_exercise, submit):
    gutted = _replace_function(_fixing(python_exercise, "syntax"), "average_line",
                               "def average_line(amounts):\n    return 0.0\n")
    assert submit(gutted)["bugs_fixed"] == 0  # its other tests broke: nothing counts
    functions = load_program("invoice_total").functions()
    everything_gone = "\n".join(f"def {f}(*args):\n    return None\n" for f in functions)
    assert submit(everything_gone)["bugs_fixed"] == 0


def test_breaking_something_that_worked_cancels_the_credit(python_exercise, submit):
    broken = _fixing(python_exercise, "syntax", "logic", "runtime", "type").replace(
        "return 15", "return 16")  # bulk_discount's fifty-item rule
    result = submit(broken)
    assert result["bugs_fixed"] == 0 and result["tests"]["passed"] < result["tests"]["total"]


def test_a_javascript_exercise_from_the_bank(local_backend):
    exercise = accepted("invoice_total", "javascript")[0]
    assert exercise.execute(local_backend, "submit", _original(exercise))["bugs_fixed"] == 4
    buggy = exercise.execute(local_backend, "submit", exercise.source)
    assert buggy["bugs_fixed"] == 0 and "SyntaxError" in buggy["report"]["load_error"]
    shown = [c["shown"]["call"] for c in exercise.execute(local_backend, "submit", _original(exercise))["report"]
             ["cases"] if "shown" in c]
    assert any(call.startswith("parseLine(") for call in shown)  # JavaScript names, JavaScript notation


def test_run_shows_the_interpreters_error_in_the_programs_file(local_backend, python_exercise):
    result = python_exercise.execute(local_backend, "run", python_exercise.source, "")
    assert result["kind"] == "run" and set(result) >= {"outcome", "program", "limit_seconds"}
    assert "SyntaxError" in result["program"]["stderr"] and "program.py" in result["program"]["stderr"]
    fixed = python_exercise.execute(local_backend, "run", _original(python_exercise) + "\nprint(bulk_discount(12))\n")
    assert fixed["program"]["stdout"].strip() == "10"
    with pytest.raises(ValueError):
        python_exercise.execute(local_backend, "debug", "")


# -- the manifest stays on the server ----------------------------------------------------------------------

def _manifest_secrets(exercise: Exercise) -> list[str]:
    secrets = [b.description for b in exercise.bugs]
    secrets += [b.original.strip() for b in exercise.bugs if b.original.strip() not in exercise.source]
    return secrets


def test_the_manifest_never_appears_in_a_student_view_or_a_result(local_backend, python_exercise, submit):
    state = start_state(python_exercise, 3)
    state, _ = take_hint(state, None, NOW)
    outputs = [
        student_view(state, None),
        student_view(state, [True, False, False, True]),
        python_exercise.execute(local_backend, "run", python_exercise.source),
        submit(python_exercise.source),
        submit(_fixing(python_exercise, "syntax")),
        submit(_original(python_exercise)),
    ]
    for output in outputs:
        text = json.dumps(output)
        for secret in _manifest_secrets(python_exercise):
            assert secret not in text, secret
        for key in ("targets", "bugs", "manifest", "edit", "description", "injected", "original", "type"):
            assert f'"{key}"' not in text, key
    hidden = [t for t in python_exercise.tests if t.hidden]
    result_text = json.dumps(submit(_fixing(python_exercise, "syntax")))
    for test in hidden:  # hidden tests travel by position, never by name, arguments or expected value
        assert test.name not in result_text


def test_the_student_view_shows_the_page_and_nothing_more(python_exercise):
    view = student_view(start_state(python_exercise, 2), None)
    assert view["source"] == python_exercise.source and view["file_name"] == "program.py"
    assert view["language_name"] == "Python" and view["bug_count"] == 4
    visible = [t for t in python_exercise.tests if not t.hidden]
    assert [t["name"] for t in view["tests"]] == [t.name for t in visible]
    assert view["tests"][0] == {"name": visible[0].name, "call": "parse_line('bread;2;3.50')",
                                "expected": "['bread', 2, 7.0]"}
    assert view["hidden_tests"] == len(python_exercise.tests) - len(visible)
    assert view["hints"] == [] and view["hints_left"] == 2


# -- hints ----------------------------------------------------------------------------------------------------

def test_a_hint_reveals_the_lowest_unfixed_unhinted_line(python_exercise):
    lines = [b.line for b in python_exercise.bugs]
    state = start_state(python_exercise, 3)
    fixed = [True, False, False, False]  # the first bug is fixed already: skip it
    state2, hint = take_hint(state, fixed, NOW)
    assert hint == {"number": 1, "line": lines[1], "taken_at": NOW}
    assert state["hints"] == [] and len(state2["hints"]) == 1  # the input is untouched
    state3, hint2 = take_hint(state2, fixed, NOW)
    assert hint2["line"] == lines[2] and hint2["number"] == 2
    view = student_view(state3, fixed)
    assert [h["line"] for h in view["hints"]] == [lines[1], lines[2]] and view["hints_left"] == 1
    state4, _ = take_hint(state3, fixed, NOW)
    with pytest.raises(NoHintLeft, match="used all 3"):
        take_hint(state4, None, NOW)


def test_no_hint_when_there_is_nothing_to_hint(python_exercise):
    with pytest.raises(NoHintLeft, match="no hints"):
        take_hint(start_state(python_exercise, 0), None, NOW)
    with pytest.raises(NoHintLeft, match="fixed every bug"):
        take_hint(start_state(python_exercise, 3), [True] * 4, NOW)
    state, _ = take_hint(start_state(python_exercise, 4), [True, True, True, False], NOW)
    with pytest.raises(NoHintLeft, match="already has a hint"):
        take_hint(state, [True, True, True, False], NOW)
    assert student_view(state, [True, True, True, False])["hints_left"] == 0


def test_hints_allowed_are_clamped_and_state_round_trips(python_exercise):
    assert start_state(python_exercise, 9)["hints_allowed"] == 4
    assert start_state(python_exercise, -1)["hints_allowed"] == 0
    state = json.loads(json.dumps(start_state(python_exercise, 3)))
    assert exercise_of(state) == python_exercise
    with pytest.raises(ValueError):
        exercise_of({"version": 99})


# -- scoring --------------------------------------------------------------------------------------------------

def _result(exercise: Exercise, fixed_types: set[str], load_error: bool = False) -> dict:
    """A stored Submit result in which the tests of every bug not in ``fixed_types`` fail."""
    failing = {n for b in exercise.bugs if b.type not in fixed_types for n in b.targets}
    cases = [{"name": exercise.shown_name(t), "hidden": t.hidden, "passed": t.name not in failing}
             for t in exercise.tests]
    loads = "syntax" in fixed_types and not load_error
    return {"kind": "submit", "report": {"load_error": None if loads else "SyntaxError", "cases": cases}}


def _submits(exercise: Exercise, *fixed: set[str]) -> list[dict]:
    return [{"id": 100 + i, "source": f"# submit {i}\n", "result": _result(exercise, f)} for i, f in enumerate(fixed)]


ALL = {"syntax", "logic", "runtime", "type"}


@pytest.mark.parametrize(("fixed", "hints", "score"), [
    ([ALL], 0, 100.0),  # 100 + 10, clamped
    ([ALL], 1, 100.0),  # 100 + 10 - 10
    ([ALL], 2, 90.0),
    ([{"syntax", "logic", "runtime"}], 1, 65.0),
    ([{"syntax", "logic"}], 0, 50.0),
    ([set()], 3, 0.0),  # clamped at 0
    ([set(), {"syntax"}, {"syntax", "logic"}, ALL], 1, 90.0),  # all four only on the fourth Submit: no bonus
    ([set(), ALL], 1, 100.0),
    ([], 0, 0.0),
])
def test_the_seed_rubric(python_exercise, fixed, hints, score):
    state = start_state(python_exercise, 4)
    for _ in range(hints):
        state, _ = take_hint(state, None, NOW)
    result, inputs, feedback = grade(state, _submits(python_exercise, *fixed))
    assert result.score == score, result.items
    assert [i.item for i in result.items] == ["bugs_fixed", "hints", "all_fixed_bonus"]
    assert inputs["hints"] == hints and feedback["hints_used"] == hints and feedback["bug_count"] == 4
    assert grade(json.loads(json.dumps(state)), _submits(python_exercise, *fixed))[0] == result  # reproducible


def test_the_submission_policy_picks_the_submit_that_counts(python_exercise):
    state = start_state(python_exercise, 3)
    submits = _submits(python_exercise, {"syntax", "logic", "runtime"}, {"syntax"}, {"syntax", "logic", "runtime"})
    best, inputs, _ = grade(state, submits, policy="best")
    assert best.score == 75.0 and inputs["submission_id"] == 100  # ties go to the earlier
    latest, inputs, _ = grade(state, submits, policy="latest")
    assert latest.score == 75.0 and inputs["submission_id"] == 102
    latest, _, _ = grade(state, submits[:2], policy="latest")
    assert latest.score == 25.0
    assert grade(state, submits[:2])[0].score == 25.0  # latest by default


def test_evidence_names_each_bug_in_words(python_exercise):
    state, _ = take_hint(start_state(python_exercise, 3), None, NOW)
    result, _, _ = grade(state, _submits(python_exercise, {"syntax", "type"}))
    bugs_item = result.items[0]
    assert bugs_item.points == 50 and bugs_item.max_points == 100
    syntax_line = next(b.line for b in python_exercise.bugs if b.type == "syntax")
    assert f"the syntax bug on line {syntax_line}" in bugs_item.evidence and "Not fixed" in bugs_item.evidence
    assert result.items[1].points == -10 and "1 hint taken" in result.items[1].evidence


def test_the_report_card_and_the_instructor_view(python_exercise):
    state, _ = take_hint(start_state(python_exercise, 3), None, NOW)
    submits = _submits(python_exercise, {"syntax"}, {"syntax", "runtime"})
    submits[1]["source"] = _fixing(python_exercise, "syntax", "runtime")
    card = report(state, submits)
    assert [b["type"] for b in card] == _order(python_exercise)
    assert [b["line"] for b in card] == [b.line for b in python_exercise.bugs]
    assert {b["type"] for b in card if b["fixed"]} == {"syntax", "runtime"}
    assert [b["hinted"] for b in card] == [True, False, False, False]  # the lowest line was hinted
    view = instructor_view(state, submits)
    assert [b["type"] for b in view["bugs"]] == _order(python_exercise)
    assert all(b["original"] and "description" in b for b in view["bugs"])
    second = view["submissions"][1]
    assert second["counts"] and second["bugs_fixed"] == 2 and second["diff"].startswith("--- program.py (as given)")
    assert "+    if not amounts:" in second["diff"]
    assert view["hints"] == [{"number": 1, "bug": 1, "line": python_exercise.bugs[0].line, "taken_at": NOW}]
    assert view["counting_submission"] == 101


def test_a_result_without_a_test_run_fixes_nothing(python_exercise):
    for result in (None, {}, {"kind": "submit", "outcome": "refused", "error": "too large"},
                   {"report": {"load_error": None, "cases": "nonsense"}}):
        assert bugs_fixed(python_exercise, result) == [False] * 4
