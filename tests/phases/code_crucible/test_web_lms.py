"""The Code Crucible over real HTTP with the dev LMS, Canvas- and Moodle-shaped: the instructor places it through deep
linking (a pool of tasks, the languages offered, the level, the phase's defaults of 3 Submits and 15 minutes), a
student launches, runs, runs the examples, takes a hint, submits, finishes, the grade reaches the LMS's gradebook and
the instructor's attempt page explains it with the hidden inputs. The Moodle run plays Java (its Submit compiles five
times, ~4 s: Java is tested over HTTP here, once)."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest

from grader.scoring import band_for
from lti_app.dispatch import get_dispatcher
from lti_app.extensions import db
from lti_app.models import Activity, Attempt
from tests.phases.code_crucible.web_fixtures import exercise_of_state
from tests.support.browser import forms_in
from tests.support.lms_flow import choose, created_link, show_options
from tests.support.lms_flow import launch_student as shared_launch
from tests.support.lms_flow import queue_and_wait as shared_queue_and_wait

pytestmark = pytest.mark.usefixtures("linters")
POOL = ["bakery_receipt", "parking_fees"]


@pytest.fixture(params=[("canvas", "python"), ("moodle", "java")], ids=["canvas-python", "moodle-java"])
def case(request: pytest.FixtureRequest, make_lms, tool):
    shape, language = request.param
    return make_lms(shape, tool), language


def picker_for(browser, lms, tool) -> tuple[str, str, str]:
    """The instructor's picker showing the Code Crucible's options: (action, csrf token, the options' HTML)."""
    return show_options(browser, lms, tool, "code_crucible")


def place(browser, lms, tool, fields: dict, expect_custom: dict) -> str:
    action, token, shown = picker_for(browser, lms, tool)
    answer, custom = choose(browser, action, {"csrf_token": token, "phase": "code_crucible", **fields})
    assert {k: custom.get(k) for k in expect_custom} == expect_custom, custom
    return created_link(browser, answer)


def launch_student(browser, lms, tool, user, link_id: str) -> tuple[str, str, str]:
    """(page URL, launch id, the page's CSRF token)."""
    page_url, launch_id, csrf, _ = shared_launch(browser, lms, tool, user, link_id)
    return page_url, launch_id, csrf


def queue_and_wait(browser, tool, launch_id: str, csrf: str, kind: str, payload: dict) -> dict:
    return shared_queue_and_wait(browser, tool, f"{tool.url}/api/a/{launch_id}/code/{kind}", csrf, payload)


def attempt_of(tool, user_sub: str):
    from lti_app.models import User

    with tool.app.app_context():
        attempt = db.session.scalars(db.select(Attempt).join(User, User.id == Attempt.user_id)
                                     .where(User.sub == user_sub).order_by(Attempt.id.desc())).first()
        db.session.expunge(attempt)
        return attempt


def test_the_picker_offers_the_crucibles_options(tool, make_lms, browser):
    lms = make_lms("canvas", tool)
    _, _, shown = picker_for(browser, lms, tool)
    levels = shown.split('id="level"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\w+)"', levels) == ["intern", "junior", "mid", "senior"]
    assert re.search(r'<option value="mid"\s+selected>', levels)  # the phase's default
    assert re.findall(r'name="language" value="(\w+)"', shown) == ["python", "javascript", "java"]
    assert 'id="max_submits" name="max_submits" type="number" min="0" max="100" value="3"' in shown
    assert 'id="time_limit" name="time_limit" type="number" min="0" max="480" value="15"' in shown
    assert shown.count('name="scenario"') == 16 and 'name="seeding"' in shown and 'name="hints"' not in shown
    follows = shown.split('id="after"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]*)"', follows) == [""]  # no interview in this course yet
    action, token, _ = picker_for(browser, lms, tool)
    refused = browser.post(action, data={"csrf_token": token, "phase": "code_crucible", "after": "not-a-link",
                                         "level": "expert"})
    assert refused.status_code == 400
    assert "level must be one of intern, junior, mid, senior" in refused.text
    assert "choose the activity this one follows from the list" in refused.text
    bug_hunt = browser.post(action, data={"csrf_token": token, "phase": "bug_hunt",
                                          "language": ["python", "javascript"]})
    assert bug_hunt.status_code == 400 and "The Bug Hunt is played in one language; choose one" in bug_hunt.text


def test_placed_played_and_graded_through_the_lms(tool, case, browser):
    lms, language = case
    link_id = place(browser, lms, tool,
                    {"scenario": POOL, "language": ["python", language] if language != "python" else "python",
                     "level": "mid", "max_submits": "", "time_limit": "20", "max_attempts": "1",
                     "grade_policy": "best", "submission_policy": "best", "seeding": "student", "after": "",
                     "title": "Week 6: The Code Crucible"},
                    {"phase": "code_crucible", "scenario": ",".join(POOL), "level": "mid", "max_submits": "3",
                     "language": "python" if language == "python" else f"python,{language}"})
    student = lms.users[1]
    page_url, launch_id, csrf = launch_student(browser, lms, tool, student, link_id)
    page = browser.get(page_url).text
    assert "The Code Crucible:" in page and "You have 3 of 3 Submits left in this attempt." in page
    assert "Time limit: 20 minutes." in page and "Mid: only the signature is given" in page
    headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
    with tool.app.app_context():
        activity = db.session.scalars(db.select(Activity)).one()
        assert activity.options["scenario"] == ",".join(POOL) and activity.options["level"] == "mid"
    if language != "python":
        switched = browser.post(f"{tool.url}/api/a/{launch_id}/cc/language", json={"language": language},
                                headers=headers)
        assert switched.status_code == 200, switched.text[:300]
    exercise = exercise_of_state(attempt_of(tool, student.id).state)
    assert exercise.task_id in POOL and exercise.language == language

    wrong = queue_and_wait(browser, tool, launch_id, csrf, "examples", {"source": exercise.starter})
    assert wrong["examples"]["passed"] == 0 and wrong["examples"]["total"] == len(exercise.examples)
    hint = browser.post(f"{tool.url}/api/a/{launch_id}/cc/hint", json={"hints_taken": 0}, headers=headers)
    assert hint.status_code == 200 and hint.json()["hints_left"] == 2
    right = queue_and_wait(browser, tool, launch_id, csrf, "examples", {"source": exercise.reference})
    assert right["examples"]["passed"] == right["examples"]["total"]
    done = queue_and_wait(browser, tool, launch_id, csrf, "submit", {"source": exercise.reference})
    assert done["hidden"]["passed"] == done["hidden"]["total"] == len(exercise.hidden)
    finish_form = next(f for f in forms_in(browser.get(page_url).text) if f["action"].endswith("/cc/finish"))
    finished = browser.post(urljoin(page_url, finish_form["action"]), data=finish_form["fields"], allow_redirects=False)
    assert finished.status_code == 303 and finished.headers["Location"].endswith("/report")
    assert get_dispatcher(tool.app).drain(90)

    received = [s for s in lms.store.state.scores if s.user_id == student.id]
    assert [s.status for s in received] == [200]
    payload = received[0].payload
    letter = payload["comment"].split()[0]
    low, high = band_for(letter)
    assert low <= payload["scoreGiven"] < high or payload["scoreGiven"] == high == 100
    assert (payload["activityProgress"], payload["gradingProgress"]) == ("Completed", "FullyGraded")
    report = browser.get(urljoin(tool.url, finished.headers["Location"])).text
    assert report.count("data-report-test=") == len(exercise.hidden) and f"data-letter>{letter}<" in report
    with tool.app.app_context():
        from lti_app.models import GradeRow

        grade = db.session.scalars(db.select(GradeRow)).one()
        assert grade.score == round(done["points"]["total"] - 5, 1)  # one hint at Mid costs 5 points

    teacher = browser.launch(lms.base_url, lms.users[0].id, link=link_id)
    results = browser.get(urljoin(tool.url, teacher.headers["Location"]))
    detail = re.search(r'href="(/i/[^"]+/attempts/\d+)"', results.text).group(1)
    explained = browser.get(urljoin(tool.url, detail)).text
    assert explained.count("data-instructor-hidden=") == len(exercise.hidden)
    assert explained.count('class="cc-submit"') == 1 and f'data-language="{language}"' in explained
    assert "Run of the examples" in explained and "min into the attempt" in explained
