"""Per-case functions: one run tests several functions of a program (the Bug Hunt's programs), each case
calling its own. A missing function fails only its own cases, names are checked before anything runs,
Java refuses, and hidden cases still reveal nothing."""

from __future__ import annotations

import json

import pytest

from grader.sandbox import InvalidRequest, Limits, TestCase, run_examples, run_tests
from grader.sandbox.harness import HIDDEN_MESSAGES

LANGS = ["python", "javascript"]
SECRET_ARG, SECRET_RESULT = 73519846, 147039692

PROGRAMS = {
    "python": (
        "def double(x):\n"
        "    print('doubling', x)\n"
        "    return x * 2\n"
        "\n"
        "def shout(word):\n"
        "    return word.upper() + '!'\n"
        "\n"
        "def _helper(x):\n"
        "    return x\n"
    ),
    "javascript": (
        "function double(x) { console.log('doubling', x); return x * 2; }\n"
        "function shout(word) { return word.toUpperCase() + '!'; }\n"
        "function notExported(x) { return x + 1; }\n"
        "module.exports = { double, shout };\n"
    ),
}


def _cases() -> list[TestCase]:
    return [
        TestCase([2], 4, name="doubles two", function="double"),
        TestCase(["hi"], "HI!", name="shouts", function="shout"),
        TestCase([SECRET_ARG], SECRET_RESULT, hidden=True, name="hidden double", function="double"),
        TestCase(["x"], "X!", hidden=True, name="hidden shout", function="shout"),
    ]


def _limits() -> Limits:
    return Limits(wall_seconds=5.0)


@pytest.mark.parametrize("language", LANGS)
def test_each_case_calls_its_own_function(backend, language):
    report = run_tests(backend, language, PROGRAMS[language], None, _cases(), limits=_limits())
    assert report.load_error is None
    assert [c.status for c in report.cases] == ["passed"] * 4, report.to_dict()
    assert "doubling 2" in (report.cases[0].output or "")
    assert report.cases[2].to_dict() == {"name": "hidden double", "hidden": True, "passed": True,
                                         "status": "passed", "message": "passed"}


@pytest.mark.parametrize("language", LANGS)
def test_a_default_function_and_per_case_functions_mix(backend, language):
    cases = [TestCase([3], 6, name="default"), TestCase(["a"], "A!", name="own", function="shout")]
    report = run_tests(backend, language, PROGRAMS[language], "double", cases, limits=_limits())
    assert [c.status for c in report.cases] == ["passed", "passed"], report.to_dict()


def test_an_unexported_javascript_function_is_found(backend):
    cases = [TestCase([1], 2, function="notExported"), TestCase([1], 2, function="double")]
    report = run_tests(backend, "javascript", PROGRAMS["javascript"], None, cases, limits=_limits())
    assert [c.status for c in report.cases] == ["passed", "passed"], report.to_dict()


@pytest.mark.parametrize("language", LANGS)
def test_a_missing_function_fails_only_its_own_cases(backend, language):
    cases = [TestCase([2], 4, name="exists", function="double"),
             TestCase([2], 4, name="missing", function="triple"),
             TestCase([2], 4, hidden=True, name="hidden missing", function="triple")]
    report = run_tests(backend, language, PROGRAMS[language], None, cases, limits=_limits())
    assert report.load_error is None
    assert [c.status for c in report.cases] == ["passed", "error", "error"], report.to_dict()
    missing = report.cases[1]
    expected_error = {"python": "AttributeError", "javascript": "ReferenceError"}[language]
    assert missing.message == f"raised {expected_error}" and "triple" in (missing.trace or "")
    assert report.cases[2].to_dict()["message"] == HIDDEN_MESSAGES["error"]


@pytest.mark.parametrize("language", LANGS)
def test_without_a_default_function_nothing_is_checked_at_load(backend, language):
    # "-" travels as the function name: it must not be looked up, and a student cannot name a function "-".
    report = run_tests(backend, language, PROGRAMS[language], None, [TestCase(["a"], "A!", function="shout")],
                       limits=_limits())
    assert report.load_error is None and report.all_passed


@pytest.mark.parametrize("language", LANGS)
def test_a_missing_default_function_is_still_a_load_error(backend, language):
    report = run_tests(backend, language, PROGRAMS[language], "triple",
                       [TestCase([1], 2, function="double")], limits=_limits())
    assert report.load_error and "triple" in report.load_error


@pytest.mark.parametrize("name", ["not a name", "os.system", "x;rm", "", "a" * 200, "__import__('os')"])
def test_a_function_name_that_is_not_an_identifier_is_refused(name):
    with pytest.raises(InvalidRequest):
        TestCase([1], 2, function=name)
    with pytest.raises(InvalidRequest):
        TestCase.from_dict({"args": [1], "expected": 2, "function": name})


def test_no_function_name_needs_every_case_to_name_one(local_backend):
    cases = [TestCase([2], 4, function="double"), TestCase([2], 4)]
    with pytest.raises(InvalidRequest, match="every test case must name its function"):
        run_tests(local_backend, "python", PROGRAMS["python"], None, cases)


def test_java_refuses_per_case_functions(local_backend):
    source = "public class Solution { public static int f(int x) { return x; } }\n"
    with pytest.raises(InvalidRequest, match="Java"):
        run_tests(local_backend, "java", source, "f", [TestCase([1], 1, function="f")])
    with pytest.raises(InvalidRequest, match="Java"):
        run_tests(local_backend, "java", source, None, [TestCase([1], 1, function="f")])


def test_run_examples_takes_per_case_functions(local_backend):
    report = run_examples(local_backend, "python", PROGRAMS["python"], None,
                          [TestCase([5], 10, function="double")], limits=_limits())
    assert report.all_passed


LEAKERS = {
    "python": (
        "def double(x):\n"
        "    print('arg', x)\n"
        "    raise ValueError(f'leak {x}')\n"
        "\n"
        "def shout(word):\n"
        "    return word\n"
    ),
    "javascript": (
        "function double(x) { console.log('arg', x); throw new RangeError('leak ' + x); }\n"
        "function shout(word) { return word; }\n"
        "module.exports = { double, shout };\n"
    ),
}


@pytest.mark.parametrize("language", LANGS)
def test_hidden_cases_with_their_own_functions_reveal_nothing(backend, language):
    report = run_tests(backend, language, LEAKERS[language], None, _cases(), limits=_limits())
    assert report.passed == 0
    assert "leak 2" in (report.cases[0].trace or "")
    text = json.dumps(report.to_dict())
    for secret in (SECRET_ARG, SECRET_RESULT):
        assert str(secret) not in text
    hidden = [c.to_dict() for c in report.cases if c.hidden]
    assert hidden[0] == {"name": "hidden double", "hidden": True, "passed": False, "status": "error",
                         "message": HIDDEN_MESSAGES["error"]}
    assert hidden[1]["status"] == "wrong_answer"

