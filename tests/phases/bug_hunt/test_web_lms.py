"""The Bug Hunt over real HTTP with the dev LMS, Canvas- and Moodle-shaped: the instructor places it through deep
linking (a pool of programs, hints, the phase's default of three Submits), a student launches, submits, takes a
hint and finishes, the grade reaches the LMS's gradebook, and the instructor's attempt page explains it."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest

from lti_app.dispatch import get_dispatcher
from lti_app.extensions import db
from lti_app.models import Activity, Attempt
from tests.phases.bug_hunt.web_fixtures import exercise_of_state, fixing
from tests.support.browser import forms_in
from tests.support.lms_flow import choose, created_link, queue_and_wait, show_options

POOL = ["invoice_total", "shipping_cost"]


@pytest.fixture(params=["canvas", "moodle"])
def lms(request: pytest.FixtureRequest, make_lms, tool):
    return make_lms(request.param, tool)


def place(browser, lms, tool) -> str:
    """The instructor's picker: the Bug Hunt's options only, the pool as ticked boxes; returns the link id."""
    action, token, shown_text = show_options(browser, lms, tool, "bug_hunt")
    assert re.search(r'id="hints" name="hints" type="number" min="0" max="10" value="3"', shown_text)
    assert 'id="max_submits" name="max_submits" type="number" min="0" max="100" value="3"' in shown_text
    assert 'name="seeding"' in shown_text and 'name="difficulty"' not in shown_text
    languages = shown_text.split('id="language"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\w+)"[^>]*>\1</option>', languages) == ["python", "javascript"]
    assert 'value="invoice_total" data-phase="bug_hunt"' in shown_text
    answer, custom = choose(browser, action, {"csrf_token": token, "phase": "bug_hunt", "scenario": POOL,
                                        "language": "python", "hints": "2", "max_submits": "", "time_limit": "30",
                                        "max_attempts": "1", "grade_policy": "best", "submission_policy": "best",
                                        "seeding": "student", "title": "Week 5: The Bug Hunt"})
    assert (custom["phase"], custom["scenario"], custom["hints"], custom["max_submits"]) == \
        ("bug_hunt", "invoice_total,shipping_cost", "2", "3")
    return created_link(browser, answer)


def test_placed_played_and_graded_through_the_lms(tool, lms, browser):
    link_id = place(browser, lms, tool)
    student = lms.users[1]
    launched = browser.launch(lms.base_url, student.id, link=link_id)
    assert launched.status_code == 302, launched.text[:300]
    page_url = urljoin(tool.url, launched.headers["Location"])
    launch_id = page_url.rstrip("/").split("/")[-1]
    page = browser.get(page_url)
    assert page.status_code == 200 and "The Bug Hunt:" in page.text and "You have 2 hints left." in page.text
    assert "You have 3 of 3 Submits left in this attempt." in page.text and "Time limit: 30 minutes." in page.text
    csrf = re.search(r'data-csrf="([0-9a-f]+)"', page.text).group(1)
    with tool.app.app_context():
        activity = db.session.scalars(db.select(Activity)).one()
        assert activity.options["scenario"] == "invoice_total,shipping_cost" and activity.options["hints"] == "2"
        attempt = db.session.scalars(db.select(Attempt)).one()
        exercise = exercise_of_state(attempt.state)
    assert exercise.program_id in POOL
    headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}

    def submit(source: str) -> dict:
        return queue_and_wait(browser, tool, f"{tool.url}/api/a/{launch_id}/code/submit", csrf, {"source": source})

    assert submit(fixing(exercise, "syntax"))["bugs_fixed"] == 1
    hint = browser.post(f"{tool.url}/api/a/{launch_id}/bh/hint", json={"hints_taken": 0}, headers=headers)
    assert hint.status_code == 200 and hint.json()["hints_left"] == 1
    assert submit(fixing(exercise, "syntax", "logic", "runtime", "type"))["bugs_fixed"] == 4
    finish_form = next(f for f in forms_in(browser.get(page_url).text) if f["action"].endswith("/bh/finish"))
    finished = browser.post(urljoin(page_url, finish_form["action"]), data=finish_form["fields"], allow_redirects=False)
    assert finished.status_code == 303 and finished.headers["Location"].endswith("/report")
    assert get_dispatcher(tool.app).drain(90)

    received = [s for s in lms.store.state.scores if s.user_id == student.id]
    assert [s.status for s in received] == [200]
    payload = received[0].payload
    assert payload["comment"].startswith("A+") and payload["scoreGiven"] == 100  # 4 × 25 − 10 + 10
    assert (payload["activityProgress"], payload["gradingProgress"]) == ("Completed", "FullyGraded")
    report = browser.get(urljoin(tool.url, finished.headers["Location"]))
    assert report.text.count("data-bug-line=") == 4 and 'data-bug-hinted="yes"' in report.text

    teacher = browser.launch(lms.base_url, lms.users[0].id, link=link_id)
    results = browser.get(urljoin(tool.url, teacher.headers["Location"]))
    assert "drawn from invoice_total, shipping_cost" in results.text
    detail = re.search(r'href="(/i/[^"]+/attempts/\d+)"', results.text).group(1)
    explained = browser.get(urljoin(tool.url, detail))
    assert explained.status_code == 200 and explained.text.count("data-manifest-bug=") == 4
    assert explained.text.count('class="bh-submit"') == 2 and "1 of 2 hints taken." in explained.text
