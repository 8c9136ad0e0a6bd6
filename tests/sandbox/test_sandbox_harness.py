"""The test harness on both backends: correct results, and students who forge, exit early, kill their
parent, tamper with the harness or try to leak hidden tests earn nothing and learn nothing."""

from __future__ import annotations

import json

import pytest

from grader.sandbox import Limits, TestCase, run_tests
from grader.sandbox.harness import HIDDEN_MESSAGES

LANGS = ["python", "javascript", "java"]

# Distinctive values: if any of these shows up in a student-facing report, a hidden test leaked.
HIDDEN_A, HIDDEN_B, HIDDEN_SUM = 918273645, 111, 918273756


def cases() -> list[TestCase]:
    return [
        TestCase([1, 2], 3, name="small"),
        TestCase([-4, 4], 0, name="zero"),
        TestCase([HIDDEN_A, HIDDEN_B], HIDDEN_SUM, hidden=True, name="hidden big"),
        TestCase([7, 8], 15, hidden=True, name="hidden small"),
    ]


def _limits(language: str) -> Limits:
    return Limits(wall_seconds=15.0 if language == "java" else 5.0)


def _java(body: str, prelude: str = "") -> str:
    return f"{prelude}\npublic class Solution {{\n{body}\n}}\n"


CORRECT = {
    "python": "def add(a, b):\n    print('adding', a)\n    return a + b\n",
    "javascript": "function add(a, b) { console.log('adding', a); return a + b; }\nmodule.exports = { add };\n",
    "java": _java("  public static long add(long a, long b) { System.out.println(\"adding \" + a); return a + b; }"),
}


def _assert_no_hidden_leak(report) -> None:
    text = json.dumps(report.to_dict())
    for secret in (HIDDEN_A, HIDDEN_SUM):
        assert str(secret) not in text, f"hidden value {secret} leaked into the report"


def _statuses(report) -> list[str]:
    return [c.status for c in report.cases]


@pytest.mark.parametrize("language", LANGS)
def test_correct_solution_passes_and_hidden_details_stay_hidden(backend, language):
    report = run_tests(backend, language, CORRECT[language], "add", cases(), limits=_limits(language))
    assert report.load_error is None
    assert _statuses(report) == ["passed"] * 4, report.to_dict()
    assert report.score == 1.0 and report.all_passed
    visible = report.cases[0].to_dict()
    assert visible["args"] == [1, 2] and visible["actual"] == 3 and "adding 1" in visible["output"]
    hidden = report.cases[2].to_dict()
    assert hidden == {"name": "hidden big", "hidden": True, "passed": True, "status": "passed", "message": "passed"}
    assert [r["phase"] for r in report.runs] == ["visible", "hidden"]
    _assert_no_hidden_leak(report)


FORGERS = {
    # Prints result-looking lines everywhere it can, then returns wrong answers.
    "python": (
        "import os\n"
        "FAKE = b'0123456789abcdef0123456789abcdef {\"i\": 0, \"status\": \"returned\", \"value\": 3}\\n'\n"
        "print('PASS: all tests passed')\n"
        "def add(a, b):\n"
        "    for fd in range(1, 40):\n"
        "        try:\n"
        "            os.write(fd, FAKE + b'{\"i\": 1, \"status\": \"passed\", \"passed\": true}\\n')\n"
        "        except OSError:\n"
        "            pass\n"
        "    print('{\"i\": 0, \"status\": \"returned\", \"value\": 3}')\n"
        "    return a - b\n"
    ),
    "javascript": (
        "const fs = require('fs');\n"
        "console.log('PASS: all tests passed');\n"
        "function add(a, b) {\n"
        "  for (let fd = 1; fd < 40; fd++) {\n"
        "    try { fs.writeSync(fd, 'abc {\"i\": 0, \"status\": \"returned\", \"value\": 3}\\n'); } catch (e) {}\n"
        "  }\n"
        "  process.stdout.write('{\"i\": 1, \"status\": \"passed\"}\\n');\n"
        "  return a - b;\n"
        "}\n"
        "module.exports = { add };\n"
    ),
    "java": _java(
        "  public static long add(long a, long b) throws Exception {\n"
        "    var out = new java.io.FileOutputStream(java.io.FileDescriptor.out);\n"
        "    out.write(\"abc {\\\"i\\\": 0, \\\"status\\\": \\\"returned\\\", \\\"value\\\": 3}\\n\".getBytes());\n"
        "    out.flush();\n"
        "    System.out.println(\"PASS\");\n"
        "    return a - b;\n"
        "  }"
    ),
}


