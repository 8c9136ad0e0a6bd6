"""The Bug Hunt in Chromium, from a platform launch (Canvas- and Moodle-shaped dev LMS over real HTTP) to the grade
in the platform's gradebook: the buggy program in the editor with line numbers, Run with the interpreter's error,
fixes typed with the keyboard, Submit with live progress, a (double-clicked) hint, Finish and the report card;
axe-core's WCAG 2.1 AA rules on the page and the report card; no Content-Security-Policy violation."""

from __future__ import annotations

import time
from typing import Any

import pytest

from grader.scoring import band_for
from lti_app.extensions import db
from lti_app.models import Attempt
from tests.lti.conftest import add_activity
from tests.phases.bug_hunt.web_fixtures import exercise_of_state
from tests.phases.difficult_client.test_browser import assert_accessible
from tests.phases.difficult_client.test_editor_browser import REPORT_VIOLATIONS

pytestmark = pytest.mark.browser
EDITOR = "program.py (Python)"


@pytest.fixture(params=["canvas", "moodle"])
def lms(request: pytest.FixtureRequest, make_lms, tool):
    return make_lms(request.param, tool)


def source_value(page: Any) -> str:
    return page.evaluate("document.getElementById('bh-source').value")


def type_fix(page: Any, bug: Any) -> None:
    """Put the caret where the bug's line differs from the original and retype that part, keys only."""
    given, wanted = bug.injected, bug.original
    start = 0
    while start < min(len(given), len(wanted)) and given[start] == wanted[start]:
        start += 1
    end = 0
    while end < min(len(given), len(wanted)) - start and given[-1 - end] == wanted[-1 - end]:
        end += 1
    page.keyboard.press("ControlOrMeta+Home")
    for _ in range(bug.line - 1):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    for _ in range(end):
        page.keyboard.press("ArrowLeft")
    for _ in range(len(given) - end - start):
        page.keyboard.press("Backspace")
    page.keyboard.type(wanted[start:len(wanted) - end])


def test_a_student_hunts_the_bugs_in_chromium_and_the_grade_reaches_the_platform(tool, lms, browser, chromium):
    from playwright.sync_api import expect

    link_id = add_activity(browser, lms, phase="bug_hunt", scenario="invoice_total", language="python",
                           hints="2", title="The Bug Hunt")
    student = lms.users[1]
    violations: list[dict[str, str]] = []  # what the tool's Content-Security-Policy blocked, if anything
    context = chromium.new_context(viewport={"width": 400, "height": 900})  # a narrow LMS iframe, a phone
    context.expose_function("crCspViolation", lambda violation: violations.append(violation))
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{lms.base_url}/launch?user={student.id}&link={link_id}")
    page.wait_for_url(f"{tool.url}/a/**")
    with tool.app.app_context():
        exercise = exercise_of_state(db.session.scalars(db.select(Attempt)).one().state)

    expect(page.get_by_role("heading", name="The Bug Hunt: Invoice total")).to_be_visible()
    editor = page.get_by_role("textbox", name=EDITOR)
    expect(editor).to_be_visible()
    assert source_value(page) == exercise.source
    editor.scroll_into_view_if_needed()
    expect(page.locator(".cm-lineNumbers .cm-gutterElement:visible").first).to_have_text("1")
    expect(page.locator("#bh-hints-left")).to_have_text("You have 2 hints left.")
    expect(page.locator("[data-submits-left]")).to_have_text("You have 3 of 3 Submits left in this attempt.")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert_accessible(page, "the Bug Hunt page")

    # Run the program as given: the real interpreter's error, at the syntax bug's line.
    page.get_by_role("button", name="Run (no grade)").click()
    expect(page.locator("#cr-job-status")).to_contain_text("your program ended with an error")
    (syntax,) = [b for b in exercise.bugs if b.type == "syntax"]
    expect(page.locator("#cr-job-result")).to_contain_text("SyntaxError")
    expect(page.locator("#cr-job-result")).to_contain_text(f"line {syntax.line}")

    # Type three fixes with the keyboard (bugs on one line, the syntax one first); one bug is left for a hint.
    one_line = [b for b in exercise.bugs if b.injected and "\n" not in b.injected + b.original and b is not syntax]
    typed = [syntax, *one_line[:2]]
    editor.click()
    for bug in sorted(typed, key=lambda b: -b.line):
        type_fix(page, bug)
    expected = exercise.source.splitlines(keepends=True)
    for bug in typed:
        expected[bug.line - 1] = bug.original + "\n"
    assert source_value(page) == "".join(expected)

    page.get_by_role("button", name="Submit for grading").click()
    expect(page.locator("#cr-job-status")).to_contain_text("hidden tests passed", timeout=60_000)
    expect(page.locator("#bh-fixed")).to_have_text(f"Your latest Submit fixed {len(typed)} of 4 bugs.")
    expect(page.locator("[data-submits-left]")).to_have_text("You have 2 of 3 Submits left in this attempt.")

    # A double click takes one hint.
    page.get_by_role("button", name="Take a hint (−10 points)").dblclick()
    expect(page.locator("#bh-hint-list li")).to_have_count(1)
    # The one unfixed bug now has its hint: nothing is left to hint, though one hint of the two is unused.
    expect(page.locator("#bh-hints-left")).to_have_text("You have no hints left.")
    expect(page.get_by_role("button", name="Take a hint (−10 points)")).to_be_disabled()
    time.sleep(0.5)
    with tool.app.app_context():
        assert len(db.session.scalars(db.select(Attempt)).one().state["hints"]) == 1
    unfixed = min(b.line for b in exercise.bugs if b not in typed)
    expect(page.locator("#bh-hint-list li")).to_have_text(f"Look at line {unfixed}.")
    assert_accessible(page, "the page with results and a hint")

    # The draft survives a reload.
    page.reload()
    expect(page.get_by_role("textbox", name=EDITOR)).to_be_visible()
    assert source_value(page) == "".join(expected)

    page.get_by_role("button", name="Finish and get my report").click()
    page.wait_for_url("**/report")
    expect(page.locator("[data-letter]")).to_be_visible(timeout=60_000)  # status.js reloads when graded
    letter = page.locator("[data-letter]").inner_text()
    expect(page.locator("#bh-report-bugs tbody tr")).to_have_count(4)
    expect(page.locator('[data-bug-fixed="yes"]')).to_have_count(len(typed))
    expect(page.locator('[data-bug-hinted="yes"]')).to_have_count(1)
    assert_accessible(page, "the report card")
    expect(page.locator("#live-status [data-passback]")).to_have_text("sent", timeout=60_000)
    assert violations == []

    deadline = time.monotonic() + 10
    while not lms.store.state.scores and time.monotonic() < deadline:
        time.sleep(0.1)
    (received,) = lms.store.state.scores
    assert received.status == 200 and received.user_id == student.id
    assert received.payload["comment"].split()[0] == letter
    with tool.app.app_context():
        attempt = db.session.scalars(db.select(Attempt)).one()
        assert attempt.status == "closed"
    assert letter == "D" and 25 * len(typed) - 10 == 65  # three bugs fixed, one hint
    low, high = band_for(letter)
    assert low <= received.payload["scoreGiven"] < high
