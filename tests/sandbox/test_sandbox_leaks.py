"""A Submit tells nothing about a hidden case but pass/fail and a fixed category, whatever the student's code
does to the harness it shares a process with; and nothing it writes on the result channel can break the
grader or the report's JSON."""

from __future__ import annotations

import json

import pytest
from sandbox_hostile_programs import CHANNEL_WRITER, EXFILTRATE, HOSTILE_RECORDS

from grader.sandbox import Limits, TestCase, run_tests
from grader.sandbox.harness import HIDDEN_MESSAGES, CaseResult, TestReport

# Two hidden input columns. Each attack's category is the same for both (it fails every case alike); its
# choice of exception, exit status or signal (input % 4, % 100) differs between them.
HIDDEN_A = (918273645, 271828183)
HIDDEN_B = (123456790, 314159266)


def _cases(hidden: tuple[int, int]) -> list[TestCase]:
    return [
        TestCase([1, 2], 3, name="example"),
        TestCase([hidden[0], 5], hidden[0] + 5, hidden=True, name="hidden test 1"),
        TestCase([hidden[1], 6], hidden[1] + 6, hidden=True, name="hidden test 2"),
    ]


def _limits(language: str) -> Limits:
    return Limits(wall_seconds=15.0 if language == "java" else 5.0)


def _hidden_view(report: TestReport) -> dict:
    """Everything the report says about the hidden cases."""
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    return {
        "cases": [c for c in data["cases"] if c["hidden"]],
        "runs": [r for r in data["runs"] if r["phase"] == "hidden"],
        "outcome": report.outcome,
    }


ATTACKS = [(attack, language) for attack, by_language in EXFILTRATE.items() for language in by_language]


@pytest.mark.parametrize(("attack", "language"), ATTACKS, ids=[f"{a}-{lang}" for a, lang in ATTACKS])
def test_hidden_inputs_cannot_be_exfiltrated(backend, attack, language):
    source = EXFILTRATE[attack][language]
    first = run_tests(backend, language, source, "add", _cases(HIDDEN_A), limits=_limits(language))
    second = run_tests(backend, language, source, "add", _cases(HIDDEN_B), limits=_limits(language))
    for report, hidden in ((first, HIDDEN_A), (second, HIDDEN_B)):
        assert report.load_error is None, report.load_error
        text = json.dumps(report.to_dict(), allow_nan=False)
        for value in hidden:
            assert str(value) not in text, f"hidden input {value} is in the report: {text}"
        for case in _hidden_view(report)["cases"]:
            assert set(case) == {"name", "hidden", "passed", "status", "message"}, case
            assert case["message"] == HIDDEN_MESSAGES[case["status"]], case
            assert not case["passed"]
    # The report's hidden part is a function of pass/fail and the category alone: other inputs, same report.
    assert _hidden_view(first) == _hidden_view(second)


@pytest.mark.parametrize("record", sorted(HOSTILE_RECORDS))
def test_a_hostile_record_on_the_channel_is_the_students_failure(backend, record):
    """Deep, huge or malformed records written with the stolen nonce: the run's cases are invalid, grading
    goes on (no RecursionError) and the report stays strict JSON."""
    source = CHANNEL_WRITER.replace("{record}", HOSTILE_RECORDS[record])
    cases = [TestCase([1, 2], 3), TestCase([3, 4], 7), TestCase([5, 6], 11, hidden=True)]
    report = run_tests(backend, "python", source, "add", cases, limits=_limits("python"))
    assert [c.status for c in report.cases] == ["invalid", "invalid", "invalid"], report.to_dict()
    assert report.passed == 0
    text = json.dumps(report.to_dict(), allow_nan=False)
    assert len(text) < 10_000


NON_FINITE = {
    "python": "def f(x):\n    return [float('nan'), float('inf'), -float('inf'), x]\n",
    "javascript": "function f(x) { return [NaN, Infinity, -Infinity, x]; }\nmodule.exports = { f };\n",
    "java": (
        "public class Solution {\n"
        "  public static double[] f(long x) {\n"
        "    return new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, x};\n"
        "  }\n"
        "}\n"
    ),
}


@pytest.mark.parametrize("language", sorted(NON_FINITE))
def test_nan_and_infinity_compare_as_numbers_and_report_as_strict_json(backend, language):
    inf = float("inf")
    cases = [
        TestCase([1], [float("nan"), inf, -inf, 1], name="right"),
        TestCase([2], [0, 0, 0, 2], name="wrong"),
        TestCase([3], [float("nan"), inf, -inf, 3], hidden=True, name="hidden right"),
        TestCase([4], [float("nan"), inf, -inf, 5], hidden=True, name="hidden wrong"),
    ]
    report = run_tests(backend, language, NON_FINITE[language], "f", cases, limits=_limits(language))
    assert [c.status for c in report.cases] == ["passed", "wrong_answer", "passed", "wrong_answer"], report.to_dict()
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["cases"][1]["actual"] == ["NaN", "Infinity", "-Infinity", 2]
    assert data["cases"][0]["expected"] == ["NaN", "Infinity", "-Infinity", 1]


def test_forged_non_finite_fields_still_give_strict_json(backend):
    """A record forged with NaN/Infinity in every numeric field (value, time) cannot break the report."""
    source = CHANNEL_WRITER.replace(
        "{record}", "'{\"i\": 0, \"status\": \"returned\", \"value\": NaN, \"seconds\": Infinity}'"
    ).replace("    return a + b\n", "    os._exit(0)\n")
    report = run_tests(backend, "python", source, "add", [TestCase([1, 2], 3)], limits=_limits("python"))
    assert report.cases[0].status == "wrong_answer", report.to_dict()
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["cases"][0]["actual"] == "NaN" and data["cases"][0]["seconds"] is None


def test_a_hidden_case_carries_only_its_category_whatever_it_was_built_with():
    case = CaseResult("hidden test 1", True, False, "error", "raised Leak918273645Error", seconds=918273645.0,
                      args=[918273645], expected=1, actual=2, output="918273645", trace="918273645")
    assert case.to_dict() == {"name": "hidden test 1", "hidden": True, "passed": False, "status": "error",
                              "message": HIDDEN_MESSAGES["error"]}
    report = TestReport("python", cases=[case])
    assert "918273645" not in json.dumps(report.to_dict(), allow_nan=False)


LINE_SEPARATORS = {
    "python": "def f(s):\n    return s + '\\u2028\\u0085\\x1c'\n",
    "javascript": "function f(s) { return s + '\\u2028\\u0085\\x1c'; }\nmodule.exports = { f };\n",
    "java": ("public class Solution {\n"
             "  public static String f(String s) { return s + \"\\u2028\\u0085\\u001c\"; }\n}\n"),
}


@pytest.mark.parametrize("language", sorted(LINE_SEPARATORS))
def test_records_carrying_unicode_line_separators_are_read_whole(backend, language):
    """Node and Java write U+2028 and U+0085 unescaped; the channel is split on newlines only."""
    cases = [TestCase(["x"], "x\u2028\u0085\x1c"), TestCase(["y"], "y\u2028\u0085\x1c", hidden=True)]
    report = run_tests(backend, language, LINE_SEPARATORS[language], "f", cases, limits=_limits(language))
    assert [c.status for c in report.cases] == ["passed", "passed"], report.to_dict()