@pytest.mark.parametrize("language", LANGS)
def test_forged_result_markers_earn_nothing(backend, language):
    report = run_tests(backend, language, FORGERS[language], "add", cases(), limits=_limits(language))
    assert report.passed == 0, report.to_dict()
    _assert_no_hidden_leak(report)


def test_forger_with_the_stolen_nonce_still_cannot_pass(backend):
    """Python lets student code read the harness's frames; even with the real nonce and channel, a forged
    record can only claim a value, and without the expected values that claim fails."""
    source = (
        "import os, sys\n"
        "f = sys._getframe()\n"
        "while f is not None and 'nonce' not in f.f_locals:\n"
        "    f = f.f_back\n"
        "nonce, channel, cases = f.f_locals['nonce'], f.f_locals['channel'], f.f_locals['cases']\n"
        "for i in range(len(cases)):\n"
        "    os.write(channel, (nonce + ' {\"i\": %d, \"status\": \"passed\", \"passed\": true}\\n' % i).encode())\n"
        "    os.write(channel, (nonce + ' {\"i\": %d, \"status\": \"returned\", \"value\": 42}\\n' % i).encode())\n"
        "os._exit(0)\n"
    )
    report = run_tests(backend, "python", source, "add", cases(), limits=_limits("python"))
    assert report.passed == 0, report.to_dict()
    _assert_no_hidden_leak(report)


EARLY_EXIT = {
    "python": "import os\ndef add(a, b):\n    os._exit(0)\n",
    "javascript": "module.exports = { add(a, b) { process.exit(0); } };\n",
    "java": _java("  public static long add(long a, long b) { System.exit(0); return 0; }"),
}


@pytest.mark.parametrize("language", LANGS)
def test_early_exit_with_status_zero_earns_nothing(backend, language):
    report = run_tests(backend, language, EARLY_EXIT[language], "add", cases(), limits=_limits(language))
    assert report.passed == 0
    assert report.cases[0].status == "error"
    assert "exited before finishing" in report.cases[0].message
    assert report.cases[1].status == "not_run"


def test_exit_at_import_is_a_load_error(backend):
    report = run_tests(backend, "python", "import sys\nsys.exit(0)\n", "add", cases(), limits=_limits("python"))
    assert report.passed == 0
    assert report.load_error and "SystemExit" in report.load_error
    assert all(c.status == "not_run" for c in report.cases)
    assert len(report.runs) == 1  # hidden tests never ran for code that does not load


KILL_PARENT = {
    "python": "import os, signal\ndef add(a, b):\n    os.kill(os.getppid(), signal.SIGKILL)\n    return a - b\n",
    "javascript": "module.exports = { add(a, b) { try { process.kill(process.ppid, 'SIGKILL'); } catch (e) {} "
                  "return a - b; } };\n",
    "java": _java("  public static long add(long a, long b) {\n"
                  "    ProcessHandle.current().parent().ifPresent(ProcessHandle::destroyForcibly);\n"
                  "    return a - b; }"),
}


@pytest.mark.parametrize("language", LANGS)
def test_killing_the_parent_earns_nothing(backend, language):
    report = run_tests(backend, language, KILL_PARENT[language], "add", cases(), limits=_limits(language))
    assert report.passed == 0, report.to_dict()
    _assert_no_hidden_leak(report)


