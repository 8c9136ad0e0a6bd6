"""Code Crucible domain fixtures: the real local sandbox (bubblewrap, from tests/sandbox), the packed ESLint
(scripts/frontend.sh builds it; missing in CI is a failure) and exercises built straight from the bank."""

from __future__ import annotations

import os

import pytest

from grader.phases.code_crucible import build_exercise, load_task
from grader.phases.code_crucible.exercise import Exercise
from grader.phases.code_crucible.quality import linter_missing, ruff_path
from grader.phases.code_crucible.store import verified_entry
from tests.sandbox.conftest import local_backend  # noqa: F401 - the fixture, reused

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def linters() -> None:
    """ruff (Python) and the packed ESLint (JavaScript) must be there; javac comes with the sandbox's Java."""
    missing = linter_missing() or ("" if ruff_path() else "ruff is not installed")
    if missing:
        if IN_CI:
            pytest.fail(f"Code Crucible linter unavailable in CI: {missing}")
        pytest.skip(missing)


def exercise(task_id: str = "bakery_receipt", language: str = "python", level: str = "mid", variant: int = 0,
             discovered: set[str] | None = None) -> Exercise:
    task = load_task(task_id)
    entry = verified_entry(task)
    assert entry is not None, "the bank is stale: run python -m grader.phases.code_crucible.bank"
    return build_exercise(task, entry, language, level, variant, discovered)
