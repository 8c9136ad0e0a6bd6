"""The Difficult Client's rubric: constraints 40, question quality 20, code correctness 25, code quality 15."""

from __future__ import annotations

from collections.abc import Mapping

from grader.scoring import Grade, RubricItem, count_of, fraction, points, ratio

WEIGHTS = {"constraints": 40.0, "question_quality": 20.0, "code_correctness": 25.0, "code_quality": 15.0}


def difficult_client_grade(
    *,
    constraint_fraction: float,
    question_quality: float,
    tests_passed: int,
    tests_total: int,
    code_quality: float,
    evidence: Mapping[str, str] | None = None,
    summary: str = "Difficult Client",
) -> Grade:
    """Constraints (weighted fraction discovered), question quality (0–1), code correctness (hidden tests
    passed, from real execution), code quality (0–1). Inputs are clamped to their meaningful range."""
    ev = dict(evidence or {})
    w = WEIGHTS
    found, asked, code = fraction(constraint_fraction), fraction(question_quality), fraction(code_quality)
    items = [
        RubricItem("constraints", points(w["constraints"] * found), w["constraints"],
                   ev.get("constraints", f"{found:.0%} of the constraints by weight")),
        RubricItem("question_quality", points(w["question_quality"] * asked), w["question_quality"],
                   ev.get("question_quality", f"average question quality {asked:.2f}")),
        RubricItem("code_correctness", points(w["code_correctness"] * ratio(max(0, tests_passed), tests_total)),
                   w["code_correctness"],
                   ev.get("code_correctness", f"{count_of(tests_passed, tests_total)} hidden tests passed")),
        RubricItem("code_quality", points(w["code_quality"] * code), w["code_quality"],
                   ev.get("code_quality", f"code quality {code:.2f}")),
    ]
    return Grade.from_items(items, summary=summary)