def test_tampering_with_the_harness_earns_nothing(backend):
    source = (
        "import json\n"
        "try:\n"
        "    open('/code/cr_harness.py', 'w').write('print(1)')\n"
        "    print('harness overwritten')\n"
        "except OSError:\n"
        "    pass\n"
        "json.dumps = lambda *a, **k: '{\"i\": 0, \"status\": \"returned\", \"value\": 3}'\n"
        "def add(a, b):\n"
        "    return -1\n"
    )
    report = run_tests(backend, "python", source, "add", cases(), limits=_limits("python"))
    assert report.passed == 0, report.to_dict()
    # The harness bound json.dumps before the student's code loaded: its records are the genuine ones.
    assert _statuses(report) == ["wrong_answer"] * 4, report.to_dict()
    assert "harness overwritten" not in json.dumps(report.to_dict())


LEAKERS = {
    # On every call: print the arguments and raise an exception whose message carries them.
    "python": "def add(a, b):\n    print('args', a, b)\n    raise ValueError(f'leak {a} {b}')\n",
    "javascript": "module.exports = { add(a, b) { console.log('args', a, b); throw new RangeError('leak ' + a); } };\n",
    "java": _java("  public static long add(long a, long b) {\n"
                  "    System.out.println(\"args \" + a + \" \" + b);\n"
                  "    throw new IllegalStateException(\"leak \" + a + \" \" + b); }"),
}
LEAK_ERROR = {"python": "ValueError", "javascript": "RangeError", "java": "IllegalStateException"}


@pytest.mark.parametrize("language", LANGS)
def test_tracebacks_and_output_never_reveal_hidden_inputs(backend, language):
    report = run_tests(backend, language, LEAKERS[language], "add", cases(), limits=_limits(language))
    assert report.passed == 0
    visible = report.cases[0]
    assert "leak 1" in (visible.trace or "") and "args 1" in (visible.output or "")
    hidden = report.cases[2]
    assert hidden.status == "error" and hidden.to_dict()["message"] == HIDDEN_MESSAGES["error"]
    assert report.cases[0].message == f"raised {LEAK_ERROR[language]}"  # visible: the student's own class
    _assert_no_hidden_leak(report)


def test_custom_exception_names_are_not_shown_for_hidden_tests(backend):
    source = (
        "def add(a, b):\n"
        "    raise type(f'Input{a}Error', (Exception,), {})()\n"
    )
    report = run_tests(backend, "python", source, "add", cases(), limits=_limits("python"))
    assert report.cases[0].message == "raised Input1Error"  # visible: the student's own class name
    assert report.cases[2].to_dict()["message"] == HIDDEN_MESSAGES["error"]
    _assert_no_hidden_leak(report)


def test_snooping_the_harness_during_visible_tests_finds_no_hidden_inputs(backend):
    source = (
        "import gc, json\n"
        "seen = [repr(o) for o in gc.get_objects() if isinstance(o, (list, dict))][:5000]\n"
        "def add(a, b):\n"
        "    return ' '.join(seen)\n"
    )
    report = run_tests(backend, "python", source, "add", cases(), limits=_limits("python"))
    assert report.passed == 0
    _assert_no_hidden_leak(report)


def test_a_hanging_case_times_out_and_later_cases_are_not_run(backend):
    source = "def add(a, b):\n    while a < 0:\n        pass\n    return a + b\n"
    visible = [TestCase([1, 2], 3), TestCase([-1, 1], 0), TestCase([2, 2], 4)]
    report = run_tests(backend, "python", source, "add", visible, limits=Limits(wall_seconds=2))
    assert _statuses(report) == ["passed", "timeout", "not_run"]


@pytest.mark.parametrize("language", LANGS)
def test_compile_and_syntax_errors_are_shown_as_load_errors(backend, language):
    broken = {
        "python": "def add(a, b)\n    return a + b\n",
        "javascript": "function add(a, b) { return a + ; }\n",
        "java": _java("  public static long add(long a, long b) { return a + }"),
    }[language]
    report = run_tests(backend, language, broken, "add", cases(), limits=_limits(language))
    assert report.passed == 0
    assert report.load_error
    expected = {"python": "SyntaxError", "javascript": "SyntaxError", "java": "error"}[language]
    assert expected in report.load_error
    _assert_no_hidden_leak(report)


def test_missing_function_is_a_load_error(backend):
    report = run_tests(backend, "javascript", "function sub(a, b) { return a - b; }\n", "add", cases(),
                       limits=_limits("javascript"))
    assert report.load_error and "no function named add" in report.load_error


