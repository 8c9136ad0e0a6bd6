"""The War Room over real HTTP with the dev LMS, Canvas- and Moodle-shaped: the instructor places it through deep
linking (a pool of incidents, a difficulty, a time limit), a student launches, looks around in the terminal, fixes
the config in the editor, restarts, sees the check pass, writes the report and finishes; the grade reaches the
LMS's gradebook and the instructor's attempt page explains it. The CTO's pressure lines are pushed live as
server-sent events on the server's schedule, and the embedded reconciler closes the attempt at its deadline."""

from __future__ import annotations

import json
import re
import time
from urllib.parse import urljoin

import pytest

from lti_app.dispatch import get_dispatcher
from lti_app.extensions import db
from lti_app.models import Activity, Attempt
from tests.lti.conftest import add_activity
from tests.phases.war_room.test_web_helpers import GOOD_REPORT, PROBE
from tests.support.browser import forms_in
from tests.support.lms_flow import choose, created_link, queue_and_wait, show_options

POOL = ["database_url", "route_prefix"]
# Each pooled incident's config line as broken and as fixed, and a report a person would write.
FIXES = {
    "route_prefix": ("route_prefix = /api/v1/\n", "route_prefix = /api/v1\n", GOOD_REPORT),
    "database_url": ("url = sqlite:///data/shop_staging.db\n", "url = sqlite:///data/shop.db\n", {
        "what_broke": "The API answered 503 to every request because it could not open its database.",
        "why": "The config sync in the 2.7.1 deploy set the database url to sqlite:///data/shop_staging.db, a "
               "staging file that does not exist on this box, so every connection failed.",
        "what_changed": "Pointed the database url back at data/shop.db and restarted the service.",
        "how_verified": "curl /health and the products answered 200; the check passed.",
        "prevention": "Validate the configuration before it goes live and smoke test after each deploy.",
    }),
}


@pytest.fixture(params=["canvas", "moodle"])
def lms(request: pytest.FixtureRequest, make_lms, tool):
    return make_lms(request.param, tool)


def place(browser, lms, tool) -> str:
    """The instructor's picker: the War Room's options only, the incidents as ticked boxes; returns the link id."""
    action, token, shown_text = show_options(browser, lms, tool, "war_room")
    assert "Incidents to draw from" in shown_text and 'name="difficulty"' in shown_text
    assert re.search(r'id="time_limit" name="time_limit" type="number" min="\d+" max="\d+" value="15"', shown_text)
    assert 'name="language"' not in shown_text and 'name="max_submits"' not in shown_text
    offered = re.findall(r'name="scenario" value="(\w+)" data-phase="war_room"', shown_text)
    assert offered == ["database_url", "memory_leak", "route_prefix", "security_breach", "wrong_deployment"]
    answer, custom = choose(browser, action, {"csrf_token": token, "phase": "war_room", "scenario": POOL,
                                              "difficulty": "hard", "time_limit": "25", "max_attempts": "1",
                                              "grade_policy": "best", "title": "Week 9: The War Room"})
    assert (custom["phase"], custom["scenario"], custom["difficulty"], custom["time_limit"]) == \
        ("war_room", "database_url,route_prefix", "hard", "25")
    return created_link(browser, answer)


def test_placed_played_and_graded_through_the_lms(tool, lms, browser):
    link_id = place(browser, lms, tool)
    student = lms.users[1]
    launched = browser.launch(lms.base_url, student.id, link=link_id)
    assert launched.status_code == 302, launched.text[:300]
    page_url = urljoin(tool.url, launched.headers["Location"])
    launch_id = page_url.rstrip("/").split("/")[-1]
    page = browser.get(page_url)
    assert page.status_code == 200 and "The War Room:" in page.text and "Time limit: 25 minutes." in page.text
    csrf = re.search(r'data-csrf="([0-9a-f]+)"', page.text).group(1)
    with tool.app.app_context():
        activity = db.session.scalars(db.select(Activity)).one()
        assert activity.options["scenario"] == "database_url,route_prefix" and activity.options["difficulty"] == "hard"
        state = db.session.scalars(db.select(Attempt)).one().state
    incident, difficulty = state["incident"], state["difficulty"]
    assert incident in POOL and difficulty == "hard"
    broken, fixed, report = FIXES[incident]
    headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
    api = f"{tool.url}/api/a/{launch_id}"

    def run(command: str) -> dict:
        return queue_and_wait(browser, tool, f"{api}/terminal/commands", csrf, {"command": command}, 60, 0.03)

    def check() -> dict:
        return queue_and_wait(browser, tool, f"{api}/terminal/check", csrf, None, 60, 0.03)

    assert "RUNBOOK" in run("ls")["output"]
    run("tail -n 30 logs/app.log; cat deploys/history.log")
    assert run(PROBE)["output"] != "200\n"
    opened = browser.get(f"{api}/workspace/file", params={"path": "config/service.ini"}).json()
    assert broken in opened["content"] and opened["editable"] is True
    saved = browser.put(f"{api}/workspace/file", params={"path": "config/service.ini"}, headers=headers,
                        json={"content": opened["content"].replace(broken, fixed), "base_sha": opened["sha"]})
    assert saved.status_code == 200 and saved.json()["changed"] is True
    assert run("bin/service restart")["service"] == "running"
    assert run(PROBE)["output"] == "200\n"
    assert check()["passed"] is True
    said = browser.post(f"{api}/wr/messages", json={"message": "It's fixed, the check passes."}, headers=headers)
    assert said.status_code == 200 and said.json()["entries"][1]["from"] == "cto"
    stored = browser.post(f"{api}/wr/report", json={"fields": report}, headers=headers)
    assert stored.status_code == 200, stored.text[:300]

    finish_form = next(f for f in forms_in(browser.get(page_url).text) if f["action"].endswith("/wr/finish"))
    finished = browser.post(urljoin(page_url, finish_form["action"]), data=finish_form["fields"], allow_redirects=False)
    assert finished.status_code == 303 and finished.headers["Location"].endswith("/report")
    assert get_dispatcher(tool.app).drain(90)

    received = [s for s in lms.store.state.scores if s.user_id == student.id]
    assert [s.status for s in received] == [200]
    payload = received[0].payload
    assert payload["scoreGiven"] >= 90 and payload["comment"].startswith("A")
    assert (payload["activityProgress"], payload["gradingProgress"]) == ("Completed", "FullyGraded")
    card = browser.get(urljoin(tool.url, finished.headers["Location"]))
    assert 'id="wr-report-card"' in card.text and 'data-fixed="yes"' in card.text

    teacher = browser.launch(lms.base_url, lms.users[0].id, link=link_id)
    results = browser.get(urljoin(tool.url, teacher.headers["Location"]))
    detail = re.search(r'href="(/i/[^"]+/attempts/\d+)"', results.text).group(1)
    explained = browser.get(urljoin(tool.url, detail))
    assert explained.status_code == 200
    body = explained.text
    assert 'id="wr-i-cause"' in body and body.count('data-wr-item="') == 4
    assert body.count('data-wr-step="command"') == 5 and body.count('data-wr-step="edit"') == 1
    assert 'class="wr-add"' in body and "+" + fixed.strip() in body.replace("&#34;", '"')  # the edit as a diff
    assert body.count('data-wr-check="passed"') == 2 and "(at the close)" in body  # the student's, the final one
    assert "1 message(s) from the student" in body and "Director: asked: done" in body  # the transcript
    assert report["why"][:40] in body and 'class="submission"' not in body  # commands are not "Runs"


