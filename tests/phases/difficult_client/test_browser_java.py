"""A Java activity shows and grades a Java task, in a real browser: the instructor places the Difficult Client in
Java through the picker of a Canvas-shaped dev LMS, a student interviews the client in Chromium, gets the Code
Crucible's Java exercise (Java starter and examples, the editor in Java mode), runs it, runs the examples, submits a
correct solution that tries itself from ``main`` (no quality finding for that), finishes, and the LMS receives the
one-line comment. Real HTTP (OIDC launch, AGS), real sandbox, real editor."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from devlms import create_devlms_app
from devlms.platform import DevLms, ToolEndpoints
from tests.phases.difficult_client.students import EXPERT, JAVA_CODE, SCENARIO
from tests.support.browser import Browser
from tests.support.chromium import launch
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser
# The correct solution, trying itself from the program's entry point (what Run executes).
MAIN = ("\n    public static void main(String[] args) {\n"
        "        System.out.println(orderableDays(3, 9, List.of(5, 4, 6), List.of(6)));\n    }\n")
CUT = JAVA_CODE.rstrip().rfind("}")
TRIED = JAVA_CODE[:CUT] + MAIN + JAVA_CODE[CUT:]


@pytest.fixture
def canvas(make_app: Callable[..., Flask]) -> Iterator[tuple[str, DevLms]]:
    tool_server, lms_server = LiveServer(), LiveServer()
    app = make_app(CR_PUBLIC_BASE_URL=tool_server.url)
    tool_server.serve(app)
    lms = DevLms("canvas", lms_server.url, ToolEndpoints.under(tool_server.url))
    lms_server.serve(create_devlms_app(lms))
    added = app.test_cli_runner().invoke(args=[
        "platforms", "add", "--issuer", lms.issuer, "--client-id", lms.client_id,
        "--deployment-id", lms.deployment_id, "--auth-login-url", lms.auth_login_url,
        "--auth-token-url", lms.token_url, "--key-set-url", lms.jwks_url,
    ])
    assert added.exit_code == 0, added.output
    yield tool_server.url, lms
    lms_server.stop()
    tool_server.stop()


def place_in_java(lms: DevLms) -> str:
    with Browser() as instructor:
        picker = instructor.launch(lms.base_url, lms.users[0].id, deep_link=True)
        assert picker.status_code == 200, picker.text[:500]
        chosen = instructor.submit_form(picker, {"phase": "difficult_client", "scenario": SCENARIO,
                                                 "language": "java", "max_attempts": "1",
                                                 "title": "The Difficult Client in Java"})
        assert chosen.status_code == 200, chosen.text[:500]
        assert instructor.submit_form(chosen).status_code == 303
    (link,) = lms.store.state.links.values()
    assert link.custom["language"] == "java"
    return link.id


def test_a_java_activity_shows_and_grades_a_java_task(canvas):
    from playwright.sync_api import expect, sync_playwright

    tool_url, lms = canvas
    link_id = place_in_java(lms)
    student = lms.users[1]
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.set_default_timeout(30_000)
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(f"{lms.base_url}/launch?user={student.id}&link={link_id}")
        page.wait_for_url(f"{tool_url}/a/**")
        box = page.get_by_label("Your message to Rosa Marchetti")
        for n, text in enumerate(EXPERT, start=1):
            box.fill(text)
            box.press("Enter")
            expect(page.locator(".dc-feedback")).to_have_count(n)

        # The task is the Java exercise: its language, file, signature, examples and starter, the editor in Java.
        expect(page.locator("#dc-task")).to_be_visible()
        expect(page.locator("#dc-task-language")).to_have_text("Java")
        expect(page.locator("#dc-task-file")).to_have_text("Solution.java")
        expect(page.locator("#dc-task-signature")).to_contain_text("public static List<Integer> orderableDays(")
        expect(page.locator("#dc-examples tbody tr").first).to_contain_text("List.of(5, 4, 6)")
        expect(page.locator("#dc-task-statement")).to_contain_text("Orders close at 2 pm the day before pickup")
        editor = page.locator("#dc-code .cm-content")
        expect(editor).to_contain_text("public class Solution {")
        expect(editor).to_contain_text("throw new UnsupportedOperationException")
        assert page.locator("#dc-source").get_attribute("data-language") == "java"
        assert page.locator("#dc-code").get_attribute("data-language") == "java"
        assert page.locator("#dc-code .cm-line").first.locator("span").count() >= 1  # Java highlighting

        page.get_by_label("Your code").fill(TRIED)
        page.get_by_role("button", name="Run (no grade)").click()
        expect(page.locator("#cr-job-status")).to_contain_text("Done: your program finished", timeout=60_000)
        expect(page.locator("#cr-job-result pre").first).to_have_text("[4, 5]\n")
        page.get_by_role("button", name="Run examples (no grade)").click()
        expect(page.locator("#cr-job-status")).to_contain_text("Done: 2 of 2 examples passed", timeout=60_000)
        page.get_by_role("button", name="Submit for grading").click()
        expect(page.locator("#cr-job-status")).to_contain_text("Done: 13 of 13 hidden tests passed.", timeout=90_000)
        expect(page.locator("#dc-quality")).to_contain_text("javac -Xlint:all: no findings.")  # main's print is fine

        page.get_by_role("button", name="End the session and get my report").click()
        page.wait_for_url("**/report")
        expect(page.locator("[data-letter]")).to_have_text("A+", timeout=60_000)
        expect(page.locator("#dc-report-tests")).to_have_text("Hidden tests passed: 13 of 13.")
        expect(page.locator("#live-status [data-passback]")).to_have_text("sent", timeout=60_000)
        browser.close()

    deadline = time.monotonic() + 10
    while not lms.store.state.scores and time.monotonic() < deadline:
        time.sleep(0.1)
    (received,) = lms.store.state.scores
    assert received.payload["comment"] == "A+ — Difficult Client: 5/5 constraints found, 13/13 hidden tests passed"