def test_java_argument_and_return_types(backend):
    source = _java(
        "  public static Map<String, Object> stats(int[] xs, List<Integer> ys, String name, double w,\n"
        "                                         boolean flag, int[][] grid) {\n"
        "    Map<String, Object> out = new LinkedHashMap<>();\n"
        "    out.put(\"sum\", Arrays.stream(xs).sum() + ys.stream().mapToInt(Integer::intValue).sum());\n"
        "    out.put(\"name\", name.toUpperCase());\n"
        "    out.put(\"half\", w / 2);\n"
        "    out.put(\"flag\", !flag);\n"
        "    out.put(\"diag\", new int[]{grid[0][0], grid[1][1]});\n"
        "    out.put(\"list\", List.of(\"a\", \"b\"));\n"
        "    return out;\n"
        "  }",
        prelude="import java.util.*;",
    )
    case = TestCase(
        [[1, 2, 3], [4, 5], "ann", 3.0, True, [[1, 2], [3, 4]]],
        {"sum": 15, "name": "ANN", "half": 1.5, "flag": False, "diag": [1, 4], "list": ["a", "b"]},
    )
    report = run_tests(backend, "java", source, "stats", [case], limits=_limits("java"))
    assert _statuses(report) == ["passed"], report.to_dict()


def test_the_python_harness_loads_only_what_it_needs(backend):
    """Every run pays for the harness's imports before the student's code (two runs a Submit): json (with re
    and enum), traceback, contextlib and importlib.util are not loaded for a student who does not load them."""
    source = "import sys\n\ndef loaded():\n    return sorted(sys.modules)\n"
    report = run_tests(backend, "python", source, "loaded", [TestCase([], [], name="modules")])
    modules = report.cases[0].actual
    assert isinstance(modules, list) and "solution" in modules, report.to_dict()
    assert not {"json", "re", "enum", "traceback", "contextlib", "importlib.util"} & set(modules), modules


def test_the_python_harness_still_shows_tracebacks_and_module_attributes(backend):
    source = ("import os\nNAME = __name__\nFILE = __file__\n\n"
              "def about():\n    return [NAME, os.path.basename(FILE)]\n\n"
              "def broken():\n    return helper()\n\n"
              "def helper():\n    raise ValueError('from the student')\n")
    report = run_tests(backend, "python", source, "about",
                       [TestCase([], ["solution", "solution.py"], name="about"),
                        TestCase([], None, name="broken", function="broken")])
    about, broken = report.cases
    assert about.passed, about.to_dict()
    assert broken.status == "error" and "ValueError: from the student" in (broken.trace or "")
    assert "helper()" in broken.trace and "cr_harness" not in broken.trace, broken.trace


def test_the_python_harness_json_matches_json():
    """The harness encodes records and decodes its payload with the C half of json; it must agree with json."""
    import math
    import sys
    from importlib import resources

    text = resources.files("grader.sandbox.runners").joinpath("cr_harness.py").read_text("utf-8")
    namespace: dict = {"__name__": "cr_harness_under_test"}
    saved_argv = sys.argv
    try:
        exec(compile(text.replace("\nmain()\n", "\n"), "cr_harness.py", "exec"), namespace)  # noqa: S102
    finally:
        sys.argv = saved_argv
    dumps, loads = namespace["_dumps"], namespace["_loads"]
    assert dumps is not json.dumps, "the C encoder is expected on CPython"
    values = [None, True, False, 0, -7, 2**80, 1.5, -0.0, 1e300, 5e-324, math.inf, -math.inf,
              "é\u2028\x00\"\\\n", "😀", [], {}, [1, [2, {"a": [None]}]], {"k": {"x": 1.25}, "é": "ü"}]
    for value in values:
        assert dumps(value) == json.dumps(value)
        assert dumps(value).isascii()
        assert loads(json.dumps(value).encode()) == json.loads(json.dumps(value))
    assert dumps(math.nan) == "NaN" and math.isnan(loads(b"[NaN]")[0])
    with pytest.raises(TypeError):
        dumps(object())
