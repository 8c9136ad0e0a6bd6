"""Verification in the real sandbox (local bubblewrap): good exercises pass with the tests each bug breaks,
and every way an exercise can be wrong is caught with a sentence saying which bug and which test."""

from __future__ import annotations

from dataclasses import replace

from grader.phases.bug_hunt.edits import Candidate, Edit
from grader.phases.bug_hunt.injector import build, inject
from grader.phases.bug_hunt.programs import ProgramTest, load_program
from grader.phases.bug_hunt.verify import fits, json_kind, run, same_shape, verify
from grader.sandbox import CaseResult, RunResult
from tests.phases.bug_hunt.conftest import PROGRAM, PYTHON_BUGS, pick_candidates


def _program():
    return load_program(PROGRAM)


def _edit_in(source: str, function: str, old: str, new: str) -> Edit:
    start = source.index(old, source.index(f"def {function}("))
    return Edit(start, start + len(old), new)


def _with(bug_type: str, candidate: Candidate) -> list[Candidate]:
    """PYTHON_BUGS with one of them replaced."""
    chosen = pick_candidates("python", {t: w for t, w in PYTHON_BUGS.items() if t != bug_type})
    return [*chosen, candidate]


def test_a_good_python_exercise_is_accepted_with_its_targets(local_backend, python_exercise):
    by_type = {b.type: b for b in python_exercise.bugs}
    assert by_type["syntax"].targets == ()
    assert by_type["runtime"].targets == ("an empty invoice averages zero",)
    assert by_type["logic"].targets == ("the earlier line wins a tie",)
    assert set(by_type["type"].targets) >= {"shows euros with two decimals", "pads single-digit cents"}
    program = _program()
    for bug in python_exercise.bugs:
        assert all(t.call == bug.function for t in program.tests if t.name in bug.targets)


def test_seeded_exercises_in_both_languages_are_accepted(local_backend, acorn):
    program = _program()
    for language in ("python", "javascript"):
        verdict = verify(local_backend, program, inject(program, language, 0))
        assert verdict.accepted, verdict.reason
        assert all(b.targets for b in verdict.exercise.bugs if b.type != "syntax")


def test_a_javascript_type_bug_may_return_the_wrong_json_type(local_backend, acorn):
    chosen = pick_candidates("javascript", {
        "syntax": ("bulk_discount", "dropped the `(` after `if`"),
        "logic": ("invoice_total", "`+=` became `-=`"),
        "runtime": ("largest_line", "removed the check"),
        "type": ("parse_line", "`parseInt(...)` conversion"),
    })
    verdict = verify(local_backend, _program(), build(_program(), "javascript", 0, chosen))
    assert verdict.accepted, verdict.reason
    type_bug = next(b for b in verdict.exercise.bugs if b.type == "type")
    assert "reads the name, quantity and amount of a line" in type_bug.targets  # ["bread", "2", 7]


def test_a_bug_no_test_notices_is_rejected(local_backend):
    source = _program().source("python")
    silent = Candidate("logic", "line_amount", _edit_in(source, "line_amount", "quantity * unit_price",
                                                        "unit_price * quantity"), "swapped factors")
    verdict = verify(local_backend, _program(), build(_program(), "python", 0, _with("logic", silent)))
    assert not verdict.accepted
    assert verdict.reason == "logic bug in line_amount (swapped factors): no test fails"


def test_a_bug_that_breaks_another_functions_tests_is_rejected(local_backend):
    source = _program().source("python")
    # Labelled as a bug in line_amount, but the edit is in invoice_total's body.
    stray = Candidate("logic", "line_amount", _edit_in(source, "invoice_total", "subtotal += amount",
                                                       "subtotal -= amount"), "misfiled")
    verdict = verify(local_backend, _program(), build(_program(), "python", 0, _with("logic", stray)))
    assert not verdict.accepted and "also fails tests of other functions" in verdict.reason
    assert "(invoice_total)" in verdict.reason


def test_a_bug_that_fails_in_the_wrong_category_is_rejected(local_backend):
    source = _program().source("python")
    edit = _edit_in(source, "parse_line", "int(fields[1])", "fields[1]")  # raises TypeError
    wrong = Candidate("runtime", "parse_line", edit, "called a TypeError a runtime bug")
    chosen = [c for c in _with("runtime", wrong) if c.function != "parse_line" or c is wrong]
    verdict = verify(local_backend, _program(), build(_program(), "python", 0, chosen))
    assert not verdict.accepted
    assert "should fail with an error other than TypeError but raised TypeError" in verdict.reason


