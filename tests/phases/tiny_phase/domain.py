"""The tiny phase's domain half: one question, graded by code."""

from __future__ import annotations

from grader.phases import PhaseInfo
from grader.scoring import Grade, RubricItem

PHASE = PhaseInfo("tiny", "The Tiny Phase", "Answer one question (a test-only phase).",
                  options=frozenset({"max_attempts", "grade_policy"}))
_ANSWER = "42"  # ground truth: never on a page


def grade_answer(answer: str) -> Grade:
    right = answer.strip() == _ANSWER
    item = RubricItem("answer", 100.0 if right else 40.0, 100.0, "right" if right else "tried")
    return Grade.from_items([item], summary="Tiny phase")
