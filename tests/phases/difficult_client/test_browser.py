"""The Difficult Client in a real browser, launched from an lti1p3platform-based LMS over real HTTP:
interview, unlock, solve, finish, and see the letter grade arrive in the platform's gradebook.

Headless Debian Chromium through Playwright; the tool and the Canvas- or Moodle-shaped dev LMS each run on their own
127.0.0.1 port, the launch goes through OIDC login, id_token form_post and the tool's launch validation,
and the grade goes back through AGS with the tool's signed service token.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from devlms import create_devlms_app
from devlms.platform import DevLms, ToolEndpoints
from grader.scoring import band_for
from tests.phases.difficult_client.students import EXPERT, GOOD_CODE, SCENARIO, TRY_IT
from tests.support.browser import Browser
from tests.support.chromium import launch
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(params=["canvas", "moodle"])
def servers(request: pytest.FixtureRequest, make_app: Callable[..., Flask]) -> Iterator[tuple[Flask, str, DevLms]]:
    tool_server, lms_server = LiveServer(), LiveServer()
    app = make_app(CR_PUBLIC_BASE_URL=tool_server.url)
    tool_server.serve(app)
    lms = DevLms(request.param, lms_server.url, ToolEndpoints.under(tool_server.url))
    lms_server.serve(create_devlms_app(lms))
    added = app.test_cli_runner().invoke(args=[
        "platforms", "add", "--issuer", lms.issuer, "--client-id", lms.client_id,
        "--deployment-id", lms.deployment_id, "--auth-login-url", lms.auth_login_url,
        "--auth-token-url", lms.token_url, "--key-set-url", lms.jwks_url,
    ])
    assert added.exit_code == 0, added.output
    yield app, tool_server.url, lms
    lms_server.stop()
    tool_server.stop()


def assert_accessible(page: object, where: str) -> None:
    """axe-core's WCAG 2.1 A/AA rules on the page as it is now: no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"resultTypes": ["violations"],
               "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    violations = Axe().run(page, options=options).response["violations"]
    bad = [f"{v['id']} ({v['impact']}): {v['nodes'][0]['html'][:120]}" for v in violations
           if v["impact"] in ("serious", "critical")]
    assert not bad, f"accessibility violations on {where}: {bad}"


def place_activity(lms: DevLms) -> str:
    """The instructor adds the activity through deep linking; returns the LMS's resource link id."""
    with Browser() as instructor:
        picker = instructor.launch(lms.base_url, lms.users[0].id, deep_link=True)
        assert picker.status_code == 200, picker.text[:500]
        chosen = instructor.submit_form(picker, {
            "phase": "difficult_client", "scenario": SCENARIO, "difficulty": "easy",
            "time_limit": "30", "max_attempts": "1", "title": "The Difficult Client"})
        assert chosen.status_code == 200, chosen.text[:500]
        back = instructor.submit_form(chosen)
        assert back.status_code == 303, back.text[:500]
    (link,) = lms.store.state.links.values()
    assert link.custom["phase"] == "difficult_client"
    return link.id


def test_student_plays_the_whole_interview_in_chromium_and_the_grade_reaches_the_lms(servers):
    from playwright.sync_api import expect, sync_playwright

    app, tool_url, lms = servers
    link_id = place_activity(lms)
    student = lms.users[1]
    with sync_playwright() as p:
        browser = launch(p)
        # A phone-sized viewport stands in for a narrow LMS iframe.
        page = browser.new_page(viewport={"width": 380, "height": 800})
        page.set_default_timeout(30_000)
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(f"{lms.base_url}/launch?user={student.id}&link={link_id}")
        page.wait_for_url(f"{tool_url}/a/**")
        expect(page.get_by_role("heading", name="The Angry Bakery Owner")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        expect(page.locator("#dc-task")).to_be_hidden()
        expect(page.locator("#dc-log")).to_have_attribute("aria-live", "polite")
        expect(page.locator("#cr-job-status")).to_have_attribute("aria-live", "polite")
        assert_accessible(page, "the interview page")

        box = page.get_by_label("Your message to Rosa Marchetti")
        box.press("Enter")  # nothing typed: a clear message, nothing sent
        expect(page.get_by_role("alert")).to_have_text("Type a message for the client first.")
        expect(page.locator(".dc-student")).to_have_count(0)
        for n, text in enumerate(EXPERT, start=1):
            box.fill(text)
            box.press("Enter")  # keyboard only
            expect(page.locator(".dc-feedback")).to_have_count(n)
            expect(box).to_have_value("")
        expect(page.locator(".dc-client .dc-text").last).not_to_be_empty()
        expect(page.locator(".dc-feedback").first).to_contain_text("empathetic")
        expect(page.locator("#dc-progress-text")).to_contain_text("5 of 5 discovered")
        expect(page.locator("#dc-task")).to_be_visible()
        expect(page.locator("#dc-task-signature")).to_contain_text("def orderable_days(")
        expect(page.locator("#dc-examples tbody tr")).to_have_count(2)

        page.get_by_label("Your code").fill(GOOD_CODE + TRY_IT)
        page.get_by_label("Input for Run (optional)").fill("from-stdin")
        page.get_by_role("button", name="Run (no grade)").click()
        expect(page.locator("#cr-job-status")).to_contain_text("Done: your program finished")
        expect(page.locator("#cr-job-result pre").first).to_have_text("[4, 5] from-stdin\n")

        page.get_by_label("Your code").fill(GOOD_CODE)
        submit = page.get_by_role("button", name="Submit for grading")
        submit.focus()
        page.keyboard.press("Enter")
        expect(page.locator("#cr-job-status")).to_contain_text("Done: 13 of 13 hidden tests passed.")
        assert_accessible(page, "the page with the coding task and its results")

        page.get_by_role("button", name="End the session and get my report").click()
        page.wait_for_url("**/report")
        expect(page.locator("[data-letter]")).to_have_text("A+", timeout=60_000)  # status.js reloads when graded
        letter = page.locator("[data-letter]").inner_text()
        expect(page.locator("[data-constraint-status]")).to_have_count(5)
        expect(page.get_by_text("What went well")).to_be_visible()
        assert_accessible(page, "the report card")
        expect(page.locator("#live-status [data-passback]")).to_have_text("sent", timeout=60_000)
        browser.close()

    deadline = time.monotonic() + 10
    while not lms.store.state.scores and time.monotonic() < deadline:
        time.sleep(0.1)
    (received,) = lms.store.state.scores
    assert received.status == 200 and received.user_id == student.id
    assert received.payload["comment"] == (f"{letter} — Difficult Client: 5/5 constraints found, "
                                           "13/13 hidden tests passed")
    low, high = band_for(letter)
    assert low <= received.payload["scoreGiven"] <= max(high, 100)
    assert received.payload["gradingProgress"] == "FullyGraded"
