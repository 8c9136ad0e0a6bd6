"""A person's view: Chromium drives the built-in dev LMS and the tool, served over real HTTP.

Instructor places the orientation through deep linking, a student answers it, the report card appears
by itself (live status), the grade lands in the LMS gradebook and on the instructor's results page.
"""

from __future__ import annotations

import pytest

from tests.support.chromium import launch, require_chromium
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def page():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 420, "height": 900})  # phone-sized: the LMS iframe case
        page.set_default_timeout(30_000)
        yield page
        browser.close()


def test_orientation_from_deep_link_to_gradebook(make_app, page):
    server = LiveServer()
    app = make_app(CR_DEV_PLATFORM="true", CR_PUBLIC_BASE_URL=server.url)
    server.serve(app)
    try:
        base = f"{server.url}/dev/moodle"
        page.goto(f"{base}/")
        page.click("#add-activity")
        page.fill("input[name=title]", "Week 1 orientation")
        page.get_by_role("button", name="Add activity").click()
        page.wait_for_url(f"{base}/?created=*")

        with page.context.expect_page() as opened:  # the LMS opens the tool in a new tab
            page.get_by_role("link", name="Ada Student").click()
        lms_page, page = page, opened.value
        page.get_by_role("heading", name="Orientation").wait_for()
        for label in ("Code, from a published rubric", "You discover them by asking good questions",
                      "In an isolated sandbox without network", "Revert the commit"):  # fmt: skip
            page.get_by_label(label).check()
        page.get_by_role("button", name="Submit answers").click()

        # The report card appears without a manual reload once grading finishes.
        page.locator("[data-letter]").wait_for()
        assert page.locator("[data-letter]").inner_text() == "A+"
        page.get_by_text("Gradebook: sent").wait_for()
        # status.js keeps the server's markup: the state stays readable from its data attribute.
        assert page.locator("#live-status [data-passback]").inner_text() == "sent"

        page = lms_page
        page.goto(f"{base}/gradebook")
        row = page.locator("tr", has_text="Ada Student")
        assert "100.0 / 100" in row.inner_text() and "A+ — Orientation: 4 of 4" in row.inner_text()

        page.goto(f"{base}/")
        with page.context.expect_page() as opened:
            page.get_by_role("link", name="Irene Instructor").last.click()
        page = opened.value
        page.get_by_role("heading", name="Results — Week 1 orientation").wait_for()
        assert "A+ (100.0)" in page.locator("tr", has_text="Ada Student").inner_text()
    finally:
        server.stop()
