"""Bug Hunt domain fixtures: the real local sandbox (bubblewrap, from tests/sandbox) and exercises built from
chosen candidates, so a test knows exactly which four bugs it is dealing with."""

from __future__ import annotations

import os

import pytest

from grader.phases.bug_hunt.edits import Candidate
from grader.phases.bug_hunt.exercise import Exercise
from grader.phases.bug_hunt.inject_js import acorn_available
from grader.phases.bug_hunt.injector import build, candidates
from grader.phases.bug_hunt.programs import load_program
from grader.phases.bug_hunt.verify import verify
from grader.sandbox import SandboxBackend
from tests.sandbox.conftest import local_backend  # noqa: F401 - the fixture, reused

IN_CI = os.environ.get("CI", "").lower() == "true"
PROGRAM = "invoice_total"


@pytest.fixture(scope="session")
def acorn() -> None:
    """The JavaScript injector needs node and acorn (scripts/frontend.sh); missing in CI is a failure."""
    missing = acorn_available()
    if missing:
        if IN_CI:
            pytest.fail(f"JavaScript injector unavailable in CI: {missing}")
        pytest.skip(missing)


def pick_candidates(language: str, wanted: dict[str, tuple[str, str]]) -> list[Candidate]:
    """One candidate per type: ``{type: (function, words in its description)}``."""
    program = load_program(PROGRAM)
    found = candidates(program, language)
    chosen = []
    for bug_type, (function, words) in wanted.items():
        matches = [c for c in found if c.type == bug_type and c.function == function and words in c.description]
        assert matches, f"no {bug_type} candidate in {function} like {words!r}"
        chosen.append(matches[0])
    return chosen


# A fixed set of four bugs in invoice_total (Python): what each test below reasons about.
PYTHON_BUGS = {
    "syntax": ("bulk_discount", "colon of the `if` line"),
    "logic": ("largest_line", "`>` became `>=`"),
    "runtime": ("average_line", "removed the check"),
    "type": ("format_amount", "`str(...)` conversion"),
}


@pytest.fixture(scope="session")
def python_exercise(local_backend: SandboxBackend) -> Exercise:  # noqa: F811 - the fixture above
    program = load_program(PROGRAM)
    exercise = build(program, "python", 0, pick_candidates("python", PYTHON_BUGS))
    verdict = verify(local_backend, program, exercise)
    assert verdict.accepted, verdict.reason
    return verdict.exercise
