"""Scoring engine: rubric items, per-phase formulas and the letter-grade scale.

Public API (all pure, all return :class:`Grade` with a breakdown of ``RubricItem(item, points,
max_points, evidence)``; ``Grade.to_dict()`` is JSON-serialisable):

- ``difficult_client_grade(constraint_fraction, question_quality, tests_passed, tests_total, code_quality)``
- ``code_crucible_grade(tests_passed, tests_total, quality, runtime_seconds, reference_seconds)``
- ``bug_hunt_grade(bugs_fixed, bugs_total, hints_used, submissions)``
- ``war_room_grade(root_cause, fix_quality, elapsed_seconds, target_seconds, limit_seconds,
  systematic_steps, expected_steps)``
- ``imposter_grade(imposter_identified, commit_identified, resolution, elapsed_seconds, target_seconds,
  limit_seconds)`` with resolution one of ``RESOLUTION_POINTS`` (revert, reset_soft, manual, force_push, none)

All arguments are keyword-only. Scores are clamped to 0–100; letters follow ``GRADE_SCALE``.
"""

from grader.scoring.grades import GRADE_SCALE, Grade, RubricItem, band_for, letter_for
from grader.scoring.phases import (
    RESOLUTION_POINTS,
    bug_hunt_grade,
    code_crucible_grade,
    difficult_client_grade,
    imposter_grade,
    time_fraction,
    war_room_grade,
)

__all__ = [
    "GRADE_SCALE",
    "RESOLUTION_POINTS",
    "Grade",
    "RubricItem",
    "band_for",
    "bug_hunt_grade",
    "code_crucible_grade",
    "difficult_client_grade",
    "imposter_grade",
    "letter_for",
    "time_fraction",
    "war_room_grade",
]
