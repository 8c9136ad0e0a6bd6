"""The Imposter in Chromium, from a platform launch (Canvas- and Moodle-shaped dev LMS over real HTTP) to the grade
in the platform's gradebook: the commit graph (SVG lanes beside a list of commit buttons, moved through with the
keyboard), a diff drawn by diff2html with the code highlighted, the author filter, `git bisect run` typed in the
terminal, the revert and the push (the graph follows), the report with a field's error then saved, Finish and the
report card; axe-core's WCAG 2.1 AA rules on the page and the report card; no Content-Security-Policy violation."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from grader.scoring import band_for
from lti_app.extensions import db
from lti_app.models import Attempt
from tests.lti.conftest import add_activity
from tests.phases.difficult_client.test_browser import assert_accessible
from tests.phases.difficult_client.test_editor_browser import REPORT_VIOLATIONS
from tests.phases.imposter.test_web_support import BISECT

pytestmark = pytest.mark.browser
SCREEN = ("() => Array.from(document.querySelectorAll('.xterm-rows > div'))"
          ".map(d => d.textContent.replace(/\\u00a0/g, ' ').replace(/ +$/, '')).join('\\n')")


@pytest.fixture(params=["canvas", "moodle"])
def lms(request: pytest.FixtureRequest, make_lms, tool):
    return make_lms(request.param, tool)


def _screen(page: Any) -> str:
    """The terminal's visible rows (xterm.js draws only while it is on screen, so it is scrolled into view)."""
    page.locator("[data-terminal-screen]").scroll_into_view_if_needed()
    return page.evaluate(SCREEN)


def _wait_for(page: Any, pattern: str, timeout: float = 30.0) -> re.Match[str]:
    """Until ``pattern`` (a regular expression) matches the terminal's screen; polled from here, since the page's
    CSP forbids the eval Playwright's wait_for_function needs."""
    deadline = time.monotonic() + timeout
    while not (found := re.search(pattern, _screen(page))):
        assert time.monotonic() < deadline, f"{pattern!r} not on the terminal's screen:\n{_screen(page)}"
        page.wait_for_timeout(50)
    return found


def _type_command(page: Any, command: str) -> None:
    page.locator("[data-terminal-screen]").click()
    page.keyboard.type(command)
    page.keyboard.press("Enter")


