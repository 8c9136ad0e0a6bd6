"""The submission policy through the real sandbox: a perfect Submit, then one that does not even parse."""

from __future__ import annotations

from lti_app.dispatch import get_dispatcher
from lti_app.extensions import db
from lti_app.models import GradeRow
from tests.phases.difficult_client.students import EXPERT, GOOD_CODE, SCENARIO


def test_a_syntax_error_submit_after_a_perfect_one_does_not_lower_the_grade_under_best(dc_session, make_app):
    """The issue's case: all hidden tests passed, then a syntax error; "best" keeps the first, "latest" takes
    the second (the instructor's explicit choice)."""
    grades = {}
    app = make_app()
    for policy in ("best", "latest"):
        session = dc_session(app=app, resource_link_id=f"link-{policy}",
                             custom={"phase": "difficult_client", "scenario": SCENARIO, "submission_policy": policy})
        for text in EXPERT:
            assert session.say(text).status_code == 200
        good = session.wait(session.queue("submit", GOOD_CODE).get_json()["submission"])
        hidden = good["result"]["hidden"]
        assert hidden["passed"] == hidden["total"] > 0
        broken = session.wait(session.queue("submit", "def orderable_days(:\n").get_json()["submission"])
        assert broken["result"]["hidden"]["passed"] == 0
        # The page says which Submit counts.
        assert f"your {policy} Submit counts" in session.page().get_data(as_text=True)
        assert session.finish().status_code == 202
        assert get_dispatcher(session.app).drain(60)
        grade = session.status()["grade"]
        grades[policy] = {i["item"]: i["points"] for i in grade["breakdown"]}["code_correctness"]
        with session.app.app_context():
            row = db.session.query(GradeRow).filter_by(attempt_id=session.attempt_row().id).one()
            assert row.inputs["submission_id"] == (good["id"] if policy == "best" else broken["id"])
    assert grades == {"best": 25.0, "latest": 0.0}
