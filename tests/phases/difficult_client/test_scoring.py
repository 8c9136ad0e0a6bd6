"""The Difficult Client's rubric: its weights, every item within its own bounds, and monotonicity."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from grader.phases.difficult_client.scoring import WEIGHTS, difficult_client_grade

frac = st.floats(min_value=-1.0, max_value=2.0, allow_nan=False)
count = st.integers(min_value=-3, max_value=40)


@given(frac, frac, count, count, frac)
def test_each_item_stays_within_0_and_its_maximum(c, q, passed, total, quality):
    # Grade.from_items clamps only the total: each item must be bounded by the formula itself.
    grade = difficult_client_grade(constraint_fraction=c, question_quality=q, tests_passed=passed,
                                   tests_total=total, code_quality=quality)
    for item in grade.items:
        assert 0.0 <= item.points <= item.max_points == WEIGHTS[item.item]
        assert item.evidence
    assert grade.score == round(sum(i.points for i in grade.items), 2)


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.integers(0, 10), st.floats(0, 1))
def test_more_found_or_more_passed_is_never_worse(c1, c2, q, passed, quality):
    lo, hi = sorted((c1, c2))
    a = difficult_client_grade(constraint_fraction=lo, question_quality=q, tests_passed=passed,
                               tests_total=10, code_quality=quality)
    b = difficult_client_grade(constraint_fraction=hi, question_quality=q, tests_passed=passed,
                               tests_total=10, code_quality=quality)
    assert b.score >= a.score
    more = difficult_client_grade(constraint_fraction=lo, question_quality=q, tests_passed=min(10, passed + 1),
                                  tests_total=10, code_quality=quality)
    assert more.score >= a.score


def test_weights_and_figures():
    full = difficult_client_grade(constraint_fraction=1, question_quality=1, tests_passed=4, tests_total=4,
                                  code_quality=1)
    assert full.score == 100 and full.letter == "A+"
    assert {i.item: i.max_points for i in full.items} == {
        "constraints": 40, "question_quality": 20, "code_correctness": 25, "code_quality": 15}
    half = difficult_client_grade(constraint_fraction=0.5, question_quality=0.5, tests_passed=2,
                                  tests_total=4, code_quality=0.5)
    assert half.score == 50 and half.letter == "F"
    odd = difficult_client_grade(constraint_fraction=0.8, question_quality=0.5, tests_passed=9, tests_total=8,
                                 code_quality=0)
    assert {i.item: i.points for i in odd.items} == {
        "constraints": 32, "question_quality": 10, "code_correctness": 25, "code_quality": 0}
    assert next(i.evidence for i in odd.items if i.item == "code_correctness") == "8/8 hidden tests passed"
