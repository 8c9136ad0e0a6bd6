"""Verification in the sandbox: an exercise is served only if running it shows what the manifest claims.

For (program, language, seed), running the program's tests must give:
- the original: every test passes;
- each semantic bug alone: a non-empty set of failing tests T_b, all of them tests of the bug's own function,
  at least one of them visible (the student can see what fails), each failing in the bug's category;
- the syntax bug alone: a load error reported at the bug's line or the next one;
- the three semantic bugs together: exactly the union of the T_b, which are pairwise disjoint;
- all four: the same load error at the syntax bug's line (or the next).
The first check that fails rejects the seed with a sentence saying why (for whoever writes programs).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace

from grader.phases.bug_hunt.edits import apply, line_of, moved
from grader.phases.bug_hunt.exercise import Bug, Exercise
from grader.phases.bug_hunt.programs import Program, function_name
from grader.sandbox import CaseResult, Limits, SandboxBackend, TestCase, TestReport, run_tests

LIMITS = Limits(wall_seconds=5.0, cpu_seconds=5.0)
CATEGORY_WORDS = {"logic": "a wrong answer of the right type", "runtime": "an error other than TypeError",
                  "type": "a TypeError"}
JS_CATEGORY_WORDS = {"logic": "a wrong answer of the right type", "runtime": "an error",
                     "type": "a TypeError or a value of the wrong type"}


@dataclass(frozen=True)
class Verdict:
    exercise: Exercise  # with each bug's targets filled in when accepted
    accepted: bool
    reason: str = ""  # why not, in words


def json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        # NaN and infinities come back from the sandbox as these strings; they are still numbers
        return "number" if value in ("NaN", "Infinity", "-Infinity") else "string"
    return "list" if isinstance(value, list) else "object"


def same_shape(actual: object, expected: object) -> bool:
    """The same JSON type all the way down (a list holding "2" where 2 belongs is a different type)."""
    if json_kind(actual) != json_kind(expected):
        return False
    if isinstance(actual, list) and isinstance(expected, list) and len(actual) == len(expected):
        return all(same_shape(a, e) for a, e in zip(actual, expected, strict=True))
    if isinstance(actual, dict) and isinstance(expected, dict) and actual.keys() == expected.keys():
        return all(same_shape(actual[k], expected[k]) for k in expected)
    return True


def fits(bug_type: str, language: str, case: CaseResult) -> bool:
    """Whether a failing test fails the way a bug of ``bug_type`` should."""
    raised = case.status == "error" and case.message.startswith("raised ")
    error = case.message.removeprefix("raised ") if raised else ""
    wrong = case.status == "wrong_answer"
    same_kind = wrong and same_shape(case.actual, case.expected)
    if bug_type == "logic":
        return same_kind
    if bug_type == "runtime":
        return raised and (language == "javascript" or error not in ("TypeError", "MemoryError"))
    if bug_type == "type":
        return (raised and error == "TypeError") or (language == "javascript" and wrong and not same_kind)
    return False


def _cases(program: Program, language: str) -> list[TestCase]:
    # Every test visible: verification needs the details (values, exception names) a student never gets.
    return [TestCase(list(t.args), t.expected, name=t.name, function=function_name(t.call, language))
            for t in program.tests]


HOST_TRIES = 3


def run(backend: SandboxBackend, program: Program, language: str, source: str) -> TestReport:
    """The tests of ``program`` against ``source``. A run whose harness never started (killed before it said
    anything: a host hiccup, never something our programs or their bugs do) is tried again, so a verdict is
    about the program, not about the machine."""
    for _ in range(HOST_TRIES):
        report = run_tests(backend, language, source, None, _cases(program, language), limits=LIMITS,
                           student_file=program.file_name(language))
        if not _never_started(report):
            break
    return report


def _never_started(report: TestReport) -> bool:
    killed = bool(report.runs) and report.runs[0].get("outcome") == "signal"
    return (report.load_error or "").startswith("your code could not be started") or (
        killed and all(c.status == "not_run" for c in report.cases))


def load_error_line(report: TestReport, file_name: str) -> int | None:
    """The line a load error names in the student's file (Python: 'File ".../x.py", line 7'; Node: 'x.js:7')."""
    text = report.load_error or ""
    match = (re.search(rf'{re.escape(file_name)}", line (\d+)', text)
             or re.search(rf"{re.escape(file_name)}:(\d+)", text))
    return int(match.group(1)) if match else None


def _failing(report: TestReport) -> dict[str, CaseResult]:
    return {c.name: c for c in report.cases if not c.passed}


def _label(bug: Bug) -> str:
    return f"{bug.type} bug in {bug.function} ({bug.description})"


# Verification may run in several threads at once: the memo is read and written under its lock (the run itself is
# not, so two threads may both verify the same program once; they reach the same verdict).
_original_lock = threading.Lock()
_original_checked: dict[tuple[str, str], str] = {}


