"""The Bug Hunt's scripted students through the web (real queue, real sandbox, SQLite and PostgreSQL), ranked as
the issue ranks them: fixes all four at once > over three Submits with one hint > fixes two > deletes the body.

The rubric is the seed's (25 per bug, −10 per hint, +10 for all four within three Submits, clamped to 0–100), so
the first two both reach 100: the first by 110 before the clamp, the second by exactly 100. Their breakdowns
keep the order."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.phases.bug_hunt.web_fixtures import (
    BhSession,
    bh_session_fixture,  # noqa: F401  (the bh_session fixture)
    body_deleted,
    fixing,
)

ALL = ("syntax", "logic", "runtime", "type")


def all_at_once(s: BhSession) -> None:
    assert s.submit(fixing(s.exercise(), *ALL))["result"]["bugs_fixed"] == 4


def three_submits_one_hint(s: BhSession) -> None:
    exercise = s.exercise()
    assert s.submit(fixing(exercise, "syntax"))["result"]["bugs_fixed"] == 1
    assert s.hint(taken=0).status_code == 200
    assert s.submit(fixing(exercise, "syntax", "logic", "type"))["result"]["bugs_fixed"] == 3
    assert s.submit(fixing(exercise, *ALL))["result"]["bugs_fixed"] == 4


def fixes_two(s: BhSession) -> None:
    assert s.submit(fixing(s.exercise(), "syntax", "runtime"))["result"]["bugs_fixed"] == 2


def deletes_the_body(s: BhSession) -> None:
    result = s.submit(body_deleted(s.exercise()))["result"]
    assert result["bugs_fixed"] == 0 and result["tests"]["passed"] < result["tests"]["total"]


STUDENTS: list[tuple[Callable[[BhSession], None], float, float]] = [
    # (the student, score, the breakdown's points before the clamp)
    (all_at_once, 100.0, 110.0),
    (three_submits_one_hint, 100.0, 100.0),
    (fixes_two, 50.0, 50.0),
    (deletes_the_body, 0.0, 0.0),
]


@pytest.fixture
def app(make_app, database_url):
    return make_app(CR_DATABASE_URL=database_url)


def test_scripted_students_rank_as_the_issue_says(app, bh_session):
    results = []
    for number, (student, score, unclamped) in enumerate(STUDENTS):
        s = bh_session(app, resource_link_id=f"link-{number}")
        student(s)
        assert s.finish().status_code == 202
        grade = s.graded()
        points = sum(item["points"] for item in grade.breakdown)
        assert (grade.score, points) == (score, unclamped), (student.__name__, grade.breakdown)
        results.append((grade.score, points))
    assert results == sorted(results, reverse=True) and len(set(results)) == len(results)
    assert [r[0] for r in results] == [100.0, 100.0, 50.0, 0.0]


def test_the_latest_policy_counts_the_last_submit_and_a_regrade_reproduces_the_grade(app, bh_session, seed_launch):
    s = bh_session(app, custom={"phase": "bug_hunt", "scenario": "invoice_total", "language": "python",
                                "submission_policy": "latest"})
    exercise = s.exercise()
    s.submit(fixing(exercise, *ALL))
    s.submit(fixing(exercise, "syntax"))
    s.finish()
    first = s.graded()
    assert first.score == 25.0 and first.inputs["policy"] == "latest"
    teacher = seed_launch(app, role="Instructor", custom={"phase": "bug_hunt"})
    attempt_id = s.attempt_row().id
    assert s.client.post(f"/i/{teacher}/attempts/{attempt_id}/regrade",
                         headers={"X-CSRF-Token": s.csrf_for(teacher)}).status_code == 303
    again = s.graded()
    assert again.id != first.id and (again.score, again.breakdown, again.inputs["fixed"]) == \
        (first.score, first.breakdown, first.inputs["fixed"])
