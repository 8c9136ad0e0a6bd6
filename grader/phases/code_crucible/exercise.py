"""An exercise: one verified task in one language, at one level, in one variant, possibly derived from what the
student discovered in a Difficult Client interview; and its Run, Run-examples and Submit in the sandbox.

The exercise is ground truth (hidden tests, the reference): it lives in the attempt's server-side state. What
leaves it for a student is ``views.student_view`` and the results of :meth:`Exercise.execute`, in which a hidden
test is its number, its edge-case tag and pass/fail (plus a fixed category word), never its input, expected
value, output, timing or size.
"""

from __future__ import annotations

import ast
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from grader.phases.code_crucible.codetext import blank_code, matching_brace
from grader.phases.code_crucible.efficiency import measure_efficiency
from grader.phases.code_crucible.efficiency import result as efficiency_result
from grader.phases.code_crucible.quality import measure_quality
from grader.phases.code_crucible.scaffolding import RULES, function_bodies
from grader.phases.code_crucible.scoring import submit_points
from grader.phases.code_crucible.tasks import _large_args
from grader.sandbox import InvalidRequest, SandboxBackend, TestCase, TestReport, run_tests
from grader.workbench.code_runs import LIMITS, run_result
from grader.workbench.notation import call, literal

KINDS = ("run", "examples", "submit")
MAX_SOURCE_BYTES = 64 * 1024
MAX_OWN_TESTS = 20
JAVA_TEST_RUNNER = "crRunOwnTest"
_JAVA_RUNNER_SOURCE = (
    f"\n    static Object {JAVA_TEST_RUNNER}(String name) throws Throwable {{ "
    "java.lang.reflect.Method test = Solution.class.getDeclaredMethod(name); test.setAccessible(true); "
    "try { test.invoke(null); } catch (java.lang.reflect.InvocationTargetException failure) "
    "{ throw failure.getCause(); } return null; }\n")


def check_source(source: object) -> str:
    """The source, or ``InvalidRequest`` with a sentence for the student: not text, binary, or too large."""
    if not isinstance(source, str):
        raise InvalidRequest("Your code must be text.")
    if "\x00" in source:
        raise InvalidRequest("Your code contains binary data (a NUL character); paste it as plain text.")
    size = len(source.encode("utf-8", "surrogatepass"))
    if size > MAX_SOURCE_BYTES:
        raise InvalidRequest(f"Your code is too large ({size // 1024} KB; the limit is {MAX_SOURCE_BYTES // 1024} KB).")
    return source


@dataclass(frozen=True)
class OwnTest:
    name: str
    checks: bool  # the body asserts or throws: it can fail


def find_own_tests(source: str, language: str) -> list[OwnTest]:
    """The student's own test functions (Senior): Python ``def test_...():`` with assert or raise; JavaScript
    ``function test...()`` that throws or asserts; Java ``static void test...()`` that throws (Java runs
    without -ea, so ``assert`` statements do nothing)."""
    found: list[OwnTest] = []
    if language == "python":
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return []
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test") and not (
                    node.args.args or node.args.posonlyargs or node.args.vararg or node.args.kwonlyargs):
                checks = any(isinstance(n, ast.Assert | ast.Raise) for n in ast.walk(node))
                found.append(OwnTest(node.name, checks))
    else:
        code = blank_code(source, language)
        for _, name, start, end in function_bodies(source, language):
            if not name.startswith("test"):
                continue
            before = code[max(0, start - 300):start]
            if language == "javascript":
                ok = re.search(rf"\bfunction\s+{re.escape(name)}\s*\(\s*\)\s*$", before) is not None
                checks = re.search(r"\bthrow\b|\bassert\b", code[start:end]) is not None
            else:
                ok = re.search(rf"\bstatic\s+void\s+{re.escape(name)}\s*\(\s*\)\s*(?:throws\s+[\w.,\s]+)?$",
                               before) is not None
                checks = re.search(r"\bthrow\b", code[start:end]) is not None
            if ok:
                found.append(OwnTest(name, checks))
    unique: dict[str, OwnTest] = {}
    for test in found:
        unique.setdefault(test.name, test)
    return list(unique.values())[:MAX_OWN_TESTS]


def _with_java_runner(source: str) -> str | None:
    """The student's Java file with a method that runs one of their tests by name, or None without a class."""
    code = blank_code(source, "java")
    match = re.search(r"\bclass\s+Solution\b[^{]*\{", code)
    if not match:
        return None
    end = matching_brace(code, match.end() - 1)
    if end < 0:
        return None
    return source[:end] + _JAVA_RUNNER_SOURCE + source[end:]


