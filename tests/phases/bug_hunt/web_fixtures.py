"""Helpers for the Bug Hunt's web tests: a seeded launch driven through the HTTP API, and code that fixes some of
an exercise's bugs (built from the original program, so it is exactly what fixing them means).

Import the fixture into a test module: ``from tests.phases.bug_hunt.web_fixtures import bh_session_fixture  #
noqa: F401`` (it is named ``bh_session``; kept out of conftest.py, which the domain tests own).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from tests.support.phase_session import CodeSession, session_fixture

PROGRAM = "invoice_total"
BH_CUSTOM = {"phase": "bug_hunt", "scenario": PROGRAM, "language": "python", "max_attempts": "2"}


def exercise_of_state(state: dict[str, Any]) -> Any:
    from grader.phases.bug_hunt import exercise_of

    return exercise_of(state)


def original_source(exercise: Any) -> str:
    from grader.phases.bug_hunt.programs import load_program

    return load_program(exercise.program_id).source(exercise.language)


def with_bugs(exercise: Any, kept: Iterable[int]) -> str:
    """The original program with only the bugs at these indexes (line order) put back: fixing the others."""
    from grader.phases.bug_hunt.edits import apply

    keep = set(kept)
    return apply(original_source(exercise), [b.edit for i, b in enumerate(exercise.bugs) if i in keep])


def fixing(exercise: Any, *types: str) -> str:
    """The buggy program with the bugs of these types fixed (and the others left as they are)."""
    return with_bugs(exercise, [i for i, b in enumerate(exercise.bugs) if b.type not in types])


def body_deleted(exercise: Any) -> str:
    """Every function's body replaced by ``pass`` (Python): it loads, and nothing works."""
    import ast

    tree = ast.parse(original_source(exercise))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            node.body = [ast.Pass()]
    return ast.unparse(tree) + "\n"


@dataclass
class BhSession(CodeSession):
    """One learner's Bug Hunt launch (tests/support/phase_session.py), with the phase's own reads."""

    finish_prefix: ClassVar[str] = "bh"

    def exercise(self) -> Any:
        return exercise_of_state(self.attempt_row().state)


bh_session_fixture = session_fixture(BhSession, BH_CUSTOM, "bh_session")
