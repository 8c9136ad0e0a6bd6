"""Every request is authorised against the launch that opened it (attacker's side)."""

from __future__ import annotations

from lti_app.dispatch import get_dispatcher
from lti_app.extensions import db
from lti_app.grading import request_evaluation
from lti_app.models import Attempt, Evaluation, GradeRow, Passback
from lti_app.security import csrf_token


def _token(app, launch_id: str) -> str:
    with app.test_request_context():
        return csrf_token(launch_id)


def _graded_attempt(app, seed_launch, **launch) -> tuple[str, int, int]:
    launch_id = seed_launch(app, **launch)
    with app.app_context():
        attempt = db.session.query(Attempt).order_by(Attempt.id.desc()).first()
        attempt.state = {"answers": {"scores": "rubric"}}
        db.session.commit()
        request_evaluation(attempt)
        attempt_id = attempt.id
    assert get_dispatcher(app).drain(30)
    with app.app_context():
        grade_id = db.session.query(GradeRow).filter_by(attempt_id=attempt_id).one().id
    return launch_id, attempt_id, grade_id


def test_unknown_or_forged_launch_ids_are_refused(make_app):
    client = make_app().test_client()
    for path in ("/a/not-a-launch", "/api/a/not-a-launch/status", "/i/not-a-launch", "/a/" + "x" * 500):
        response = client.get(path)
        assert response.status_code == 401, path
    assert client.get("/api/a/nope/status").get_json()["error"] == "launch_expired"


def test_a_learner_cannot_open_instructor_pages(make_app, seed_launch):
    app = make_app()
    launch_id = seed_launch(app, role="Learner")
    client = app.test_client()
    response = client.get(f"/i/{launch_id}")
    assert response.status_code == 403 and b"not_instructor" in response.data


def test_state_changes_need_the_csrf_token_of_the_same_launch(make_app, seed_launch):
    app = make_app()
    mine = seed_launch(app)
    other = seed_launch(app, resource_link_id="link-2")
    client = app.test_client()
    answers = {"scores": "rubric", "hidden": "discover", "sandbox": "sandbox", "resolution": "revert"}
    assert client.post(f"/a/{mine}/acknowledge", data=answers).status_code == 403
    assert client.post(f"/a/{mine}/acknowledge", data={**answers, "csrf_token": _token(app, other)}).status_code == 403
    with app.app_context():
        assert db.session.query(Evaluation).count() == 0  # nothing happened
    assert client.post(f"/a/{mine}/acknowledge", data={**answers, "csrf_token": _token(app, mine)}).status_code == 303


def test_an_instructor_reaches_only_their_own_activity(make_app, seed_launch):
    app = make_app()
    # A graded student attempt in course B.
    _, victim_attempt, victim_grade = _graded_attempt(app, seed_launch, context_id="course-B", resource_link_id="b")
    # An instructor of course A tries ids from course B.
    teacher = seed_launch(app, role="Instructor", context_id="course-A", resource_link_id="a")
    client = app.test_client()
    token = _token(app, teacher)
    assert client.get(f"/i/{teacher}/attempts/{victim_attempt}").status_code == 404
    assert client.post(f"/i/{teacher}/attempts/{victim_attempt}/regrade", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/i/{teacher}/grades/{victim_grade}/resend", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.query(Passback).count() == 1 and db.session.query(Evaluation).count() == 1


def test_instructor_sees_breakdown_resends_and_regrades(make_app, seed_launch):
    app = make_app()
    _, attempt_id, grade_id = _graded_attempt(app, seed_launch, sub="student-7")
    teacher = seed_launch(app, role="Instructor")
    client = app.test_client()
    token = _token(app, teacher)

    results = client.get(f"/i/{teacher}")
    assert results.status_code == 200
    assert b'data-student="student-7"' in results.data and b"data-letter>F<" in results.data
    detail = client.get(f"/i/{teacher}/attempts/{attempt_id}")
    assert b"Question: Who decides your score" in detail.data

    assert client.post(f"/i/{teacher}/grades/{grade_id}/resend", data={"csrf_token": token}).status_code == 303
    assert client.post(f"/i/{teacher}/attempts/{attempt_id}/regrade", data={"csrf_token": token}).status_code == 303
    assert get_dispatcher(app).drain(30)
    with app.app_context():
        grades = db.session.query(GradeRow).filter_by(attempt_id=attempt_id).order_by(GradeRow.id).all()
        # The regrade recomputed the same grade from the recorded inputs.
        assert [(g.score, g.letter) for g in grades] == [(25.0, "F"), (25.0, "F")]
        assert grades[1].inputs["reason"] == "regrade"
        passbacks = db.session.query(Passback).order_by(Passback.id).all()
        assert len(passbacks) == 3
        stamps = [p.score_timestamp for p in passbacks]
        assert stamps == sorted(stamps) and len(set(stamps)) == 3  # strictly increasing, to the second


def test_a_closed_attempt_refuses_more_answers_and_limits_attempts(make_app, seed_launch):
    app = make_app()
    launch_id = seed_launch(app, custom={"phase": "acknowledge", "max_attempts": "1"})
    client = app.test_client()
    token = _token(app, launch_id)
    answers = {
        "scores": "rubric",
        "hidden": "discover",
        "sandbox": "sandbox",
        "resolution": "revert",
        "csrf_token": token,
    }
    assert client.post(f"/a/{launch_id}/acknowledge", data=answers).status_code == 303
    assert client.post(f"/a/{launch_id}/acknowledge", data=answers).status_code == 409  # double submit
    assert get_dispatcher(app).drain(30)
    assert client.post(f"/a/{launch_id}/attempts", data={"csrf_token": token}).status_code == 409
    with app.app_context():
        assert db.session.query(GradeRow).count() == 1


def test_malformed_answers_get_a_clear_error_and_lose_nothing(make_app, seed_launch):
    app = make_app()
    launch_id = seed_launch(app)
    client = app.test_client()
    token = _token(app, launch_id)
    cases = [
        {"scores": "rubric"},  # incomplete
        {"scores": "rubric", "hidden": "discover", "sandbox": "sandbox", "resolution": "\x00\xff" * 100},
        {"scores": "rubric", "hidden": "discover", "sandbox": "sandbox", "resolution": "revert", "extra": "1"},
    ]
    for answers in cases:
        response = client.post(f"/a/{launch_id}/acknowledge", data={**answers, "csrf_token": token})
        assert response.status_code == 400 and b'role="alert"' in response.data
    response = client.post(
        f"/a/{launch_id}/acknowledge", data="[1, 2]", headers={"X-CSRF-Token": token}, content_type="application/json"
    )
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_answers"
    with app.app_context():
        attempt = db.session.query(Attempt).one()
        assert attempt.status == "open" and db.session.query(Evaluation).count() == 0
