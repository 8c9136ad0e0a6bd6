"""The Imposter over real HTTP with the dev LMS, Canvas- and Moodle-shaped: the instructor places it through deep
linking (a pool of projects, a difficulty, the phase's default time limit of 20 minutes and a repository per
student), a student launches, reads the graph and diffs, filters by author, bisects with `git bisect run`, reverts
and pushes in the terminal, reports and finishes; the grade reaches the LMS's gradebook, and the instructor's
attempt page explains it."""

from __future__ import annotations

import re
import time
from urllib.parse import urljoin

import pytest

from lti_app.dispatch import get_dispatcher
from lti_app.extensions import db
from lti_app.models import Activity, Attempt
from tests.phases.imposter.test_web_support import BISECT
from tests.support.browser import forms_in
from tests.support.lms_flow import choose, created_link, show_options

POOL = ["catalogue_pages", "shipping_swap"]


@pytest.fixture(params=["canvas", "moodle"])
def lms(request: pytest.FixtureRequest, make_lms, tool):
    return make_lms(request.param, tool)


def place(browser, lms, tool) -> str:
    """The instructor's picker: the Imposter's options only, the projects as ticked boxes; returns the link id."""
    action, token, shown_text = show_options(browser, lms, tool, "imposter")
    assert "Projects to draw from" in shown_text and "How plausible the sabotage looks" in shown_text
    assert 'id="time_limit" name="time_limit" type="number" min="0" max="480" value="20"' in shown_text
    assert 'name="seeding"' in shown_text and 'name="difficulty"' in shown_text
    assert 'name="language"' not in shown_text and 'name="hints"' not in shown_text
    assert 'name="max_submits"' not in shown_text
    for scenario in POOL:
        assert f'value="{scenario}" data-phase="imposter"' in shown_text
    answer, custom = choose(browser, action, {"csrf_token": token, "phase": "imposter", "scenario": POOL,
                                        "difficulty": "easy", "time_limit": "20", "max_attempts": "1",
                                        "grade_policy": "best", "seeding": "student",
                                        "title": "Week 9: The Imposter"})
    assert (custom["phase"], custom["scenario"], custom["difficulty"], custom["time_limit"]) == \
        ("imposter", ",".join(POOL), "easy", "20")
    return created_link(browser, answer)


