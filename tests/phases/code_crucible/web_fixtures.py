"""Helpers for the Code Crucible's web tests: a seeded launch driven through the HTTP API, and the scripted students'
files (tests/phases/code_crucible/students, the domain's) to submit.

Import the fixture into a test module: ``from tests.phases.code_crucible.web_fixtures import cc_session_fixture  #
noqa: F401`` (it is named ``cc_session``; kept out of conftest.py, which the domain tests own).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from tests.support.phase_session import CodeSession, session_fixture

TASK = "bakery_receipt"
CC_CUSTOM = {"phase": "code_crucible", "scenario": TASK, "language": "python", "max_attempts": "2"}
STUDENTS = Path(__file__).resolve().parent / "students"
EXTENSIONS = {"python": "py", "javascript": "js"}


def student_file(name: str, language: str = "python") -> str:
    """A scripted student's file for bakery_receipt (clean, messy, slow, partial, wrong, hostile, forged)."""
    if language == "java":
        return (STUDENTS / f"{name.capitalize()}.java.txt").read_text(encoding="utf-8")
    return (STUDENTS / f"{name}.{EXTENSIONS[language]}.txt").read_text(encoding="utf-8")


def exercise_of_state(state: dict[str, Any]) -> Any:
    from grader.phases.code_crucible import exercise_of

    return exercise_of(state)


@dataclass
class CcSession(CodeSession):
    """One learner's Code Crucible launch (tests/support/phase_session.py), with the phase's own routes."""

    finish_prefix: ClassVar[str] = "cc"
    page_reads: ClassVar[tuple[str, ...]] = ("status", "draft", "clock", "cc/hints")

    def examples(self, source: str) -> dict[str, Any]:
        return self.run_kind("examples", source)

    def switch(self, language: str) -> Any:
        return self.post(self.api("cc/language"), {"language": language})

    def exercise(self) -> Any:
        return exercise_of_state(self.attempt_row().state)


cc_session_fixture = session_fixture(CcSession, CC_CUSTOM, "cc_session")
