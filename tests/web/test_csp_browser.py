"""Chromium enforces the tool's Content-Security-Policy: the dev LMS, its self-submitting hand-over forms,
the deep-linking picker and its answer, the orientation quiz and the report card run without a single
violation, and the hand-over forms still work with JavaScript off (a visible Continue button)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser
REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (e) => window.crCspViolation(
    {directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, page: document.URL}));"""
QUIZ = ("Code, from a published rubric", "You discover them by asking good questions",
        "In an isolated sandbox without network", "Revert the commit")



@pytest.fixture
def tool_url(make_app: Any) -> Iterator[str]:
    server = LiveServer()
    server.serve(make_app(CR_DEV_PLATFORM="true", CR_PUBLIC_BASE_URL=server.url))
    yield server.url
    server.stop()


def test_lms_picker_quiz_and_report_run_without_a_csp_violation(tool_url, chromium):
    violations: list[dict[str, str]] = []
    context = chromium.new_context(viewport={"width": 420, "height": 900})
    context.expose_function("crCspViolation", lambda violation: violations.append(violation))
    context.add_init_script(REPORT_VIOLATIONS)
    context.set_default_timeout(30_000)
    page = context.new_page()
    base = f"{tool_url}/dev/canvas"  # Canvas-shaped: login initiation is a self-submitting POST form

    page.goto(f"{tool_url}/dev/")
    page.goto(f"{base}/")
    page.click("#add-activity")  # login form → tool → id_token form_post → picker, each submitted by script
    page.get_by_role("heading", name="Add a CodeResidency activity").wait_for()
    page.select_option("#phase", "acknowledge")
    page.fill("input[name=title]", "Week 1 orientation")
    page.get_by_role("button", name="Add activity").click()
    page.wait_for_url(f"{base}/?created=*")  # the deep-linking answer posted itself back to the LMS

    with context.expect_page() as opened:
        page.get_by_role("link", name="Ada Student").click()
    quiz = opened.value
    quiz.get_by_role("heading", name="Orientation").wait_for()
    for label in QUIZ:
        quiz.get_by_label(label).check()
    quiz.get_by_role("button", name="Submit answers").click()
    quiz.locator("[data-letter]").wait_for()
    quiz.get_by_text("Gradebook: sent").wait_for()  # status.js polled the status API

    for path in ("gradebook", "roster", "dynamic-registration"):
        page.goto(f"{base}/{path}")
    page.frame_locator("iframe").locator("h1").wait_for()  # the tool's registration page, framed by the LMS
    page.goto(f"{tool_url}/static/favicon.svg")
    context.close()
    assert violations == []


def test_self_submitting_forms_have_a_continue_button_without_javascript(tool_url, chromium):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{tool_url}/dev/canvas/")
    page.click("#add-activity")
    page.get_by_role("button", name="Continue").click()  # login initiation form
    page.get_by_role("button", name="Continue").click()  # the id_token form_post
    page.get_by_role("heading", name="Add a CodeResidency activity").wait_for()
    page.get_by_role("button", name="Add activity").click()  # the first phase with its defaults
    page.get_by_role("button", name="Return to the course").click()  # the deep-linking answer
    page.wait_for_url("**/dev/canvas/?created=*")
    context.close()
