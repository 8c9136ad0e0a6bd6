"""Run and Submit for the coding task: real sandbox runs, reduced to what a student may see.

Run executes the student's file as a program with their own input (no tests, no grade): they call
their function and print to try it. Submit checks the public examples (shown in detail) and the hidden tests.
Submit checks the examples and the hidden tests; hidden cases come back as pass/fail only (the sandbox
harness never lets their inputs or expected values out), and their counts feed the grade.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from grader.sandbox import InvalidRequest, SandboxError, TestCase, run_program, run_tests
from grader.scenarios.models import CodingTask
from lti_app.models import Submission, utcnow
from worker.kinds import Outcome

log = logging.getLogger(__name__)

MAX_SHOWN_OUTPUT = 16 * 1024  # characters of stdout/stderr kept for the page
SANDBOX_TRIES = 3  # a broken sandbox host is retried this many times before the row fails


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


def run_result(backend: Any, task: CodingTask, source: str, stdin: str) -> dict[str, Any]:
    program = run_program(backend, task.language, source, stdin=stdin)
    return {"kind": "run", "program": _program_view(program)}


def submit_result(backend: Any, task: CodingTask, source: str) -> dict[str, Any]:
    report = run_tests(backend, task.language, source, task.function_name, example_cases(task) + hidden_cases(task))
    hidden = [c for c in report.cases if c.hidden]
    examples = [c for c in report.cases if not c.hidden]
    return {
        "kind": "submit",
        "report": _report_view(report),
        "examples": {"passed": sum(c.passed for c in examples), "total": len(examples)},
        "hidden": {"passed": sum(c.passed for c in hidden), "total": len(hidden)},
    }


def execute_submission(backend: Any, task: CodingTask, row: Submission) -> Outcome:
    """Fill ``row.result`` (the runner commits it with the row's final status)."""
    try:
        if row.kind == "run":
            row.result = run_result(backend, task, row.source, row.stdin)
        elif row.kind == "submit":
            row.result = submit_result(backend, task, row.source)
        else:
            return Outcome.failed(f"unknown submission kind {row.kind!r}")
    except InvalidRequest as exc:  # the code itself cannot be run (e.g. too large): a student-facing answer
        row.result = {"kind": row.kind, "error": f"Your code could not be run: {exc}"}
        return Outcome.done()
    except SandboxError as exc:  # the host is broken: keep the row and try again, then fail visibly
        log.warning("sandbox failed for submission %s (try %s): %s", row.id, row.tries, exc)
        if row.tries < SANDBOX_TRIES:
            return Outcome.retry(f"sandbox unavailable: {exc}", utcnow() + timedelta(seconds=5 * row.tries))
        return Outcome.failed(f"sandbox unavailable: {exc}")
    return Outcome.done()
