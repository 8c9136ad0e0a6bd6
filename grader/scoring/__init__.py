"""The grade scale, the explainable grade every phase returns, and the arithmetic rubric formulas share.

Each phase's own formula lives with the phase (``grader/phases/<id>/scoring.py``); what is here is what
they all use:

- ``Grade`` (score 0–100, letter, rubric ``items``, summary; ``Grade.from_items`` sums and clamps) and
  ``RubricItem(item, points, max_points, evidence)``.
- ``letter_for(score)`` and ``band_for(letter)`` over ``GRADE_SCALE``.
- ``fraction``, ``ratio``, ``points``, ``count_of``: clamping and rounding, the same in every phase.
"""

from grader.scoring.arithmetic import count_of, fraction, points, ratio
from grader.scoring.grades import GRADE_SCALE, SCORE_DECIMALS, Grade, RubricItem, band_for, format_score, letter_for

__all__ = [
    "SCORE_DECIMALS",
    "format_score",
    "GRADE_SCALE",
    "Grade",
    "RubricItem",
    "band_for",
    "count_of",
    "fraction",
    "letter_for",
    "points",
    "ratio",
]
