"""Bounds, monotonicity and the seed's exact figures for every phase formula."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.scoring import (
    RESOLUTION_POINTS,
    band_for,
    bug_hunt_grade,
    code_crucible_grade,
    difficult_client_grade,
    imposter_grade,
    letter_for,
    war_room_grade,
)

frac = st.floats(min_value=-1.0, max_value=2.0, allow_nan=False)
count = st.integers(min_value=-3, max_value=40)
secs = st.floats(min_value=-10.0, max_value=10_000.0, allow_nan=False)


def _check(grade):
    assert 0.0 <= grade.score <= 100.0
    assert grade.letter == letter_for(grade.score)
    low, high = band_for(grade.letter)
    assert low <= grade.score <= high
    for item in grade.items:
        assert item.points <= max(item.max_points, 0.0) + 1e-9
        assert item.evidence
    json.dumps(grade.to_dict())


@given(frac, frac, count, count, frac)
def test_difficult_client_bounds(c, q, passed, total, quality):
    _check(difficult_client_grade(constraint_fraction=c, question_quality=q, tests_passed=passed,
                                  tests_total=total, code_quality=quality))


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.integers(0, 10), st.floats(0, 1))
def test_difficult_client_monotone(c1, c2, q, passed, quality):
    lo, hi = sorted((c1, c2))
    a = difficult_client_grade(constraint_fraction=lo, question_quality=q, tests_passed=passed,
                               tests_total=10, code_quality=quality)
    b = difficult_client_grade(constraint_fraction=hi, question_quality=q, tests_passed=passed,
                               tests_total=10, code_quality=quality)
    assert b.score >= a.score
    more = difficult_client_grade(constraint_fraction=lo, question_quality=q, tests_passed=min(10, passed + 1),
                                  tests_total=10, code_quality=quality)
    assert more.score >= a.score


def test_difficult_client_weights():
    full = difficult_client_grade(constraint_fraction=1, question_quality=1, tests_passed=4, tests_total=4,
                                  code_quality=1)
    assert full.score == 100 and full.letter == "A+"
    assert {i.item: i.max_points for i in full.items} == {
        "constraints": 40, "question_quality": 20, "code_correctness": 25, "code_quality": 15}
    half = difficult_client_grade(constraint_fraction=0.5, question_quality=0.5, tests_passed=2,
                                  tests_total=4, code_quality=0.5)
    assert half.score == 50 and half.letter == "F"


@given(count, count, frac, secs, secs)
def test_code_crucible_bounds(passed, total, quality, runtime, reference):
    _check(code_crucible_grade(tests_passed=passed, tests_total=total, quality=quality,
                               runtime_seconds=runtime, reference_seconds=reference))


@given(st.integers(0, 10), st.floats(0.01, 10), st.floats(0.01, 10))
def test_code_crucible_faster_is_not_worse(passed, r1, r2):
    fast, slow = sorted((r1, r2))
    a = code_crucible_grade(tests_passed=passed, tests_total=10, quality=0.5, runtime_seconds=fast,
                            reference_seconds=1.0)
    b = code_crucible_grade(tests_passed=passed, tests_total=10, quality=0.5, runtime_seconds=slow,
                            reference_seconds=1.0)
    assert a.score >= b.score


def test_code_crucible_figures():
    g = code_crucible_grade(tests_passed=10, tests_total=10, quality=1, runtime_seconds=0.5, reference_seconds=1)
    assert g.score == 100
    wrong_but_fast = code_crucible_grade(tests_passed=0, tests_total=10, quality=0, runtime_seconds=0.01,
                                         reference_seconds=1)
    assert wrong_but_fast.score == 0


@given(count, st.integers(0, 8), count, count)
def test_bug_hunt_bounds(fixed, total, hints, subs):
    _check(bug_hunt_grade(bugs_fixed=fixed, bugs_total=total, hints_used=hints, submissions=subs))


@given(st.integers(0, 4), st.integers(0, 5), st.integers(1, 8))
def test_bug_hunt_monotone(fixed, hints, subs):
    base = bug_hunt_grade(bugs_fixed=fixed, bugs_total=4, hints_used=hints, submissions=subs)
    assert bug_hunt_grade(bugs_fixed=min(4, fixed + 1), bugs_total=4, hints_used=hints,
                          submissions=subs).score >= base.score
    assert bug_hunt_grade(bugs_fixed=fixed, bugs_total=4, hints_used=hints + 1,
                          submissions=subs).score <= base.score
    assert bug_hunt_grade(bugs_fixed=fixed, bugs_total=4, hints_used=hints,
                          submissions=subs + 1).score <= base.score


def test_bug_hunt_figures():
    assert bug_hunt_grade(bugs_fixed=4, bugs_total=4, hints_used=0, submissions=3).score == 100  # 110 capped
    assert bug_hunt_grade(bugs_fixed=4, bugs_total=4, hints_used=1, submissions=2).score == 100
    assert bug_hunt_grade(bugs_fixed=4, bugs_total=4, hints_used=2, submissions=4).score == 80
    assert bug_hunt_grade(bugs_fixed=3, bugs_total=4, hints_used=1, submissions=1).score == 65
    assert bug_hunt_grade(bugs_fixed=0, bugs_total=4, hints_used=3, submissions=1).score == 0


@given(frac, frac, secs, secs, secs, count, count)
def test_war_room_bounds(rc, fq, el, target, limit, steps, expected):
    _check(war_room_grade(root_cause=rc, fix_quality=fq, elapsed_seconds=el, target_seconds=target,
                          limit_seconds=limit, systematic_steps=steps, expected_steps=expected))


@given(st.floats(0, 3600), st.floats(0, 3600))
def test_war_room_slower_is_not_better(t1, t2):
    quick, slow = sorted((t1, t2))
    kw = dict(root_cause=1, fix_quality=1, target_seconds=600, limit_seconds=1800, systematic_steps=3,
              expected_steps=4)
    assert war_room_grade(elapsed_seconds=quick, **kw).score >= war_room_grade(elapsed_seconds=slow, **kw).score


def test_war_room_figures():
    g = war_room_grade(root_cause=1, fix_quality=1, elapsed_seconds=1200, target_seconds=600,
                       limit_seconds=1800, systematic_steps=3, expected_steps=4)
    assert g.score == pytest.approx(30 + 20 + 17.5 + 11.25)


@given(st.booleans(), st.booleans(), st.sampled_from(sorted(RESOLUTION_POINTS)), secs, secs, secs)
def test_imposter_bounds(who, commit, resolution, el, target, limit):
    _check(imposter_grade(imposter_identified=who, commit_identified=commit, resolution=resolution,
                          elapsed_seconds=el, target_seconds=target, limit_seconds=limit))


@pytest.mark.parametrize(("resolution", "points"), [("revert", 30), ("reset_soft", 15), ("manual", 5)])
def test_imposter_resolution_points(resolution, points):
    g = imposter_grade(imposter_identified=True, commit_identified=True, resolution=resolution,
                       elapsed_seconds=0, target_seconds=300, limit_seconds=900)
    assert g.score == 35 + 20 + points + 15


def test_imposter_force_push_is_punished_and_ordering_holds():
    kw = dict(imposter_identified=True, commit_identified=True, elapsed_seconds=0, target_seconds=300,
              limit_seconds=900)
    scores = [imposter_grade(resolution=r, **kw).score for r in ("revert", "reset_soft", "manual", "none",
                                                                  "force_push")]
    assert scores == sorted(scores, reverse=True)
    assert scores[-1] == 35 + 20 - 50 + 15
    with pytest.raises(ValueError, match="unknown resolution"):
        imposter_grade(resolution="rebase", **kw)
