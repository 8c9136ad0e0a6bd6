"""An accommodation set before the student's first launch (the NRPS roster names them) shapes their first
attempt: the time limit is stretched from the very start."""

from __future__ import annotations

from urllib.parse import urljoin

from lti_app.extensions import db
from lti_app.models import Attempt, User
from tests.lti.conftest import add_activity
from tests.support.browser import forms_in


def test_a_roster_student_who_has_not_launched_gets_an_accommodation_that_their_first_attempt_honours(
        tool, make_lms, browser):
    lms = make_lms("canvas", tool)
    link_id = add_activity(browser, lms, phase="difficult_client", scenario="angry_bakery_owner", time_limit="30",
                           max_attempts="1")
    teacher = browser.launch(lms.base_url, lms.users[0].id, link=link_id)
    results_url = urljoin(tool.url, teacher.headers["Location"])
    results = browser.get(results_url).text
    brian = lms.users[2]
    assert "Brian Student" in results and "not started" in results
    form = next(f for f in forms_in(results) if f["fields"].get("sub") == brian.id)
    saved = browser.post(urljoin(results_url, form["action"]), allow_redirects=False,
                         data={**form["fields"], "time_multiplier": "2", "extra_minutes": "15"})
    assert saved.status_code == 303, saved.text[:300]
    assert "time ×2, +15 min" in browser.get(urljoin(results_url, saved.headers["Location"])).text
    with tool.app.app_context():
        assert db.session.query(User).filter_by(sub=brian.id).one().name == "Brian Student"  # from the roster

    assert browser.launch(lms.base_url, brian.id, link=link_id).status_code == 302
    with tool.app.app_context():
        attempt = db.session.query(Attempt).join(User).filter(User.sub == brian.id).one()
        assert (attempt.deadline_at - attempt.started_at).total_seconds() == (30 * 2 + 15) * 60
