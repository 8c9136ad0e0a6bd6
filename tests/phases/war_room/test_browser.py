"""The War Room in Chromium, from a platform launch (Canvas- and Moodle-shaped dev LMS over real HTTP) to the grade
in the platform's gradebook: the terminal (xterm.js) with commands typed on the keyboard, the config fixed in the
workspace editor, the service restarted, "Run the check" passing, a CTO pressure line pushed live, a message to
the CTO, the report written and saved, Finish and the report card; axe-core's WCAG 2.1 AA rules on the page and
the report card; no Content-Security-Policy violation."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest

from grader.scoring import band_for
from lti_app.extensions import db
from lti_app.models import Attempt, utcnow
from tests.lti.conftest import add_activity
from tests.phases.difficult_client.test_browser import assert_accessible
from tests.phases.difficult_client.test_editor_browser import REPORT_VIOLATIONS
from tests.phases.war_room.test_web_helpers import GOOD_REPORT, PROBE

pytestmark = pytest.mark.browser
SCREEN = ("() => Array.from(document.querySelectorAll('.xterm-rows > div'))"
          ".map(d => d.textContent.replace(/\\u00a0/g, ' ').replace(/ +$/, '')).join('\\n')")
PROMPT = "student@shop-prod-1:~$"


@pytest.fixture(params=["canvas", "moodle"])
def lms(request: pytest.FixtureRequest, make_lms, tool):
    return make_lms(request.param, tool)


def screen(page: Any) -> str:
    return page.evaluate(SCREEN)


def wait_screen(page: Any, text: str, timeout: float = 30.0) -> None:
    """Until ``text`` is on the terminal's screen (polled from here: the page's CSP forbids eval). xterm draws
    only while it is in view, as a student scrolled to it sees it."""
    page.locator("[data-terminal-screen]").scroll_into_view_if_needed()
    deadline = time.monotonic() + timeout
    while text not in (shown := screen(page)):
        assert time.monotonic() < deadline, f"{text!r} not on the terminal's screen:\n{shown}"
        page.wait_for_timeout(50)


def type_command(page: Any, command: str) -> None:
    page.locator("[data-terminal-screen]").click()
    page.keyboard.type(command)
    page.keyboard.press("Enter")


def test_a_student_fixes_the_incident_in_chromium_and_the_grade_reaches_the_platform(tool, lms, browser, chromium):
    from playwright.sync_api import expect

    link_id = add_activity(browser, lms, phase="war_room", scenario="route_prefix", difficulty="easy",
                           time_limit="15", title="The War Room")
    student = lms.users[1]
    violations: list[dict[str, str]] = []  # what the tool's Content-Security-Policy blocked, if anything
    context = chromium.new_context(viewport={"width": 820, "height": 900})
    context.expose_function("crCspViolation", lambda violation: violations.append(violation))
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{lms.base_url}/launch?user={student.id}&link={link_id}")
    page.wait_for_url(f"{tool.url}/a/**")
    # The CTO's 80 % line is due 3 s from now (the attempt started 117 s of a 600 s limit ago).
    with tool.app.app_context():
        attempt = db.session.scalars(db.select(Attempt)).one()
        now = utcnow()
        attempt.started_at, attempt.deadline_at = now - timedelta(seconds=117), now + timedelta(seconds=483)
        attempt.state = {**attempt.state, "started_at": attempt.started_at.isoformat() + "+00:00"}
        db.session.commit()
    page.reload()

    expect(page.get_by_role("heading", name="The War Room: 404 for all customers")).to_be_visible()
    expect(page.locator("[data-terminal-status]")).to_have_text("Ready.")
    wait_screen(page, PROMPT)
    expect(page.locator("#wr-list li")).to_have_count(1)  # the CTO's opening line
    assert_accessible(page, "the War Room page")

    type_command(page, "cat config/service.ini | grep -n prefix")
    wait_screen(page, "route_prefix = /api/v1/")
    type_command(page, "tail -n 3 logs/app.log; " + PROBE)
    wait_screen(page, "404\n" + PROMPT)

    # Pushed live: the pressure line arrives while the page stays open.
    expect(page.locator('#wr-list li[data-kind="pressure"]')).to_have_count(1, timeout=15_000)

    # The workspace editor: open the config, take the trailing slash off with the keyboard, save.
    page.get_by_label("File in the workspace").fill("config/service.ini")
    page.get_by_role("button", name="Open").click()
    expect(page.locator("[data-file-status]")).to_have_text("Opened config/service.ini.")
    editor = page.locator("#cr-files .cm-content")
    expect(editor).to_contain_text("route_prefix = /api/v1/")
    text = page.evaluate("document.getElementById('cr-file-content').value")
    line = next(n for n, row in enumerate(text.splitlines()) if row.startswith("route_prefix"))
    editor.click()
    page.keyboard.press("Control+Home")
    for _ in range(line):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    page.keyboard.press("Backspace")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("[data-file-status]")).to_have_text("Saved config/service.ini.")
    wait_screen(page, "# saved config/service.ini in the editor (+1 −1)")

    type_command(page, "bin/service restart")
    wait_screen(page, "Started shop-api")
    type_command(page, PROBE)
    wait_screen(page, "200\n" + PROMPT)
    page.get_by_role("button", name="Run the check").click()
    wait_screen(page, "# check passed")
    expect(page.locator("#wr-check-state")).to_contain_text("Passed")
    expect(page.locator("#wr-check-output")).to_contain_text("PASS")

    # The CTO: a message and its reply.
    page.get_by_label("Your message to Dana Whitfield").fill("What changed recently?")
    page.keyboard.press("Enter")
    expect(page.locator("#wr-list li.wr-student")).to_have_count(1)
    expect(page.locator("#wr-list li")).to_have_count(4)

    # The report: a missing field is named; then the whole report is saved (the attempt stays open).
    page.get_by_label("What broke (required)").fill(GOOD_REPORT["what_broke"])
    page.get_by_role("button", name="Save the report").click()
    expect(page.locator("#wr-why-error")).to_be_visible()
    expect(page.get_by_label("Why it broke (required)")).to_be_focused()
    labels = {"why": "Why it broke (required)", "what_changed": "What you changed",
              "how_verified": "How you verified the fix", "prevention": "What would prevent it next time"}
    for name, label in labels.items():
        page.get_by_label(label).fill(GOOD_REPORT[name])
    page.get_by_role("button", name="Save the report").click()
    expect(page.locator("#wr-report-status")).to_contain_text("Report saved at")
    expect(page.locator("#wr-why-error")).to_be_hidden()
    assert_accessible(page, "the page with a check, a chat and a report")

    page.reload()  # everything is there after a reload: the log, the channel, the report
    wait_screen(page, "# check passed")
    expect(page.locator("#wr-list li")).to_have_count(4)
    expect(page.get_by_label("Why it broke (required)")).to_have_value(GOOD_REPORT["why"])

    page.get_by_role("button", name="Finish the incident").click()
    page.wait_for_url("**/report")
    expect(page.locator("[data-letter]")).to_be_visible(timeout=60_000)  # status.js reloads when graded
    letter = page.locator("[data-letter]").inner_text()
    expect(page.locator("#wr-report-card")).to_be_visible()
    expect(page.locator("#wr-rc-fixed")).to_have_attribute("data-fixed", "yes")
    assert_accessible(page, "the report card")
    expect(page.locator("#live-status [data-passback]")).to_have_text("sent", timeout=60_000)
    assert violations == []

    deadline = time.monotonic() + 10
    while not lms.store.state.scores and time.monotonic() < deadline:
        time.sleep(0.1)
    (received,) = lms.store.state.scores
    assert received.status == 200 and received.user_id == student.id
    assert received.payload["comment"].split()[0] == letter
    low, high = band_for(letter)
    assert low <= received.payload["scoreGiven"] < high and letter.startswith("A")