def check_original(backend: SandboxBackend, program: Program, language: str) -> str:
    """'' when the original passes every test, else why not (remembered per program digest)."""
    key = (program.digest(language), backend.name)
    with _original_lock:
        if key in _original_checked:
            return _original_checked[key]
    report = run(backend, program, language, program.source(language))
    failing = _failing(report)
    if report.load_error:
        verdict = f"the original program does not load: {report.load_error[-300:]}"
    elif failing:
        name, case = next(iter(failing.items()))
        verdict = (f"the original program fails {len(failing)} test(s), e.g. {name!r}: "
                   f"{case.message} (got {case.actual!r}, expected {case.expected!r})")
    else:
        verdict = ""
    with _original_lock:
        _original_checked[key] = verdict
    return verdict


def _check_syntax(report: TestReport, bug: Bug, expected_line: int, file_name: str, when: str) -> str:
    if not report.load_error:
        return f"{_label(bug)}: the program still loads {when}"
    line = load_error_line(report, file_name)
    if line not in (expected_line, expected_line + 1):
        return f"{_label(bug)}: the load error {when} names line {line}, not {expected_line} or the next"
    return ""


def _check_semantic(report: TestReport, bug: Bug, program: Program, language: str) -> tuple[str, tuple[str, ...]]:
    if report.load_error:
        return f"{_label(bug)}: the program no longer loads: {report.load_error[-200:]}", ()
    failing = _failing(report)
    if not failing:
        return f"{_label(bug)}: no test fails", ()
    calls = {t.name: t.call for t in program.tests}
    strays = [n for n in failing if calls[n] != bug.function]
    if strays:
        return (f"{_label(bug)}: it also fails tests of other functions: "
                + ", ".join(f"{n!r} ({calls[n]})" for n in strays[:3])), ()
    hidden = {t.name for t in program.tests if t.hidden}
    if all(n in hidden for n in failing):
        return f"{_label(bug)}: only hidden tests fail ({', '.join(map(repr, failing))})", ()
    words = (JS_CATEGORY_WORDS if language == "javascript" else CATEGORY_WORDS)[bug.type]
    for name, case in failing.items():
        if not fits(bug.type, language, case):
            got = case.message if case.status != "wrong_answer" else f"returned {case.actual!r}"
            return f"{_label(bug)}: test {name!r} should fail with {words} but {got}", ()
    order = [t.name for t in program.tests]
    return "", tuple(sorted(failing, key=order.index))


def verify(backend: SandboxBackend, program: Program, exercise: Exercise) -> Verdict:
    """Run every check; the first one that fails rejects the exercise."""
    language, file_name = exercise.language, exercise.file_name
    original = program.source(language)

    def reject(reason: str) -> Verdict:
        return Verdict(exercise, False, reason)

    if exercise.digest != program.digest(language):
        return reject("the exercise was made from another version of the program")
    problem = check_original(backend, program, language)
    if problem:
        return reject(problem)
    syntax = [b for b in exercise.bugs if b.type == "syntax"]
    semantic = [b for b in exercise.bugs if b.type != "syntax"]
    if len(syntax) != 1 or len(semantic) != 3 or len({b.function for b in exercise.bugs}) != 4:
        return reject("an exercise needs one bug of each type in four different functions")
    targets: dict[int, tuple[str, ...]] = {}
    for bug in semantic:
        problem, targets[id(bug)] = _check_semantic(run(backend, program, language, apply(original, [bug.edit])),
                                                    bug, program, language)
        if problem:
            return reject(problem)
    bug = syntax[0]
    alone = apply(original, [bug.edit])
    problem = _check_syntax(run(backend, program, language, alone), bug, line_of(alone, bug.edit.start),
                            file_name, "with this bug alone")
    if problem:
        return reject(problem)
    union = [n for b in semantic for n in targets[id(b)]]
    if len(union) != len(set(union)):
        shared = sorted({n for n in union if union.count(n) > 1})
        return reject("two bugs make the same test fail: " + ", ".join(shared))
    together = _failing(run(backend, program, language, apply(original, [b.edit for b in semantic])))
    if set(together) != set(union):
        extra, missing = sorted(set(together) - set(union)), sorted(set(union) - set(together))
        return reject(f"the three semantic bugs together fail {len(together)} tests, not the {len(union)} they fail "
                      f"alone (extra: {extra[:3]}, now passing: {missing[:3]})")
    edits = [b.edit for b in exercise.bugs]
    if apply(original, edits) != exercise.source:
        return reject("the exercise's source is not the program with its four edits")
    problem = _check_syntax(run(backend, program, language, exercise.source), bug,
                            line_of(exercise.source, moved(bug.edit.start, edits)), file_name, "with all four bugs")
    if problem:
        return reject(problem)
    bugs = tuple(replace(b, targets=targets.get(id(b), ())) for b in exercise.bugs)
    return Verdict(replace(exercise, bugs=bugs), True)
