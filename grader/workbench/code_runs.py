"""Run and Submit for a coding task: real sandbox runs, reduced to what a student may see.

Run executes the student's file as a program with their own input (no tests, no grade): they call their
function and print to try it. Submit checks the public examples (shown in detail) and the hidden tests;
hidden cases come back as pass/fail counts only (the sandbox harness never lets their inputs or expected
values out), and those counts feed the grade.

Errors: ``InvalidRequest`` (the code cannot be run, e.g. too large) and ``SandboxError`` (the host is
broken) propagate; the caller decides what the student sees and whether to try again.
"""

from __future__ import annotations

from typing import Any

from grader.sandbox import SandboxBackend, TestCase, run_program, run_tests
from grader.workbench.code_task import CodingTask

SUBMISSION_KINDS = ("run", "submit")
MAX_SHOWN_OUTPUT = 16 * 1024  # characters of stdout/stderr kept for the page


def example_cases(task: CodingTask) -> list[TestCase]:
    return [TestCase(list(c.args), c.expected, name=f"example {i}") for i, c in enumerate(task.examples, 1)]


def hidden_cases(task: CodingTask) -> list[TestCase]:
    # Named by position only: a name derived from the arguments would carry them out.
    return [TestCase(list(c.args), c.expected, hidden=True, name=f"hidden test {i}")
            for i, c in enumerate(task.hidden_tests, 1)]


def _program_view(result: Any) -> dict[str, Any]:
    return {
        "stdout": result.stdout[:MAX_SHOWN_OUTPUT],
        "stderr": result.stderr[:MAX_SHOWN_OUTPUT],
        "exit_code": result.exit_code,
        "outcome": result.outcome,
        "timed_out": result.timed_out,
        "truncated": bool(result.stdout_truncated or result.stderr_truncated or len(result.stdout) > MAX_SHOWN_OUTPUT
                          or len(result.stderr) > MAX_SHOWN_OUTPUT),
        "wall_seconds": round(result.wall_seconds, 3),
    }


def _report_view(report: Any) -> dict[str, Any]:
    data = report.to_dict()
    data.pop("runs", None)  # backend timings are for operators, not students
    return data


def run_result(backend: SandboxBackend, task: CodingTask, source: str, stdin: str) -> dict[str, Any]:
    program = run_program(backend, task.language, source, stdin=stdin)
    return {"kind": "run", "outcome": program.outcome, "program": _program_view(program)}


def submit_result(backend: SandboxBackend, task: CodingTask, source: str) -> dict[str, Any]:
    report = run_tests(backend, task.language, source, task.function_name, example_cases(task) + hidden_cases(task))
    hidden = [c for c in report.cases if c.hidden]
    examples = [c for c in report.cases if not c.hidden]
    return {
        "kind": "submit",
        "outcome": report.outcome,
        "report": _report_view(report),
        "examples": {"passed": sum(c.passed for c in examples), "total": len(examples)},
        "hidden": {"passed": sum(c.passed for c in hidden), "total": len(hidden)},
    }


def execute(backend: SandboxBackend, task: CodingTask, kind: str, source: str, stdin: str = "") -> dict[str, Any]:
    """The student-safe result of one Run or Submit."""
    if kind == "run":
        return run_result(backend, task, source, stdin)
    if kind == "submit":
        return submit_result(backend, task, source)
    raise ValueError(f"unknown submission kind {kind!r}; expected one of {', '.join(SUBMISSION_KINDS)}")
