"""The Code Crucible in Chromium, from a platform launch (Canvas- and Moodle-shaped dev LMS over real HTTP) to the
grade in the platform's gradebook: the statement and the starter in the editor, the language switched and switched
back (before the first Submit), a wrong solution typed with the keyboard, Run examples showing the failing example
(expected vs actual), a one-character fix, Run examples passing, a (double-clicked) hint, Submit with each hidden
test's edge case and the quality and efficiency bands, Finish and the report card; axe-core's WCAG 2.1 AA rules on
the page and the report card; no Content-Security-Policy violation."""

from __future__ import annotations

import time
from typing import Any

import pytest

from grader.scoring import band_for
from lti_app.extensions import db
from lti_app.models import Attempt
from tests.lti.conftest import add_activity
from tests.phases.code_crucible.web_fixtures import exercise_of_state
from tests.phases.difficult_client.test_browser import assert_accessible
from tests.phases.difficult_client.test_editor_browser import REPORT_VIOLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("linters")]
EDITOR = "solution.py (Python)"
# A greedy wrap, typed line by line: the editor supplies each indentation; Shift+Tab where a block ends.
# ``(line, dedents after Enter)``; the wrong version compares with "<" where "<=" is right.
TYPED = [
    ("def wrap_text(text, width):", 0),
    ("if width < 1:", 0),
    ("return []", 1),
    ("words = [w[i:i + width] for w in text.split() for i in range(0, len(w), width)]", 0),
    ("lines = []", 0),
    ("for word in words:", 0),
    ("if lines and len(lines[-1]) + 1 + len(word) < width:", 0),
    ('lines[-1] += " " + word', 1),
    ("else:", 0),
    ("lines.append(word)", 2),
    ("return lines", None),
]
WRONG = """def wrap_text(text, width):
    if width < 1:
        return []
    words = [w[i:i + width] for w in text.split() for i in range(0, len(w), width)]
    lines = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) < width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines"""
RIGHT = WRONG.replace("< width:", "<= width:")


@pytest.fixture(params=["canvas", "moodle"])
def lms(request: pytest.FixtureRequest, make_lms, tool):
    return make_lms(request.param, tool)


def source_value(page: Any) -> str:
    return page.evaluate("document.getElementById('cc-source').value")


def test_a_student_codes_in_chromium_and_the_grade_reaches_the_platform(tool, lms, browser, chromium):
    from playwright.sync_api import expect

    link_id = add_activity(browser, lms, phase="code_crucible", scenario="wrap_text", language="python,javascript",
                           level="mid", title="The Code Crucible")
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

    expect(page.get_by_role("heading", name="The Code Crucible: Wrapping text for museum labels")).to_be_visible()
    expect(page.locator("#cc-statement")).to_contain_text("label printer cannot wrap text")
    expect(page.locator("#cc-level")).to_contain_text("Mid: only the signature is given")
    expect(page.locator("#cc-examples tbody tr")).to_have_count(2)
    editor = page.get_by_role("textbox", name=EDITOR)
    expect(editor).to_be_visible()
    assert source_value(page) == exercise.starter
    expect(page.locator("[data-submits-left]")).to_have_text("You have 3 of 3 Submits left in this attempt.")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert_accessible(page, "the Code Crucible page")

    # The language: JavaScript (after a confirm, the editor starts from its starter), then back to Python.
    page.get_by_label("Language").select_option("javascript")
    page.get_by_role("button", name="Switch language").click()
    expect(page.get_by_role("textbox", name="solution.js (JavaScript)")).to_be_visible()
    assert "function wrapText(text, width) {" in source_value(page)
    page.get_by_label("Language").select_option("python")
    page.get_by_role("button", name="Switch language").click()
    editor = page.get_by_role("textbox", name=EDITOR)
    expect(editor).to_be_visible()
    assert source_value(page) == exercise.starter

    # A wrong solution, typed with the keyboard.
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Backspace")
    for line, dedents in TYPED:
        page.keyboard.type(line)
        if dedents is None:
            break
        page.keyboard.press("Enter")
        for _ in range(dedents):
            page.keyboard.press("Shift+Tab")
    assert source_value(page) == WRONG

    page.get_by_role("button", name="Run examples (no grade)").click()
    status = page.locator("#cr-job-status")
    expect(status).to_have_text("Done: 0 of 2 examples passed.")
    failing = page.locator("#cr-job-result tbody tr").first
    expect(failing).to_contain_text("example 1")
    expect(failing).to_contain_text("expected ['The quick', 'brown fox', 'jumps over', 'the lazy', 'dog']")
    expect(failing).to_contain_text("got ['The quick', 'brown fox', 'jumps', 'over the', 'lazy dog']")
    assert_accessible(page, "the page with a failing example")

    # The fix: "<" becomes "<=" on line 7, with the keyboard.
    editor.click()
    page.keyboard.press("ControlOrMeta+Home")
    for _ in range(6):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    for _ in range(len(" width:")):
        page.keyboard.press("ArrowLeft")
    page.keyboard.type("=")
    assert source_value(page) == RIGHT
    page.get_by_role("button", name="Run examples (no grade)").click()
    expect(status).to_have_text("Done: 2 of 2 examples passed.")

    # A double click takes one hint.
    page.get_by_role("button", name="Take a hint (−5 points)").dblclick()
    expect(page.locator("#cc-hint-list li")).to_have_count(1)
    left = min(len(exercise.hints), 3) - 1  # Mid: at most 3, as many as the reference's marked regions
    assert left == 1
    expect(page.locator("#cc-hints-left")).to_have_text("You have 1 hint left (5 points each).")
    expect(page.locator("#cc-hint-list li")).to_have_text(exercise.hints[0])
    time.sleep(0.3)
    with tool.app.app_context():
        assert len(db.session.scalars(db.select(Attempt)).one().state["hints"]) == 1

    page.get_by_role("button", name="Submit for grading").click()
    expect(status).to_contain_text("hidden tests passed", timeout=60_000)
    expect(page.locator('#cr-job-result tr[data-test^="hidden-"]')).to_have_count(len(exercise.hidden))
    expect(page.locator('#cr-job-result tr[data-test="hidden-1"]')).to_contain_text(
        f"hidden test 1 ({exercise.hidden[0]['tag']})")
    expect(page.locator("#cc-quality")).to_be_visible()
    expect(page.locator("#cc-efficiency")).to_be_visible()
    expect(page.locator("#cc-feedback li").first).to_be_visible()
    expect(page.locator("[data-submits-left]")).to_have_text("You have 2 of 3 Submits left in this attempt.")
    expect(page.get_by_label("Language")).to_be_disabled()
    assert_accessible(page, "the page with a Submit's results")

    # The draft survives a reload.
    page.reload()
    expect(page.get_by_role("textbox", name=EDITOR)).to_be_visible()
    assert source_value(page) == RIGHT
    expect(page.locator("#cc-summary")).to_be_visible()  # the latest result is shown again

    page.get_by_role("button", name="Finish and get my report").click()
    page.wait_for_url("**/report")
    expect(page.locator("[data-letter]")).to_be_visible(timeout=60_000)  # status.js reloads when graded
    letter = page.locator("[data-letter]").inner_text()
    expect(page.locator("#cc-report-tests tbody tr")).to_have_count(len(exercise.hidden))
    expect(page.locator("[data-efficiency-band]")).to_be_visible()
    expect(page.locator("main")).to_contain_text("quality linter")
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
    assert low <= received.payload["scoreGiven"] <= high
