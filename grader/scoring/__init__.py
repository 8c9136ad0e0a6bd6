"""Scoring engine: rubric items, per-phase formulas and the letter-grade scale."""

from grader.scoring.grades import GRADE_SCALE, Grade, RubricItem, letter_for

__all__ = ["GRADE_SCALE", "Grade", "RubricItem", "letter_for"]
