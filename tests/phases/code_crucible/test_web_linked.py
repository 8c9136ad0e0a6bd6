"""The Code Crucible after a Difficult Client interview, over real HTTP with the dev LMS (Canvas- and Moodle-shaped):
the instructor links the two at deep linking (the picker lists the course's interviews), a student interviews the
bakery owner with the scripted expert's questions but never asks about allergens, and their Crucible task is derived
from that interview: the statement holds only what they discovered, the hidden tests still check the allergen labels,
and the report card says "you never learned that …". A classmate who never finished the interview gets the
standalone task, and a sentence saying so."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

import pytest

from grader.phases.code_crucible import load_task
from lti_app.dispatch import get_dispatcher
from tests.lti.conftest import add_activity
from tests.phases.code_crucible.test_web_lms import (
    attempt_of,
    launch_student,
    picker_for,
    place,
    queue_and_wait,
)
from tests.phases.code_crucible.web_fixtures import exercise_of_state, student_file
from tests.phases.difficult_client.students import EXPERT, SCENARIO, TOPICS

pytestmark = pytest.mark.usefixtures("linters")
MISSED = "allergen_labels"


@pytest.fixture(params=["canvas", "moodle"])
def lms(request: pytest.FixtureRequest, make_lms, tool):
    return make_lms(request.param, tool)


def interview(browser, lms, tool, student, link_id: str, skip: str) -> None:
    """The scripted expert's questions, but not the one about ``skip``; then the interview is finished."""
    page_url, launch_id, csrf = launch_student(browser, lms, tool, student, link_id)
    headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
    asked = [m for m, (cid, _, _) in zip(EXPERT, TOPICS[SCENARIO], strict=True) if cid != skip]
    for message in asked:
        reply = browser.post(f"{tool.url}/api/a/{launch_id}/dc/messages", json={"message": message}, headers=headers)
        assert reply.status_code == 200, reply.text[:300]
    finished = browser.post(f"{tool.url}/a/{launch_id}/dc/finish", json={}, headers=headers)
    assert finished.status_code == 202, finished.text[:300]
    assert get_dispatcher(tool.app).drain(60)


def test_the_task_follows_what_the_student_discovered(tool, lms, browser):
    # On Moodle the interview allows a retake: its missed rule is the answer to that retake, so the Crucible's
    # report names it by topic only. On Canvas it allows one attempt: the report spells the rule out.
    retake = lms.shape == "moodle"
    client_link = add_activity(browser, lms, phase="difficult_client", scenario=SCENARIO, title="Meet the baker",
                               max_attempts="2" if retake else "1")
    ada, brian = lms.users[1], lms.users[2]
    interview(browser, lms, tool, ada, client_link, skip=MISSED)
    client_state = attempt_of(tool, ada.id).state
    levels = {cid: entry["level"] for cid, entry in client_state["constraints"].items()}
    assert levels[MISSED] < 2 and levels["order_cutoff"] == 2

    _, _, shown = picker_for(browser, lms, tool)
    follows = shown.split('id="after"')[1].split("</select>")[0]
    assert f'<option value="{client_link}" >Meet the baker</option>' in follows
    crucible = place(browser, lms, tool,
                     {"scenario": "bakery_receipt", "language": "python", "level": "mid", "after": client_link,
                      "time_limit": "30", "max_attempts": "1", "seeding": "student", "title": "Receipts"},
                     {"after": client_link, "scenario": "bakery_receipt"})

    # Ada's task comes from her interview: no allergen sentence, yet the allergen tests run.
    page_url, launch_id, csrf = launch_student(browser, lms, tool, ada, crucible)
    exercise = exercise_of_state(attempt_of(tool, ada.id).state)
    task = load_task("bakery_receipt")
    allergens = dict(exercise.requirements)[MISSED]
    assert exercise.discovered is not None and MISSED not in exercise.discovered and exercise.variant == 0
    page = html.unescape(browser.get(page_url).text)
    assert "This task comes from your client interview “Meet the baker”" in page
    assert exercise.statement in page and allergens not in page and "health inspector" not in page
    assert exercise.statement == task.statement(0, frozenset(exercise.discovered)) != task.statement(0, None)
    done = queue_and_wait(browser, tool, launch_id, csrf, "submit", {"source": student_file("partial")})
    assert 0 < done["hidden"]["passed"] < done["hidden"]["total"] and "requirement" in done["tags_failed"]
    finish = browser.post(f"{tool.url}/a/{launch_id}/cc/finish", json={}, headers={"X-CSRF-Token": csrf})
    assert finish.status_code == 202
    assert get_dispatcher(tool.app).drain(60)
    report = html.unescape(browser.get(urljoin(tool.url, finish.json()["report_url"])).text)
    spelled_out = "You never learned that the health inspector fined Rosa: every item line must end"
    if retake:
        assert re.findall(r'<li data-missed="([a-z_]*)" data-failed="yes">', report) == [""]
        assert "You never learned the client's rule on food safety, and hidden tests on it failed" in report
        assert spelled_out not in report and allergens not in report and "health inspector" not in report
        status = browser.get(f"{tool.url}/api/a/{launch_id}/status", headers={"Accept": "application/json"})
        assert status.status_code == 200 and "health inspector" not in status.text
    else:
        (missed,) = re.findall(r'<li data-missed="([a-z_]+)" data-failed="yes">', report)
        assert missed == MISSED
        assert spelled_out in report

    # Brian never finished the interview: the standalone task, every requirement stated, and a sentence saying so.
    page_url, _, _ = launch_student(browser, lms, tool, brian, crucible)
    alone = exercise_of_state(attempt_of(tool, brian.id).state)
    assert alone.discovered is None
    page = html.unescape(browser.get(page_url).text)
    assert "which you have not finished, so you get it as a standalone exercise" in page
    assert dict(alone.requirements)[MISSED] in page

    teacher = browser.launch(lms.base_url, lms.users[0].id, link=crucible)
    results = browser.get(urljoin(tool.url, teacher.headers["Location"]))
    first = re.search(r'href="(/i/[^"]+/attempts/\d+)"', results.text).group(1)
    explained = html.unescape(browser.get(urljoin(tool.url, first)).text)
    if "derived from the student's attempt there" not in explained:  # the other student's attempt came first
        first = re.findall(r'href="(/i/[^"]+/attempts/\d+)"', results.text)[1]
        explained = html.unescape(browser.get(urljoin(tool.url, first)).text)
    assert f'<tr data-requirement="{MISSED}">' in explained and "no: missed in the interview" in explained