def test_a_bug_only_hidden_tests_notice_is_rejected(local_backend):
    source = _program().source("python")
    edit = _edit_in(source, "largest_line", "range(1, len(lines))", "range(1, len(lines) - 1)")
    hidden_only = Candidate("logic", "largest_line", edit, "stops early")
    verdict = verify(local_backend, _program(), build(_program(), "python", 0, _with("logic", hidden_only)))
    assert not verdict.accepted and "only hidden tests fail" in verdict.reason


def test_a_syntax_bug_that_still_loads_is_rejected(local_backend):
    source = _program().source("python")
    harmless = Candidate("syntax", "bulk_discount", _edit_in(source, "bulk_discount", "return 0", "return 0 "),
                         "a trailing space")
    verdict = verify(local_backend, _program(), build(_program(), "python", 0, _with("syntax", harmless)))
    assert not verdict.accepted and "the program still loads with this bug alone" in verdict.reason


def test_a_syntax_error_reported_far_from_its_line_is_rejected(local_backend):
    source = _program().source("python")
    # An unterminated docstring: Python names the line where the next docstring starts, lines further on.
    doc_end = source.index('below that."""') + len("below that.")
    far = Candidate("syntax", "bulk_discount", Edit(doc_end, doc_end + 3, ""), "unterminated docstring")
    verdict = verify(local_backend, _program(), build(_program(), "python", 0, _with("syntax", far)))
    assert not verdict.accepted
    assert "the load error with this bug alone names line" in verdict.reason and "or the next" in verdict.reason


def test_an_original_that_fails_its_tests_is_rejected(local_backend):
    program = _program()
    tests = list(program.tests)
    tests[0] = ProgramTest(tests[0].name, tests[0].call, tests[0].args, ["bread", 2, 7.5], tests[0].hidden)
    broken = replace(program, tests=tuple(tests))
    verdict = verify(local_backend, broken, inject(broken, "python", 0))
    assert not verdict.accepted and "the original program fails 1 test(s)" in verdict.reason
    assert "reads the name, quantity and amount of a line" in verdict.reason


def test_an_exercise_from_another_version_of_the_program_is_rejected(local_backend, python_exercise):
    stale = replace(python_exercise, digest="0" * 64)
    verdict = verify(local_backend, _program(), stale)
    assert not verdict.accepted and "another version" in verdict.reason


def test_a_forged_source_is_rejected(local_backend, python_exercise):
    forged = replace(python_exercise, source=_program().source("python"))
    verdict = verify(local_backend, _program(), forged)
    assert not verdict.accepted and "not the program with its four edits" in verdict.reason


def _case(status: str, message: str, actual=None, expected=None) -> CaseResult:
    return CaseResult("t", False, False, status, message, actual=actual, expected=expected)


def test_categories_of_a_failing_test():
    assert fits("logic", "python", _case("wrong_answer", "wrong answer", 3.0, 4.0))
    assert not fits("logic", "python", _case("wrong_answer", "wrong answer", "3", 4.0))
    assert not fits("logic", "python", _case("wrong_answer", "wrong answer", ["a", "2"], ["a", 2]))
    assert fits("runtime", "python", _case("error", "raised ZeroDivisionError"))
    assert not fits("runtime", "python", _case("error", "raised TypeError"))
    assert fits("runtime", "javascript", _case("error", "raised TypeError"))
    assert fits("type", "python", _case("error", "raised TypeError"))
    assert not fits("type", "python", _case("wrong_answer", "wrong answer", "105", 15))
    assert fits("type", "javascript", _case("wrong_answer", "wrong answer", "105", 15))
    assert not fits("logic", "python", _case("timeout", "timed out"))
    assert json_kind(float("nan")) == json_kind("NaN") == "number" and json_kind(None) == "null"
    assert same_shape({"a": [1, "x"]}, {"a": [2, "y"]}) and not same_shape({"a": [1]}, {"a": ["1"]})


class _HiccupOnce:
    """A backend whose first run is killed before the harness starts (as a busy host sometimes does)."""

    name = "hiccup"

    def __init__(self, real) -> None:
        self.real, self.calls = real, 0

    def run(self, request):
        self.calls += 1
        if self.calls == 1:
            return RunResult(stdout="", stderr="", exit_code=None, signal=9, backend="hiccup")
        return self.real.run(request)


def test_a_run_killed_before_it_started_is_tried_again(local_backend):
    backend = _HiccupOnce(local_backend)
    report = run(backend, _program(), "python", _program().source("python"))
    assert backend.calls == 2 and report.all_passed
