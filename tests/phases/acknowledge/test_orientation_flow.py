"""The orientation activity end to end inside the tool: page → answers → queued grading → report card."""

from __future__ import annotations

import re

from lti_app.dispatch import get_dispatcher
from lti_app.extensions import db
from lti_app.models import Evaluation, GradeRow, Passback
from lti_app.security import csrf_token

RIGHT = {"scores": "rubric", "hidden": "discover", "sandbox": "sandbox", "resolution": "revert"}


def _csrf(app, launch_id: str) -> str:
    with app.test_request_context():
        return csrf_token(launch_id)


def test_student_answers_are_graded_through_the_queue(make_app, seed_launch, database_url):
    app = make_app(CR_DATABASE_URL=database_url)
    launch_id = seed_launch(app)
    client = app.test_client()

    page = client.get(f"/a/{launch_id}")
    assert page.status_code == 200
    assert b"Orientation" in page.data
    # The answer key never reaches the page.
    assert b"rubric" in page.data  # an option value is fine to show...
    assert b"_ANSWER_KEY" not in page.data

    answers = {**RIGHT, "resolution": "force", "csrf_token": _csrf(app, launch_id)}
    response = client.post(f"/a/{launch_id}/acknowledge", data=answers)
    assert response.status_code == 303
    assert get_dispatcher(app).drain(30)

    report = client.get(f"/a/{launch_id}")
    assert report.status_code == 200
    assert re.search(rb"data-letter>C\+<", report.data)  # 3 of 4 right → 75.0 → C+
    with app.app_context():
        grade = db.session.query(GradeRow).one()
        assert grade.score == 75.0 and grade.letter == "C+"
        assert [i["points"] for i in grade.breakdown] == [25.0, 25.0, 25.0, 0.0]
        assert grade.inputs["answers"]["resolution"] == "force"
        passback = db.session.query(Passback).one()
        # No AGS line item was granted in this launch: the delivery fails with a reason, visibly.
        assert passback.status == "failed" and "AGS" in passback.last_error

    status = client.get(f"/api/a/{launch_id}/status").get_json()
    assert status["grade"]["letter"] == "C+"
    assert status["passback"]["state"] == "failed"
    assert "state" not in status["attempt"] or status["attempt"]["status"] == "closed"


def test_report_page_shows_grading_in_progress_at_every_stage(make_app, seed_launch):
    # Redis unreachable: the evaluation stays queued with no queue position, as during an outage.
    app = make_app(CR_QUEUE_MODE="rq", CR_REDIS_URL="redis://127.0.0.1:1/0")
    launch_id = seed_launch(app)
    client = app.test_client()
    answers = {**RIGHT, "csrf_token": _csrf(app, launch_id)}
    assert client.post(f"/a/{launch_id}/acknowledge", data=answers).status_code == 303
    for state in ("queued", "running", "retry", "failed"):
        with app.app_context():
            evaluation = db.session.query(Evaluation).one()
            evaluation.status = state
            db.session.commit()
        page = client.get(f"/a/{launch_id}")
        assert page.status_code == 200, (state, page.data[-500:])
        assert b"Your work is being graded" in page.data
        status = client.get(f"/api/a/{launch_id}/status").get_json()
        assert status["evaluation"]["state"] == state
