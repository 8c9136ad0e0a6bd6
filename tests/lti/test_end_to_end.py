"""The whole product over real HTTP: an LMS adds the orientation activity by deep linking, a student
launches and answers, the in-process worker grades, and the LMS receives the letter grade via AGS."""

from __future__ import annotations

from urllib.parse import urljoin

from grader.scoring import band_for
from lti_app.dispatch import get_dispatcher
from tests.lti.conftest import add_activity
from tests.support.browser import forms_in

# The orientation activity's answers (3 of 4 right → 75.0 → C+), as in
# tests/phases/acknowledge/test_orientation_flow.py.
ANSWERS = {"scores": "rubric", "hidden": "discover", "sandbox": "sandbox", "resolution": "force"}


def test_grade_reaches_the_lms_gradebook(tool, lms, browser):
    link_id = add_activity(browser, lms, phase="acknowledge", title="Orientation")
    student = lms.users[1]
    launched = browser.launch(lms.base_url, student.id, link=link_id)
    assert launched.status_code == 302, launched.text[:300]
    page_url = urljoin(tool.url, launched.headers["Location"])
    page = browser.get(page_url)
    assert page.status_code == 200
    form = next(f for f in forms_in(page.text) if "csrf_token" in f["fields"])
    answered = browser.post(urljoin(page_url, form["action"]),
                            data={**ANSWERS, "csrf_token": form["fields"]["csrf_token"]}, allow_redirects=False)
    assert answered.status_code == 303, answered.text[:300]
    assert get_dispatcher(tool.app).drain(60)

    received = [s for s in lms.store.state.scores if s.user_id == student.id]
    assert [s.status for s in received] == [200]
    payload = received[0].payload
    assert payload["comment"].startswith("C+")
    low, high = band_for("C+")
    assert low <= payload["scoreGiven"] < high and payload["scoreMaximum"] == 100
    assert (payload["activityProgress"], payload["gradingProgress"]) == ("Completed", "FullyGraded")
    assert lms.store.state.links[link_id].lineitem_id == received[0].lineitem_id
