"""The grade scale and the explainable grade every phase produces."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# (minimum score, letter), highest first. The seed's scale.
GRADE_SCALE: tuple[tuple[float, str], ...] = (
    (95.0, "A+"),
    (90.0, "A"),
    (85.0, "B+"),
    (80.0, "B"),
    (75.0, "C+"),
    (70.0, "C"),
    (60.0, "D"),
    (0.0, "F"),
)


def letter_for(score: float) -> str:
    """Letter grade for a 0–100 score."""
    for minimum, letter in GRADE_SCALE:
        if score >= minimum:
            return letter
    return "F"


def band_for(letter: str) -> tuple[float, float]:
    """The [low, high) score band of a letter (high is 100 inclusive for A+)."""
    upper = 100.0
    for minimum, candidate in GRADE_SCALE:
        if candidate == letter:
            return minimum, upper
        upper = minimum
    raise ValueError(f"unknown letter grade {letter!r}")


@dataclass(frozen=True)
class RubricItem:
    """One line of a grade's breakdown: what was scored, how much, out of what, and why."""

    item: str
    points: float
    max_points: float
    evidence: str = ""


# One rounding, here: the score stored, sent to the gradebook, shown and exported is this same number.
SCORE_DECIMALS = 1


def format_score(score: float) -> str:
    return f"{score:.{SCORE_DECIMALS}f}"


@dataclass(frozen=True)
class Grade:
    """A 0–100 score computed by code from rubric items, with its letter and breakdown."""

    score: float
    letter: str
    items: tuple[RubricItem, ...] = field(default_factory=tuple)
    summary: str = ""

    @classmethod
    def from_items(cls, items: list[RubricItem] | tuple[RubricItem, ...], summary: str = "") -> Grade:
        """Sum the items and clamp to 0–100; the letter follows from the scale."""
        total = sum(i.points for i in items)
        score = round(min(100.0, max(0.0, total)), SCORE_DECIMALS)
        return cls(score=score, letter=letter_for(score), items=tuple(items), summary=summary)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["items"] = [asdict(i) for i in self.items]
        return data
