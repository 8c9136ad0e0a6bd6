"""Shared arithmetic for rubric formulas: every phase clamps and rounds the same way."""

from __future__ import annotations


def fraction(value: float) -> float:
    """``value`` clamped to 0–1 (an odd input gives a well-defined grade, not an exception)."""
    return min(1.0, max(0.0, float(value)))


def ratio(part: float, whole: float) -> float:
    """``part / whole`` clamped to 0–1; 0 when there is nothing to divide by."""
    return 0.0 if whole <= 0 else fraction(part / whole)


def points(value: float) -> float:
    """Rubric points as stored and shown: the grade's one rounding (``SCORE_DECIMALS``), everywhere."""
    from grader.scoring.grades import SCORE_DECIMALS

    return round(value, SCORE_DECIMALS)


def count_of(done: int, total: int) -> str:
    """'3/5' with both numbers clamped to what makes sense."""
    total = max(0, total)
    return f"{min(max(0, done), total)}/{total}"
