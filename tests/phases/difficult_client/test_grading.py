"""Scripted students through the HTTP API: grades come out in the right order, reproducibly, with an
instructor view of the transcript, the Director's judgements, the breakdown and the passback."""

from __future__ import annotations

from grader.scoring import GRADE_SCALE
from lti_app.dispatch import get_dispatcher
from lti_app.extensions import db
from lti_app.models import GradeRow, Message
from lti_app.security import csrf_token
from tests.phases.difficult_client.students import CARELESS, EXPERT, GOOD_CODE, WEAK_CODE

# The scale's letters, worst first (the scale itself lists them best first).
LETTER_ORDER = [letter for _, letter in reversed(GRADE_SCALE)]


def play(session, messages: list[str], code: str | None) -> dict:
    """The whole session as the page would drive it; returns the student's status after grading."""
    for text in messages:
        response = session.say(text, stream=True)
        assert response.status_code == 200
    if code is not None and session.state()["view"]["coding_task_unlocked"]:
        result = session.wait(session.queue("submit", code).get_json()["submission"])
        assert result["state"] == "done"
    finished = session.finish()
    assert finished.status_code == 202
    assert get_dispatcher(session.app).drain(60)
    status = session.status()
    assert status["attempt"]["status"] == "closed"
    return status


def test_expert_outscores_careless_and_the_same_transcript_grades_the_same(dc_session, make_app, database_url):
    app = make_app(CR_DATABASE_URL=database_url)
    expert = play(dc_session(app=app), EXPERT, GOOD_CODE)["grade"]
    careless = play(dc_session(app=app), CARELESS, GOOD_CODE)["grade"]
    replayed = play(dc_session(app=app), EXPERT, GOOD_CODE)["grade"]
    weaker_code = play(dc_session(app=app), EXPERT, WEAK_CODE)["grade"]

    assert expert["letter"] in ("A", "A+") and expert["score"] >= 90
    assert LETTER_ORDER.index(careless["letter"]) < LETTER_ORDER.index(expert["letter"])
    assert careless["score"] < 50
    points = {i["item"]: i["points"] for i in careless["breakdown"]}
    assert points["code_correctness"] == 0.0  # never unlocked, so code cannot earn credit
    assert weaker_code["score"] < expert["score"]
    # Same messages and code in another attempt: the same grade, item by item.
    assert (replayed["score"], replayed["letter"], replayed["breakdown"]) == (
        expert["score"], expert["letter"], expert["breakdown"])
    items = {i["item"]: i["max_points"] for i in expert["breakdown"]}
    assert items == {"constraints": 40.0, "question_quality": 20.0, "code_correctness": 25.0, "code_quality": 15.0}
    # The report card's narrative reveals the constraints now that the attempt is closed.
    assert [c["status"] for c in expert["feedback"]["constraints"]] == ["found"] * 5
    assert "found" not in [c["status"] for c in careless["feedback"]["constraints"]]


def test_regrade_recomputes_the_same_grade_and_the_instructor_sees_judgements(dc_session, make_app, seed_launch):
    app = make_app()
    student = dc_session(app=app, lineitem_url="http://127.0.0.1:9/lineitems/1")
    grade = play(student, EXPERT[:4] + ["Just tell me about the mobile users already, this is a waste of my time."],
                 GOOD_CODE)["grade"]
    report = student.client.get(f"/a/{student.launch_id}/report").get_data(as_text=True)
    assert f"data-letter>{grade['letter']}<" in report and "What to work on" in report
    assert "Some messages came across as rude" in report

    teacher_launch = seed_launch(app, role="Instructor", custom={"phase": "difficult_client"})
    teacher = app.test_client()
    with app.app_context():
        attempt_id = db.session.query(GradeRow).one().attempt_id
        judgements = [m.judgement for m in db.session.query(Message).filter_by(role="student").order_by(Message.id)]
    assert len(judgements) == 5 and all("quality" in j and "target" in j for j in judgements)
    assert "rude" in judgements[-1]["flags"]
    page = teacher.get(f"/i/{teacher_launch}/attempts/{attempt_id}").get_data(as_text=True)
    assert "Transcript" in page and "heuristic_quality" in page and "Director:" in page
    assert "code_correctness" in page and "Gradebook:" in page

    hidden = teacher.get(f"/api/i/{teacher_launch}/dc/attempts/{attempt_id}").get_json()["session"]
    # The rude question earned nothing, not even a hint.
    assert [c["level"] for c in hidden["constraints"]] == ["full_reveal"] * 4 + ["nothing"]
    assert hidden["judgements"][-1]["flags"] == ["rude"] and hidden["discovered_fraction"] == 0.9
    # The same URL with the student's own launch is refused.
    refused = student.client.get(f"/api/i/{student.launch_id}/dc/attempts/{attempt_id}")
    assert refused.status_code == 403 and refused.get_json()["error"] == "not_instructor"

    with app.test_request_context():
        token = csrf_token(teacher_launch)
    regrade = teacher.post(f"/i/{teacher_launch}/attempts/{attempt_id}/regrade", data={"csrf_token": token})
    assert regrade.status_code == 303
    assert get_dispatcher(app).drain(60)
    with app.app_context():
        first, second = db.session.query(GradeRow).order_by(GradeRow.id).all()
        assert (second.score, second.letter, second.breakdown) == (first.score, first.letter, first.breakdown)
        assert second.inputs["reason"] == "regrade" and second.inputs["submission_id"] == first.inputs["submission_id"]


def test_a_second_attempt_starts_a_fresh_session(dc_session):
    s = dc_session()  # max_attempts 2
    first = play(s, EXPERT, GOOD_CODE)["grade"]
    report = s.client.get(f"/a/{s.launch_id}/report").get_data(as_text=True)
    assert "Start another attempt" in report
    again = s.client.post(f"/a/{s.launch_id}/attempts", data={"csrf_token": s.csrf})
    assert again.status_code == 303
    view = s.state()["view"]
    assert (view["turn"], view["progress"]["discovered"], view["coding_task_unlocked"]) == (0, 0, False)
    assert s.state()["submission"] is None
    second = play(s, CARELESS, None)["grade"]
    assert second["score"] < first["score"]
    assert s.attempt_row().number == 2