@pytest.fixture
def reconciler(tool):
    """The embedded worker's reconciler on the tool (as ``flask run`` starts it): it closes attempts at their
    deadline by itself."""
    from worker.embedded import start

    start(tool.app)
    yield
    tool.app.extensions["cr_reconciler"].stop()


def test_the_cto_s_lines_are_pushed_live_and_the_reconciler_closes_the_attempt(tool, make_lms, browser, reconciler):
    import requests

    lms = make_lms("canvas", tool)
    link_id = add_activity(browser, lms, phase="war_room", scenario="route_prefix", difficulty="easy",
                           time_limit="15", title="The War Room")
    launched = browser.launch(lms.base_url, lms.users[1].id, link=link_id)
    page_url = urljoin(tool.url, launched.headers["Location"])
    launch_id = page_url.rstrip("/").split("/")[-1]
    assert browser.get(page_url).status_code == 200
    # 8 s in all, 2 s gone: the 80 % line (due at 1.6 s) is late, the 50 % line is due in 2 s, the 10 % line
    # in 5.2 s, the deadline in 6 s.
    with tool.app.app_context():
        from datetime import timedelta

        from lti_app.models import utcnow

        attempt = db.session.scalars(db.select(Attempt)).one()
        now = utcnow()
        attempt.started_at = now - timedelta(seconds=2)
        attempt.deadline_at = now + timedelta(seconds=6)
        attempt.state = {**attempt.state, "started_at": attempt.started_at.isoformat() + "+00:00"}
        db.session.commit()
    started = time.monotonic()
    events_url = f"{tool.url}/api/a/{launch_id}/wr/chat/events?after=1"
    arrivals: list[tuple[float, str, dict]] = []
    with requests.get(events_url, stream=True, cookies=browser.cookies, timeout=30) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        name, last_id = "", ""
        for line in stream.iter_lines(decode_unicode=True):
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("id: "):
                last_id = line[4:]
            elif line.startswith("data: ") and name == "chat":
                arrivals.append((time.monotonic() - started, name, json.loads(line[6:])))
    ids = [e["kind"] for _, _, data in arrivals for e in data["entries"]]
    assert ids == ["pressure", "pressure", "pressure"], arrivals
    at = [round(t, 1) for t, _, _ in arrivals]
    assert at[0] < 2.0 and 1.8 < at[1] < 4.5 and 5.0 < at[2] < 8.0, at  # never early; late only by the load
    assert [d["entries"][0]["text"] for _, _, d in arrivals] == [
        line["text"] for line in _schedule(tool)]
    assert last_id == "4"
    # The embedded reconciler closes the idle attempt at its deadline and grades it; a reconnect hears it.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not lms.store.state.scores:
        time.sleep(0.2)
    assert lms.store.state.scores and lms.store.state.scores[0].status == 200
    again = requests.get(f"{tool.url}/api/a/{launch_id}/wr/chat/events", headers={"Last-Event-ID": "4"},
                         cookies=browser.cookies, timeout=30)
    assert "event: closed" in again.text and "event: chat" not in again.text
    with tool.app.app_context():
        grade = db.session.scalars(db.select(Attempt)).one()
        assert grade.status == "closed" and grade.state["closed_by"] == "deadline"


def _schedule(tool) -> list[dict]:
    from grader.phases.war_room import cto_schedule

    with tool.app.app_context():
        attempt = db.session.scalars(db.select(Attempt)).one()
        return cto_schedule(attempt.state, attempt.deadline_at.isoformat() + "+00:00")