def test_a_student_unmasks_the_imposter_in_chromium_and_the_grade_reaches_the_platform(tool, lms, browser, chromium):
    from playwright.sync_api import expect

    link_id = add_activity(browser, lms, phase="imposter", scenario="catalogue_pages", difficulty="medium",
                           time_limit="20", title="The Imposter")
    student = lms.users[1]
    violations: list[dict[str, str]] = []
    context = chromium.new_context(viewport={"width": 1000, "height": 900})
    context.expose_function("crCspViolation", lambda violation: violations.append(violation))
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("dialog", lambda dialog: dialog.accept())
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{lms.base_url}/launch?user={student.id}&link={link_id}")
    page.wait_for_url(f"{tool.url}/a/**")
    with tool.app.app_context():
        state = db.session.scalars(db.select(Attempt)).one().state
    truth = state["truth"]
    sabotage = truth["sabotage"]

    # The graph: an SVG of lanes and a button per commit (the plain list gives way to it).
    expect(page.get_by_role("heading", name=re.compile("^The Imposter: "))).to_be_visible()
    expect(page.locator("[data-graph-fallback]")).to_be_hidden()
    commits = page.locator("#im-graph button.im-commit")
    expect(commits).to_have_count(len(state["repo"]["commits"]))
    assert page.locator("#im-graph svg circle").count() == len(state["repo"]["commits"])
    assert page.locator("#im-graph svg path").count() >= len(state["repo"]["commits"])  # edges, merges included
    expect(commits.first).to_contain_text("origin/main")
    _wait_for(page, r"student@team-repo:~/repo\$")

    # Keyboard: one tab stop for the list, arrows move, Enter opens the diff (diff2html, highlighted).
    commits.first.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(commits.nth(2)).to_be_focused()
    page.keyboard.press("Enter")
    diff = page.locator("#im-diff")
    expect(diff).to_be_visible()
    expect(page.locator("#im-diff-title")).to_contain_text(state["repo"]["commits"][2]["sha"][:7])
    expect(diff.locator(".d2h-file-wrapper").first).to_be_visible()
    assert diff.locator(".d2h-ins").count() + diff.locator(".d2h-del").count() > 0
    assert diff.locator(".d2h-code-line-ctn.hljs").count() > 0  # highlight.js ran over the code lines
    expect(commits.nth(2)).to_have_attribute("aria-current", "true")

    # The author filter: only that teammate's commits, announced.
    bob = next(m for m in state["team"] if m["id"] == "bob")
    page.locator("#im-author").select_option(bob["email"])
    bobs = [c for c in state["repo"]["commits"] if c["email"] == bob["email"]]
    expect(commits).to_have_count(len(bobs))
    expect(page.locator("#im-graph-status")).to_have_text(
        f"Showing {len(bobs)} of {len(state['repo']['commits'])} commits, by {bob['name']}.")
    commits.first.click()
    expect(page.locator("#im-diff-title")).to_contain_text(bobs[0]["sha"][:7])
    page.locator("#im-author").select_option("")
    expect(commits).to_have_count(len(state["repo"]["commits"]))
    assert_accessible(page, "the Imposter page with a diff open")

    # Bisect in the terminal; then revert and push: the graph shows the new commit on origin/main.
    _type_command(page, BISECT)
    found = _wait_for(page, r"([0-9a-f]{40}) is the first bad commit").group(1)
    assert found == sabotage
    _wait_for(page, r"is the first bad commit\nstudent@team-repo:~/repo\$")  # the prompt is back
    _type_command(page, f"git revert --no-edit {found[:8]} && git push origin main")
    _wait_for(page, r"main -> main")
    expect(commits).to_have_count(len(state["repo"]["commits"]) + 1)
    expect(commits.first).to_contain_text("yours")
    expect(commits.first).to_contain_text("origin/main")

    # Open the sabotage, use it in the report; a wrong teammate first? No: a missing reason, then the whole report.
    page.locator(f'#im-graph button.im-commit[data-sha="{sabotage}"]').click()
    expect(page.locator("#im-diff-title")).to_contain_text(sabotage[:7])
    page.get_by_role("button", name="Use this commit in my report").click()
    expect(page.locator("#im-commit")).to_have_value(sabotage[:10])
    imposter = next(m for m in state["team"] if m["id"] == truth["imposter"])
    page.get_by_role("radio", name=imposter["name"]).check()
    page.get_by_role("radio", name="I reverted the commit (git revert) and pushed").check()
    page.get_by_role("button", name="Save the report").click()
    expect(page.locator("#im-why-error")).to_have_text("Say in a sentence or two why you resolved it this way.")
    expect(page.locator("#im-why")).to_have_attribute("aria-invalid", "true")
    page.locator("#im-why").fill("A revert undoes the change without rewriting the history my team already pulled.")
    page.get_by_role("button", name="Save the report").click()
    expect(page.locator("#im-report-status")).to_contain_text("Report saved.")
    expect(page.locator("#im-why-error")).to_be_hidden()
    assert_accessible(page, "the Imposter page after the report")

    # The report survives a reload (the saved report, then the draft, fill the form).
    page.reload()
    expect(page.locator("#im-commit")).to_have_value(sabotage[:10])
    expect(page.get_by_role("radio", name=imposter["name"])).to_be_checked()

    page.get_by_role("button", name="Finish and get my report card").click()
    page.wait_for_url("**/report")
    expect(page.locator("[data-letter]")).to_be_visible(timeout=60_000)  # status.js reloads when graded
    expect(page.locator('[data-verdict="imposter"] .im-yes')).to_have_text("right")
    expect(page.locator('[data-resolution="revert"]')).to_have_text("+30 points")
    assert_accessible(page, "the report card")
    expect(page.locator("#live-status [data-passback]")).to_have_text("sent", timeout=60_000)
    assert violations == [], violations
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors

    deadline = time.monotonic() + 10
    while not lms.store.state.scores and time.monotonic() < deadline:
        time.sleep(0.1)
    (received,) = lms.store.state.scores
    assert received.status == 200 and received.user_id == student.id
    letter = page.locator("[data-letter]").inner_text()
    assert received.payload["comment"].split()[0] == letter == "A+"
    low, high = band_for(letter)
    assert low <= received.payload["scoreGiven"] <= max(high, 100)
