"""A resource link that carries no CodeResidency parameters (Moodle's "Add an activity" without "Select
content", a Canvas course-navigation link): the instructor configures it in place with the picker, a student
meanwhile gets a friendly "not set up yet" page, over real HTTP with both LMS shapes."""

from __future__ import annotations

from urllib.parse import urljoin

from lti_app.extensions import db
from lti_app.models import Activity, Attempt
from tests.lti.conftest import bare_link
from tests.support.browser import forms_in


def _activity(tool, link_id: str) -> Activity:
    with tool.app.app_context():
        activity = db.session.scalar(db.select(Activity).filter_by(resource_link_id=link_id))
        assert activity is not None
        db.session.expunge(activity)
        return activity


def test_instructor_configures_a_bare_link_in_place_and_students_then_play_it(tool, lms, browser):
    link_id = bare_link(lms, browser)
    student, instructor = lms.users[1], lms.users[0]

    # A student first: a friendly page (200), naming the link and what to tell the instructor; no attempt.
    waiting = browser.launch(lms.base_url, student.id, link=link_id)
    assert waiting.status_code == 200, waiting.text[:500]
    assert "This activity is not set up yet" in waiting.text and "activity_not_configured" in waiting.text
    assert "Tell your instructor" in waiting.text and "CodeResidency" in waiting.text
    assert "Software Engineering 101" in waiting.text  # the course, so the instructor knows which link
    assert tool.count(Attempt) == 0

    # The instructor gets the picker for this very link (no deep linking involved).
    launched = browser.launch(lms.base_url, instructor.id, link=link_id)
    assert launched.status_code in (302, 303), launched.text[:500]
    picker = browser.get(urljoin(tool.url, launched.headers["Location"]))
    assert picker.status_code == 200 and 'id="phase"' in picker.text
    assert "Set up this activity" in picker.text
    (form,) = forms_in(picker.text)
    action = urljoin(picker.url, form["action"])
    token = form["fields"]["csrf_token"]
    assert 'name="title"' not in picker.text  # the LMS owns the link's title

    # The same validation as deep linking: an option the phase does not use is refused; nothing stored.
    refused = browser.post(action, data={"csrf_token": token, "phase": "acknowledge", "time_limit": "30"})
    assert refused.status_code == 400 and "does not use the option “time limit”" in refused.text
    assert _activity(tool, link_id).phase == ""
    # The no-JavaScript phase switch renders the picker again, for that phase, posting to the same place.
    shown = browser.post(action, data={"csrf_token": token, "phase": "difficult_client", "show_options": "1"})
    assert shown.status_code == 200 and 'data-phase="difficult_client"' in shown.text
    assert forms_in(shown.text)[0]["action"] == form["action"]

    done = browser.post(action, allow_redirects=False, data={
        "csrf_token": token, "phase": "difficult_client", "difficulty": "hard", "time_limit": "45",
        "max_attempts": "3", "grade_policy": "latest", "submission_policy": "best"})
    assert done.status_code == 303, done.text[:500]
    results = browser.get(urljoin(tool.url, done.headers["Location"]))
    assert results.status_code == 200 and "/i/" in results.url
    activity = _activity(tool, link_id)
    assert (activity.phase, activity.max_attempts) == ("difficult_client", 3)
    assert {"difficulty": "hard", "time_limit": "45", "grade_policy": "latest",
            "submission_policy": "best"}.items() <= activity.options.items()
    # Used once: the configured link is not configured again from a stale picker.
    again = browser.post(action, allow_redirects=False, data={"csrf_token": token, "phase": "acknowledge"})
    assert again.status_code == 303 and _activity(tool, link_id).phase == "difficult_client"

    # The instructor's next launch goes to the results; the student now gets an attempt of the chosen phase.
    relaunched = browser.launch(lms.base_url, instructor.id, link=link_id)
    assert "/i/" in relaunched.headers["Location"]
    played = browser.launch(lms.base_url, student.id, link=link_id)
    assert played.status_code == 302 and "/a/" in played.headers["Location"], played.text[:300]
    assert tool.count(Attempt) == 1


def test_configuring_a_link_needs_the_instructors_launch_and_its_csrf_token(tool, make_lms, browser):
    lms = make_lms("moodle", tool)
    link_id = bare_link(lms, browser)
    launched = browser.launch(lms.base_url, lms.users[0].id, link=link_id)
    picker = browser.get(urljoin(tool.url, launched.headers["Location"]))
    (form,) = forms_in(picker.text)
    action = urljoin(picker.url, form["action"])
    choice = {"phase": "acknowledge", "max_attempts": "1"}

    forged = browser.post(action, data={**choice, "csrf_token": "forged"}, allow_redirects=False)
    assert forged.status_code == 403 and "csrf" in forged.text.lower()
    missing = browser.post(action, data=choice, allow_redirects=False)
    assert missing.status_code == 403
    # A student's launch of the same link cannot open or use the picker, even with its own CSRF token.
    student = browser.launch(lms.base_url, lms.users[1].id, link=link_id)
    assert student.status_code == 200
    from lti_app.models.lti import LtiLaunch
    from lti_app.security import csrf_token

    with tool.app.app_context():
        student_launch = db.session.scalars(db.select(LtiLaunch).filter_by(user_sub=lms.users[1].id)).one()
        student_id = student_launch.launch_id
        student_token = csrf_token(student_id)
    student_action = action.replace(action.rsplit("/", 1)[1], student_id)
    assert browser.get(student_action).status_code == 403
    assert browser.post(student_action, data={**choice, "csrf_token": student_token}).status_code == 403
    assert browser.post(action.replace(action.rsplit("/", 1)[1], "not-a-launch"),
                        data={**choice, "csrf_token": "x"}).status_code == 401
    assert _activity(tool, link_id).phase == ""
