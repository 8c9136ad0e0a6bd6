"""Run and Submit for a coding task: real sandbox runs, reduced to what a student may see.

Run executes the student's file as a program with their own input (no tests, no grade): they call their
function and print to try it. Submit checks the public examples (shown in detail) and the hidden tests;
hidden cases come back as pass/fail counts only (the sandbox harness never lets their inputs or expected
values out), and those counts feed the grade.

Errors: ``InvalidRequest`` (the code cannot be run, e.g. too large) and ``SandboxError`` (the host is
broken) propagate; the caller decides what the student sees and whether to try again.
"""

from __future__ import annotations

import threading
from typing import Any

from grader.sandbox import Limits, SandboxBackend, TestCase, run_program, run_tests
from grader.workbench.code_task import CodingTask
from grader.workbench.notation import call, literal

SUBMISSION_KINDS = ("run", "submit")
MAX_SHOWN_OUTPUT = 16 * 1024  # characters of stdout/stderr kept for the page
# The limits a Run and a Submit get; the page names them while the job runs and when one is hit.
LIMITS = {"run": Limits(wall_seconds=10.0, cpu_seconds=10.0), "submit": Limits()}


def time_limit_seconds(kind: str) -> float:
    if kind in ("command", "check"):  # the terminal's (grader.workbench.workspace)
        from grader.workbench.workspace import COMMAND_LIMITS

        return COMMAND_LIMITS.wall_seconds
    return LIMITS[kind].wall_seconds if kind in LIMITS else Limits().wall_seconds


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


def _report_view(report: Any, task: CodingTask) -> dict[str, Any]:
    data = report.to_dict()
    data.pop("runs", None)  # backend timings are for operators, not students
    for case in data.get("cases", []):
        if not case.get("hidden") and case.get("args") is not None:
            # In the task's own notation (Python True, not JSON true), ready to show.
            case["shown"] = {
                "call": call(task.function_name, case["args"], task.language),
                "expected": literal(case.get("expected"), task.language),
                "actual": literal(case.get("actual"), task.language),
            }
    return data


def run_result(backend: SandboxBackend, task: CodingTask, source: str, stdin: str,
               cancel: threading.Event | None = None, file_name: str | None = None) -> dict[str, Any]:
    """A Run. ``task`` needs only its ``language``; ``file_name`` names the program file (tracebacks show it)."""
    files: dict[str, str] | str = {file_name: source} if file_name else source
    program = run_program(backend, task.language, files, stdin=stdin, limits=LIMITS["run"], cancel=cancel)
    return {"kind": "run", "outcome": program.outcome, "program": _program_view(program),
            "limit_seconds": LIMITS["run"].wall_seconds}


def submit_result(backend: SandboxBackend, task: CodingTask, source: str) -> dict[str, Any]:
    report = run_tests(backend, task.language, source, task.function_name, example_cases(task) + hidden_cases(task),
                       limits=LIMITS["submit"])
    hidden = [c for c in report.cases if c.hidden]
    examples = [c for c in report.cases if not c.hidden]
    return {
        "kind": "submit",
        "outcome": report.outcome,
        "report": _report_view(report, task),
        "limit_seconds": LIMITS["submit"].wall_seconds,
        "examples": {"passed": sum(c.passed for c in examples), "total": len(examples)},
        "hidden": {"passed": sum(c.passed for c in hidden), "total": len(hidden)},
    }


def execute(backend: SandboxBackend, task: CodingTask, kind: str, source: str, stdin: str = "",
            cancel: threading.Event | None = None) -> dict[str, Any]:
    """The student-safe result of one Run or Submit. ``cancel`` stops a Run early (Submit runs to the end)."""
    if kind == "run":
        return run_result(backend, task, source, stdin, cancel)
    if kind == "submit":
        return submit_result(backend, task, source)
    raise ValueError(f"unknown submission kind {kind!r}; expected one of {', '.join(SUBMISSION_KINDS)}")
