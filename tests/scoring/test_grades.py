"""The grade scale and the grade every phase returns: letters at their exact boundaries, clamping, bands."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.scoring import (
    GRADE_SCALE,
    SCORE_DECIMALS,
    Grade,
    RubricItem,
    band_for,
    count_of,
    format_score,
    letter_for,
    points,
    ratio,
)

BOUNDARIES = [(100, "A+"), (95, "A+"), (94.99, "A"), (90, "A"), (89.99, "B+"), (85, "B+"), (84.99, "B"), (80, "B"),
              (79.99, "C+"), (75, "C+"), (74.99, "C"), (70, "C"), (69.99, "D"), (60, "D"), (59.99, "F"), (0, "F")]


@pytest.mark.parametrize(("score", "letter"), BOUNDARIES)
def test_letters_change_exactly_at_the_published_minimums(score, letter):
    assert letter_for(score) == letter


def test_the_scale_is_the_published_one():
    assert [letter for _, letter in GRADE_SCALE] == ["A+", "A", "B+", "B", "C+", "C", "D", "F"]


@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test_every_score_lies_in_its_letters_band(score):
    low, high = band_for(letter_for(score))
    assert low <= score <= high


def test_a_letter_off_the_scale_has_no_band():
    with pytest.raises(ValueError, match="unknown letter"):
        band_for("A-")


@given(st.lists(st.floats(min_value=-200, max_value=200, allow_nan=False), min_size=1, max_size=6))
def test_a_grade_sums_its_items_and_clamps_to_0_100(values):
    grade = Grade.from_items([RubricItem(f"item {i}", v, 50.0, "why") for i, v in enumerate(values)])
    assert grade.score == round(min(100.0, max(0.0, sum(values))), SCORE_DECIMALS)
    assert format_score(grade.score) == f"{grade.score:.1f}"  # shown exactly as stored and sent
    assert grade.letter == letter_for(grade.score)
    assert [i["points"] for i in json.loads(json.dumps(grade.to_dict()))["items"]] == values


def test_shared_arithmetic_clamps_and_rounds():
    assert ratio(3, 0) == 0.0 and ratio(5, 4) == 1.0 and ratio(-1, 4) == 0.0 and ratio(1, 4) == 0.25
    assert points(12.3456) == 12.3 and points(12.35001) == 12.4  # the grade's one rounding
    assert count_of(9, 8) == "8/8" and count_of(-2, 8) == "0/8" and count_of(1, -3) == "0/0"
