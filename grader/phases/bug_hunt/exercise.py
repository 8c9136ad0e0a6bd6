"""An exercise: one base program in one language with four injected bugs (the manifest), and its Run and
Submit in the sandbox.

The exercise is ground truth: the bank keeps its edits (``store`` rebuilds it from them and the program's
files) and the attempt's server-side state keeps the whole of it (``to_dict``). What leaves it
for a student is ``views.student_view`` and the results of :meth:`Exercise.execute`, which carry test
results and a count of bugs fixed, never a bug's line, type or index.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from grader.phases.bug_hunt.edits import Edit
from grader.phases.bug_hunt.programs import ProgramTest, function_name
from grader.sandbox import SandboxBackend, TestCase, run_tests
from grader.workbench.code_runs import LIMITS, SUBMISSION_KINDS, run_result
from grader.workbench.notation import call, literal


@dataclass(frozen=True)
class Bug:
    type: str  # one of BUG_TYPES
    function: str  # the Python name of the function it is in
    line: int  # 1-based, in the exercise's (buggy) source
    original: str  # the original line(s) it changed
    injected: str  # those line(s) as the student gets them ("" when lines were removed)
    description: str  # what was done, in words, for instructors
    edit: Edit  # the change, as offsets into the original source
    targets: tuple[str, ...] = ()  # names of the tests it alone makes fail (none for the syntax bug)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "function": self.function, "line": self.line, "original": self.original,
                "injected": self.injected, "description": self.description, "edit": self.edit.to_dict(),
                "targets": list(self.targets)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Bug:
        return cls(data["type"], data["function"], int(data["line"]), data["original"], data["injected"],
                   data["description"], Edit.from_dict(data["edit"]), tuple(data["targets"]))


@dataclass(frozen=True)
class Exercise:
    program_id: str
    language: str
    seed: int
    digest: str  # of the program's source and tests it was made from (programs.Program.digest)
    title: str
    summary: str
    file_name: str
    source: str  # the buggy program the student starts from
    tests: tuple[ProgramTest, ...]
    bugs: tuple[Bug, ...] = field(default_factory=tuple)  # in line order

    # -- tests as the student sees them ---------------------------------------------------------------
    def shown_name(self, test: ProgramTest) -> str:
        """Visible tests go by their name; hidden ones by position only (a name would say what they check)."""
        if not test.hidden:
            return test.name
        return f"hidden test {[t.name for t in self.tests if t.hidden].index(test.name) + 1}"

    def cases(self) -> list[TestCase]:
        return [TestCase(list(t.args), t.expected, hidden=t.hidden, name=self.shown_name(t),
                         function=function_name(t.call, self.language)) for t in self.tests]

    def shown_call(self, test: ProgramTest) -> str:
        return call(function_name(test.call, self.language), list(test.args), self.language)

    # -- Run and Submit ---------------------------------------------------------------------------------
    def execute(self, backend: SandboxBackend, kind: str, source: str, stdin: str = "",
                cancel: threading.Event | None = None) -> dict[str, Any]:
        """The student-safe result of one Run (the file run as a program with the student's input) or one
        Submit (every test: visible ones in detail, hidden ones as pass/fail; plus how many bugs are fixed)."""
        if kind == "run":
            return run_result(backend, self, source, stdin, cancel, file_name=self.file_name)  # type: ignore[arg-type]
        if kind == "submit":
            return self._submit(backend, source)
        raise ValueError(f"unknown submission kind {kind!r}; expected one of {', '.join(SUBMISSION_KINDS)}")

    def _submit(self, backend: SandboxBackend, source: str) -> dict[str, Any]:
        from grader.phases.bug_hunt.judge import bugs_fixed  # judge reads exercises

        report = run_tests(backend, self.language, source, None, self.cases(), limits=LIMITS["submit"],
                           student_file=self.file_name)
        data = report.to_dict()
        data.pop("runs", None)  # backend timings are for operators
        by_name = {self.shown_name(t): t for t in self.tests}
        for case in data["cases"]:
            test = by_name.get(case["name"])
            if test is not None and not case.get("hidden") and case.get("args") is not None:
                case["shown"] = {"call": self.shown_call(test),
                                 "expected": literal(case.get("expected"), self.language),
                                 "actual": literal(case.get("actual"), self.language)}
        visible = [c for c in report.cases if not c.hidden]
        hidden = [c for c in report.cases if c.hidden]
        result: dict[str, Any] = {
            "kind": "submit",
            "outcome": report.outcome,
            "report": data,
            "limit_seconds": LIMITS["submit"].wall_seconds,
            "tests": {"passed": sum(c.passed for c in visible), "total": len(visible)},
            "hidden": {"passed": sum(c.passed for c in hidden), "total": len(hidden)},
        }
        fixed = sum(bugs_fixed(self, result))
        result.update(bugs_fixed=fixed, bug_count=len(self.bugs), measure=fixed)
        return result

    # -- storage ----------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"program_id": self.program_id, "language": self.language, "seed": self.seed, "digest": self.digest,
                "title": self.title, "summary": self.summary, "file_name": self.file_name, "source": self.source,
                "tests": [t.to_dict() for t in self.tests], "bugs": [b.to_dict() for b in self.bugs]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Exercise:
        return cls(data["program_id"], data["language"], int(data["seed"]), data["digest"], data["title"],
                   data["summary"], data["file_name"], data["source"],
                   tuple(ProgramTest.from_dict(t) for t in data["tests"]),
                   tuple(Bug.from_dict(b) for b in data["bugs"]))