@dataclass(frozen=True)
class Exercise:
    task_id: str
    language: str
    level: str
    variant: int
    digest: str  # of the task's files it was made from
    title: str
    difficulty: str
    statement: str  # what the student reads: the need, and the requirements they know
    function: str  # the function's name in this language
    signature: str
    file_name: str
    starter: str
    reference: str  # this language and variant: server-side only
    examples: tuple[dict[str, Any], ...]  # {"args", "expected"} for this variant
    hidden: tuple[dict[str, Any], ...]  # {"args", "expected", "tag", "requirement"?}
    requirements: tuple[tuple[str, str], ...]  # (constraint id, sentence with this variant's values)
    discovered: tuple[str, ...] | None  # None: standalone (every requirement stated)
    hints: tuple[str, ...]
    large: str  # the large input's generator (a Python expression)
    values: tuple[tuple[str, Any], ...] = ()  # this variant's params
    scenario: str | None = None  # the Difficult Client scenario the task came from

    # -- what is shown ------------------------------------------------------------------------------------
    @property
    def rules(self) -> Any:
        return RULES[self.level]

    @property
    def missed(self) -> tuple[str, ...]:
        """Requirements of the linked interview the student did not discover (none standalone)."""
        if self.discovered is None:
            return ()
        return tuple(rid for rid, _ in self.requirements if rid not in self.discovered)

    def hidden_shown(self, index: int) -> bool:
        """Whether hidden test ``index`` (0-based) is shown with its input: Intern only, and never one that
        checks a requirement the student did not discover."""
        test = self.hidden[index]
        return self.rules.hidden_shown == "all" and test.get("requirement") not in self.missed

    def shown_tag(self, index: int) -> str:
        """The edge-case tag a student sees for hidden test ``index`` (0-based): a test of a requirement they missed
        is only "requirement" (its own tag, "duplicates" say, would point at what the interview should have
        taught; its name is "hidden test N" like every other)."""
        test = self.hidden[index]
        return "requirement" if test.get("requirement") in self.missed else test["tag"]

    def shown_call(self, args: list[Any]) -> str:
        return call(self.function, list(args), self.language)

    def large_args(self) -> list[Any]:
        return _large_args(self.task_id, self.digest, self.large)

    # -- cases ---------------------------------------------------------------------------------------------
    def example_cases(self) -> list[TestCase]:
        return [TestCase(list(e["args"]), e["expected"], name=f"example {i}") for i, e in enumerate(self.examples, 1)]

    def hidden_cases(self, shown_only: bool = False) -> list[TestCase]:
        # Named by position only: a name derived from the input would carry it out.
        return [TestCase(list(t["args"]), t["expected"], hidden=not self.hidden_shown(i), name=f"hidden test {i + 1}")
                for i, t in enumerate(self.hidden) if not shown_only or self.hidden_shown(i)]

    def _own_cases(self, tests: list[OwnTest]) -> list[TestCase]:
        return [TestCase([], None, name=f"your test {t.name}", function=t.name) for t in tests]

    # -- Run, Run examples and Submit ------------------------------------------------------------------------
    def execute(self, backend: SandboxBackend, kind: str, source: str, stdin: str = "",
                cancel: threading.Event | None = None) -> dict[str, Any]:
        """The student-safe result of one Run ("run": the file as a program with the student's input),
        Run-examples ("examples": the visible examples, expected vs actual) or Submit ("submit": examples,
        hidden tests, quality and efficiency). Raises ``InvalidRequest`` for code that cannot be run."""
        check_source(source)
        if kind == "run":
            return run_result(backend, self, source, stdin, cancel, file_name=self.file_name)  # type: ignore[arg-type]
        if kind == "examples":
            return self._examples(backend, source)
        if kind == "submit":
            return self._submit(backend, source)
        raise ValueError(f"unknown submission kind {kind!r}; expected one of {', '.join(KINDS)}")

    def _tests(self, backend: SandboxBackend, source: str, cases: list[TestCase],
               own: list[OwnTest]) -> tuple[TestReport, TestReport | None]:
        """The test run (and, in Java, the run of the student's own tests: Java calls one method per run)."""
        if self.language != "java":
            cases = cases + self._own_cases(own)
        report = run_tests(backend, self.language, source, self.function, cases, limits=LIMITS["submit"],
                           student_file=self.file_name)
        own_report = None
        if self.language == "java" and own and not report.load_error:
            runnable = _with_java_runner(source)
            if runnable is not None:
                own_report = run_tests(backend, "java", runnable, JAVA_TEST_RUNNER,
                                       [TestCase([t.name], None, name=f"your test {t.name}") for t in own],
                                       limits=LIMITS["submit"], student_file=self.file_name)
        return report, own_report

    def _own_summary(self, own: list[OwnTest], cases: list[dict[str, Any]]) -> dict[str, Any] | None:
        if self.level != "senior":
            return None
        ran = {c["name"].removeprefix("your test "): c for c in cases if c.get("group") == "own"}
        passing = [t for t in own if ran.get(t.name, {}).get("status") in ("passed", "wrong_answer")]
        return {"found": len(own), "passed": len(passing), "with_checks": sum(t.checks for t in own),
                "passed_with_checks": sum(t.checks for t in passing),
                "names": [t.name for t in own], "without_checks": [t.name for t in own if not t.checks]}

    def _view(self, report: TestReport, own_report: TestReport | None) -> dict[str, Any]:
        data = report.to_dict()
        data.pop("runs", None)  # backend timings are for operators
        cases = data["cases"]
        if own_report is not None:
            extra = own_report.to_dict()["cases"]
            cases += extra
            data["passed"], data["total"] = data["passed"] + own_report.passed, data["total"] + own_report.total
        for case in cases:
            name = case["name"]
            if name.startswith("your test "):
                case["group"] = "own"
                # a test returns nothing: it passes when it returns without raising
                if case.get("status") == "wrong_answer":
                    case.update(passed=True, status="passed", message="passed")
                case["shown"] = {"call": f"{name.removeprefix('your test ')}()", "expected": "", "actual": ""}
                continue
            if name.startswith("hidden test "):
                case["group"] = "hidden"
                index = int(name.rsplit(" ", 1)[1]) - 1
                case["number"] = index + 1
                case["tag"] = self.shown_tag(index)
            else:
                case["group"] = "example"
            if not case.get("hidden") and case.get("args") is not None:
                case["shown"] = {"call": self.shown_call(case["args"]),
                                 "expected": literal(case.get("expected"), self.language),
                                 "actual": literal(case.get("actual"), self.language)}
        return data

    @staticmethod
    def _count(cases: list[dict[str, Any]], group: str) -> dict[str, int]:
        chosen = [c for c in cases if c.get("group") == group]
        return {"passed": sum(1 for c in chosen if c.get("passed")), "total": len(chosen)}

    def _examples(self, backend: SandboxBackend, source: str) -> dict[str, Any]:
        own = find_own_tests(source, self.language) if self.rules.own_tests else []
        report, own_report = self._tests(backend, source, self.example_cases() + self.hidden_cases(shown_only=True),
                                         own)
        view = self._view(report, own_report)
        result = {"kind": "examples", "outcome": report.outcome, "report": view,
                  "limit_seconds": LIMITS["submit"].wall_seconds, "examples": self._count(view["cases"], "example"),
                  "own_tests": self._own_summary(own, view["cases"])}
        if self.rules.hidden_shown == "all":
            result["hidden_shown"] = self._count(view["cases"], "hidden")
        return result

    def _submit(self, backend: SandboxBackend, source: str) -> dict[str, Any]:
        own = find_own_tests(source, self.language) if self.rules.own_tests else []
        with ThreadPoolExecutor(max_workers=1) as pool:  # the linter runs while the tests do
            quality = pool.submit(measure_quality, backend, self.language, source, self.file_name, self.function,
                                  self.reference)
            report, own_report = self._tests(backend, source, self.example_cases() + self.hidden_cases(), own)
            quality_data = quality.result()
        view = self._view(report, own_report)
        hidden = self._count(view["cases"], "hidden")
        failed_tags = list(dict.fromkeys(c["tag"] for c in view["cases"] if c.get("group") == "hidden"
                                         and not c.get("passed")))
        if report.load_error or hidden["passed"] == 0:
            efficiency = efficiency_result("not_run")
        else:  # after the other runs, so they do not share the machine with the timed ones
            efficiency = measure_efficiency(backend, self.language, source, self.reference, self.function,
                                            self.file_name, self.large_args())
        result: dict[str, Any] = {
            "kind": "submit",
            "outcome": report.outcome,
            "report": view,
            "limit_seconds": LIMITS["submit"].wall_seconds,
            "examples": self._count(view["cases"], "example"),
            "hidden": hidden,
            "tags_failed": failed_tags,
            "own_tests": self._own_summary(own, view["cases"]),
            "quality": quality_data,
            "efficiency": efficiency,
        }
        result["points"] = submit_points(self.level, result)
        result["measure"] = result["points"]["total"]
        from grader.phases.code_crucible.feedback import mentor_feedback

        result["feedback"] = mentor_feedback(self, result)
        return result

    # -- storage --------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id, "language": self.language, "level": self.level, "variant": self.variant,
            "digest": self.digest, "title": self.title, "difficulty": self.difficulty, "statement": self.statement,
            "function": self.function, "signature": self.signature, "file_name": self.file_name,
            "starter": self.starter, "reference": self.reference, "examples": [dict(e) for e in self.examples],
            "hidden": [dict(t) for t in self.hidden], "requirements": [list(r) for r in self.requirements],
            "discovered": None if self.discovered is None else list(self.discovered), "hints": list(self.hints),
            "large": self.large, "values": [list(v) for v in self.values], "scenario": self.scenario,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Exercise:
        return cls(
            data["task_id"], data["language"], data["level"], int(data["variant"]), data["digest"], data["title"],
            data["difficulty"], data["statement"], data["function"], data["signature"], data["file_name"],
            data["starter"], data["reference"], tuple(data["examples"]), tuple(data["hidden"]),
            tuple((r[0], r[1]) for r in data["requirements"]),
            None if data.get("discovered") is None else tuple(data["discovered"]), tuple(data["hints"]),
            data["large"], tuple((v[0], v[1]) for v in data.get("values", [])), data.get("scenario"))