def test_placed_played_and_graded_through_the_lms(tool, lms, browser):
    link_id = place(browser, lms, tool)
    student = lms.users[1]
    launched = browser.launch(lms.base_url, student.id, link=link_id)
    assert launched.status_code == 302, launched.text[:300]
    page_url = urljoin(tool.url, launched.headers["Location"])
    launch_id = page_url.rstrip("/").split("/")[-1]
    page = browser.get(page_url)
    assert page.status_code == 200 and "The Imposter:" in page.text and "Time limit: 20 minutes." in page.text
    csrf = re.search(r'data-csrf="([0-9a-f]+)"', page.text).group(1)
    with tool.app.app_context():
        activity = db.session.scalars(db.select(Activity)).one()
        assert activity.options["scenario"] == ",".join(POOL) and activity.options["difficulty"] == "easy"
        state = db.session.scalars(db.select(Attempt)).one().state
    assert state["scenario"] in POOL and state["difficulty"] == "easy"
    truth = state["truth"]
    api = f"{tool.url}/api/a/{launch_id}"
    headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}

    graph = browser.get(f"{api}/imposter/graph").json()
    assert len(graph["commits"]) == len(state["repo"]["commits"])
    opened = browser.get(f"{api}/imposter/commits/{graph['commits'][2]['sha'][:7]}")
    assert opened.status_code == 200 and opened.json()["patch"]
    alice = next(a for a in graph["authors"] if a["name"].startswith("Alice"))
    assert browser.post(f"{api}/imposter/filter", json={"author": alice["email"]}, headers=headers).status_code == 200

    def run(command: str) -> dict:
        sent = browser.post(f"{api}/terminal/commands", json={"command": command}, headers=headers)
        assert sent.status_code == 202, sent.text[:300]
        view = sent.json()["submission"]
        deadline = time.monotonic() + 60
        while view["state"] not in ("done", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
            view = browser.get(urljoin(tool.url, view["url"])).json()["submission"]
        assert view["state"] == "done" and view["result"]["outcome"] == "ok", view
        return view["result"]

    found = re.search(r"([0-9a-f]{40}) is the first bad commit", run(BISECT)["output"]).group(1)
    assert found == truth["sabotage"]
    assert run(f"git revert --no-edit {found[:8]} && git push origin main 2>&1")["remote_changed"] is True
    who = next(m["name"] for m in state["team"] if m["id"] == truth["imposter"])
    saved = browser.post(f"{api}/imposter/report", headers=headers,
                         json={"imposter": who, "commit": found[:7], "resolution": "revert",
                               "why": "A revert undoes it without rewriting what the team already pulled."})
    assert saved.status_code == 200, saved.text[:300]
    finish_form = next(f for f in forms_in(browser.get(page_url).text) if f["action"].endswith("/imposter/finish"))
    finished = browser.post(urljoin(page_url, finish_form["action"]), data=finish_form["fields"], allow_redirects=False)
    assert finished.status_code == 303 and finished.headers["Location"].endswith("/report")
    assert get_dispatcher(tool.app).drain(90)

    received = [s for s in lms.store.state.scores if s.user_id == student.id]
    assert [s.status for s in received] == [200]
    payload = received[0].payload
    assert payload["comment"].startswith("A+") and payload["scoreGiven"] == 100  # 35 + 20 + 30 (revert) + 15
    assert (payload["activityProgress"], payload["gradingProgress"]) == ("Completed", "FullyGraded")
    report = browser.get(urljoin(tool.url, finished.headers["Location"]))
    assert 'data-verdict="imposter"' in report.text and found in report.text
    assert 'data-resolution="revert"' in report.text

    teacher = browser.launch(lms.base_url, lms.users[0].id, link=link_id)
    results = browser.get(urljoin(tool.url, teacher.headers["Location"]))
    detail = re.search(r'href="(/i/[^"]+/attempts/\d+)"', results.text).group(1)
    explained = browser.get(urljoin(tool.url, detail))
    assert explained.status_code == 200 and f"data-truth-sabotage>{found}" in explained.text
    assert explained.text.count("data-opened=") == 1 and "Alice" in explained.text.split('id="im-filters"')[1][:200]
    assert 'data-update="fast-forward"' in explained.text and "git bisect start" in explained.text


def test_a_force_push_reaches_the_gradebook_as_minus_fifty_clamped(tool, make_lms, browser):
    """Canvas-shaped: the student resets main to before the sabotage and force-pushes (dropping teammates' work),
    names the right teammate and commit; the remote's history shows the rewrite: 35 + 20 − 50 + 15 = 20."""
    from tests.lti.conftest import plain_link

    lms = make_lms("canvas", tool)
    link_id = plain_link(lms, phase="imposter")
    student = lms.users[1]
    launched = browser.launch(lms.base_url, student.id, link=link_id)
    page_url = urljoin(tool.url, launched.headers["Location"])
    launch_id = page_url.rstrip("/").split("/")[-1]
    csrf = re.search(r'data-csrf="([0-9a-f]+)"', browser.get(page_url).text).group(1)
    with tool.app.app_context():
        truth = db.session.scalars(db.select(Attempt)).one().state["truth"]
    headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
    sent = browser.post(f"{tool.url}/api/a/{launch_id}/terminal/commands", headers=headers,
                        json={"command": f"git reset -q --hard {truth['sabotage_parent']} && git push -qf origin main"})
    view = sent.json()["submission"]
    while view["state"] not in ("done", "failed"):
        time.sleep(0.05)
        view = browser.get(urljoin(tool.url, view["url"])).json()["submission"]
    assert view["result"]["remote_changed"] is True
    finished = browser.post(f"{tool.url}/a/{launch_id}/imposter/finish", headers=headers, json={"report": {
        "imposter": truth["imposter"], "commit": truth["sabotage"][:7], "resolution": "force_push",
        "why": "I removed the bad commit from main and force-pushed the branch."}})
    assert finished.status_code == 202, finished.text[:300]
    assert get_dispatcher(tool.app).drain(90)
    (received,) = [s for s in lms.store.state.scores if s.user_id == student.id]
    assert received.status == 200 and received.payload["scoreGiven"] == 20 and received.payload["comment"][0] == "F"
    report = browser.get(urljoin(tool.url, finished.json()["report_url"]))
    assert 'data-resolution="force_push"' in report.text and "-50 points" in report.text
