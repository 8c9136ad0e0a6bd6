"""The shared code editor on the Difficult Client page, in headless Chromium under the tool's real CSP:
typed with the keyboard only (auto-indent, Tab, the Escape-then-Tab way out), kept in sync with the form's
textarea, submitted, and the plain textarea without JavaScript."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from tests.phases.difficult_client.students import EXPERT
from tests.support.chromium import launch, require_chromium
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser
BUNDLE = "lti_app/workbench/static/vendor/editor.bundle.js"
# Registered before any page script runs, in every page of the context: what CSP blocked, if anything.
REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (e) => window.crCspViolation(
    {directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, page: document.URL}));"""

# The bakery's function typed line by line; the editor supplies every indentation except the one dedent.
TYPED_SOLUTION = (
    "def orderable_days(placed_day, placed_hour, wanted_days, closed_days):\n"
    "    if not 0 <= placed_hour <= 23:\n"
    "        return []\n"
    "    first_day = placed_day + (1 if placed_hour < 14 else 2)\n"
    "    last_day = placed_day + 7\n"
    "    return sorted({day for day in wanted_days if first_day <= day <= last_day and day not in closed_days})"
)


@pytest.fixture
def browser() -> Iterator[Any]:
    require_chromium()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    if not os.path.exists(os.path.join(root, BUNDLE)):
        pytest.fail(f"{BUNDLE} is missing: run scripts/frontend.sh (scripts/test.sh does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def served(make_app: Callable[..., Flask]) -> Iterator[tuple[Flask, str]]:
    server = LiveServer()
    app = make_app(CR_PUBLIC_BASE_URL=server.url)
    server.serve(app)
    yield app, server.url
    server.stop()


def watched_context(browser: Any, violations: list[dict[str, str]], **options: Any) -> Any:
    context = browser.new_context(viewport={"width": 420, "height": 900}, **options)  # a narrow LMS iframe
    context.expose_function("crCspViolation", lambda violation: violations.append(violation))
    context.add_init_script(REPORT_VIOLATIONS)
    context.set_default_timeout(30_000)
    return context


def source_value(page: Any) -> str:
    return page.evaluate("document.getElementById('dc-source').value")


def test_student_types_code_with_the_keyboard_and_submits_it(served, dc_session, browser):
    from playwright.sync_api import expect

    app, url = served
    session = dc_session(app=app)
    for text in EXPERT[:4]:
        assert session.say(text).get_json()["coding_task_unlocked"] is not None
    assert session.state()["view"]["coding_task_unlocked"]
    violations: list[dict[str, str]] = []
    page = watched_context(browser, violations).new_page()
    page.goto(f"{url}/a/{session.launch_id}")

    editor = page.get_by_role("textbox", name="Your code")
    expect(editor).to_be_visible()
    expect(page.locator("#dc-source")).to_be_hidden()
    expect(editor).to_have_attribute("aria-describedby", "dc-source-help")
    expect(page.locator(".cm-lineNumbers .cm-gutterElement:visible").first).to_have_text("1")

    page.get_by_text("Your code", exact=True).click()  # the label leads into the editor
    expect(editor).to_be_focused()
    style = "e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]"
    outline = page.locator(".cm-editor").evaluate(style)
    assert outline == ["solid", "3px"]  # a focus ring a keyboard user can see
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Backspace")
    assert source_value(page) == ""

    page.keyboard.type("def orderable_days(placed_day, placed_hour, wanted_days, closed_days):")
    page.keyboard.press("Enter")
    assert source_value(page) == ("def orderable_days(placed_day, placed_hour, wanted_days, closed_days):\n"
                                  "    ")  # auto-indent
    page.keyboard.press("Tab")
    assert source_value(page).endswith(":\n        ")  # Tab indents, inside the editor
    page.keyboard.press("Shift+Tab")
    assert source_value(page).endswith(":\n    ")
    page.keyboard.type("if not 0 <= placed_hour <= 23:")
    page.keyboard.press("Enter")
    assert source_value(page).endswith(":\n        ")  # a nested block indents further
    page.keyboard.type("return []")
    page.keyboard.press("Enter")
    assert source_value(page).endswith("[]\n        ")  # Python cannot know the block ends: Shift+Tab
    page.keyboard.press("Shift+Tab")
    page.keyboard.type("first_day = placed_day + (1 if placed_hour < 14 else 2)")
    page.keyboard.press("Enter")
    page.keyboard.type("last_day = placed_day + 7")
    page.keyboard.press("Enter")
    page.keyboard.type("return sorted({day for day in wanted_days if first_day <= day <= last_day and day not in "
                       "closed_days})")
    assert source_value(page) == TYPED_SOLUTION
    expect(page.locator(".cm-content .cm-line")).to_have_count(6)

    # The keyboard way out: Escape, then Tab moves on to the next control instead of indenting.
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Input for Run (optional)")).to_be_focused()
    assert source_value(page) == TYPED_SOLUTION

    with page.expect_request("**/code/submit") as submitted:
        page.get_by_role("button", name="Submit for grading").click()
    assert submitted.value.post_data_json["source"] == TYPED_SOLUTION
    expect(page.locator("main")).to_contain_text("13 of 13 hidden tests passed", timeout=60_000)
    assert violations == []


def test_editor_follows_scripts_that_set_the_textarea_and_shows_submitted_code_read_only(served, dc_session, browser):
    """Created while the coding task is still hidden, then filled by a script (the unlock) and shown."""
    from playwright.sync_api import expect

    app, url = served
    session = dc_session(app=app)
    violations: list[dict[str, str]] = []
    page = watched_context(browser, violations).new_page()
    page.goto(f"{url}/a/{session.launch_id}")
    expect(page.locator("#dc-task")).to_be_hidden()
    page.locator(".cm-editor").wait_for(state="attached")

    inputs = page.evaluate("""() => {
        const source = document.getElementById("dc-source");
        let heard = 0;
        source.addEventListener("input", () => heard++);
        source.value = "class Solution {\\n}\\n";
        source.dataset.language = "java";
        source.dispatchEvent(new CustomEvent("cr:editor-set"));
        document.getElementById("dc-task").hidden = false;
        return heard;
    }""")
    assert inputs == 0  # a script's own change is not echoed back as typing
    editor = page.get_by_role("textbox", name="Your code")
    expect(editor).to_be_visible()
    expect(page.locator(".cm-line").first).to_have_text("class Solution {")
    box = editor.bounding_box()
    assert box is not None and box["height"] > 200 and box["width"] > 200  # the textarea's 14 rows
    # Measured once shown (CodeMirror measures what is on screen): each line number sits beside its line.
    editor.scroll_into_view_if_needed()
    numbers = page.locator(".cm-lineNumbers .cm-gutterElement:visible")
    expect(numbers).to_have_text(["1", "2", "3"])
    for n in range(3):
        number, line = numbers.nth(n).bounding_box(), page.locator(".cm-line").nth(n).bounding_box()
        assert number and line and abs(number["y"] - line["y"]) < 2 and line["height"] > 10
    # Java highlighting: "class" is a keyword token, not plain text.
    assert page.locator(".cm-line").first.locator("span").count() >= 1

    editor.click()
    page.keyboard.press("ControlOrMeta+Home")
    page.keyboard.press("End")
    page.keyboard.type(" ")
    assert page.evaluate("document.getElementById('dc-source').value") == "class Solution { \n}\n"

    # Read-only (how instructors see submitted code): focusable and labelled, but typing changes nothing.
    page.evaluate("document.getElementById('dc-source').setAttribute('readonly', '')")
    expect(editor).to_have_attribute("aria-readonly", "true")
    editor.click()
    page.keyboard.type("xyz")
    assert page.evaluate("document.getElementById('dc-source').value") == "class Solution { \n}\n"
    assert violations == []


def test_without_javascript_the_code_box_is_a_plain_textarea(served, dc_session, browser):
    from playwright.sync_api import expect

    app, url = served
    session = dc_session(app=app)
    for text in EXPERT[:4]:
        session.say(text)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{url}/a/{session.launch_id}")
    plain = page.locator("textarea[name=source]")
    expect(plain).to_be_visible()
    expect(page.get_by_label("Your code")).to_have_count(1)
    assert page.locator(".cm-editor").count() == 0
    plain.fill("print(1)\n")
    expect(plain).to_have_value("print(1)\n")
    context.close()
