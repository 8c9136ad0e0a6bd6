"""A person's view of the grade policy, in Chromium against the built-in dev LMS: the picker offers each phase's
own options (swapped in place by static/picker.js); under "best attempt counts" the student is warned before a
second attempt, does worse in it, and the platform's gradebook keeps the better score."""

from __future__ import annotations

import time

import pytest
import requests

from tests.support.chromium import launch, require_chromium
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser
ADA = "3"  # the Moodle-shaped dev LMS numbers its users: Irene Instructor is 2, Ada Student 3
RIGHT = ("Code, from a published rubric", "You discover them by asking good questions",
         "In an isolated sandbox without network", "Revert the commit")
WRONG = ("The AI client, in its own words", "They are shown at the start", "On the instructor's laptop",
         "Force-push main to an older commit")


@pytest.fixture
def page():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 420, "height": 900})
        page.set_default_timeout(30_000)
        yield page
        browser.close()


def _ada_scores(base: str) -> list[float]:
    data = requests.get(f"{base}/gradebook.json", timeout=10).json()
    return [s["payload"]["scoreGiven"] for s in data["scores"] if s["user_id"] == ADA and s["status"] == 200]


def _wait_for_scores(base: str, count: int) -> list[float]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        scores = _ada_scores(base)
        if len(scores) >= count:
            return scores
        time.sleep(0.2)
    raise AssertionError(f"the gradebook got {_ada_scores(base)}, expected {count} scores")


def assert_accessible(page, where: str) -> None:
    """axe-core's WCAG 2.1 A/AA rules: no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"resultTypes": ["violations"],
               "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    violations = Axe().run(page, options=options).response["violations"]
    bad = [f"{v['id']} ({v['impact']}): {v['nodes'][0]['html'][:120]}" for v in violations
           if v["impact"] in ("serious", "critical")]
    assert not bad, f"accessibility violations on {where}: {bad}"


def _answer(page, labels: tuple[str, ...]) -> None:
    for label in labels:
        page.get_by_label(label).check()
    page.get_by_role("button", name="Submit answers").click()
    page.locator("[data-letter]").wait_for()


def test_under_best_a_worse_second_attempt_leaves_the_gradebook_unchanged(make_app, page):
    from playwright.sync_api import expect

    server = LiveServer()
    app = make_app(CR_DEV_PLATFORM="true", CR_PUBLIC_BASE_URL=server.url)
    server.serve(app)
    try:
        base = f"{server.url}/dev/moodle"
        page.goto(f"{base}/")
        page.click("#add-activity")
        # The quiz's options only; the button for browsers without JavaScript is gone.
        expect(page.locator("#phase-options")).to_have_attribute("data-phase", "acknowledge")
        expect(page.locator("#show-options")).to_have_count(0)
        expect(page.locator("#phase-options [name=language], #phase-options [name=time_limit]")).to_have_count(0)
        page.get_by_label("Attempts allowed (1 to 20)").fill("2")
        # Another phase: its options replace the quiz's in place, and the typed attempts stay.
        page.get_by_label("Phase").focus()
        page.get_by_label("Phase").select_option("difficult_client")
        expect(page.locator("#phase-options")).to_have_attribute("data-phase", "difficult_client")
        expect(page.get_by_role("group", name="Clients to draw from")).to_contain_text(
            "The Angry Bakery Owner (easy · python, javascript, java)")
        expect(page.locator("#phase-options [name=language]")).not_to_have_count(0)  # its coding task's language
        expect(page.get_by_label("Which Submit counts within an attempt")).to_be_visible()
        expect(page.get_by_role("status")).to_contain_text("Showing the options of The Difficult Client")
        expect(page.get_by_label("Phase")).to_be_focused()
        assert_accessible(page, "the picker")
        page.get_by_label("Phase").select_option("acknowledge")
        expect(page.locator("#phase-options")).to_have_attribute("data-phase", "acknowledge")
        expect(page.get_by_label("Attempts allowed (1 to 20)")).to_have_value("2")
        expect(page.get_by_label("Which attempt counts for the gradebook")).to_have_value("best")
        page.fill("input[name=title]", "Orientation, best attempt counts")
        page.get_by_role("button", name="Add activity").click()
        page.wait_for_url(f"{base}/?created=*")

        with page.context.expect_page() as opened:
            page.get_by_role("link", name="Ada Student").click()
        lms_page, page = page, opened.value
        page.get_by_role("heading", name="Orientation").wait_for()
        expect(page.locator(".policy-note")).to_contain_text("Your best attempt counts.")
        expect(page.locator(".policy-note")).to_contain_text("This is attempt 1 of 2; you can start 1 more after it.")
        _answer(page, RIGHT)
        assert page.locator("[data-letter]").inner_text() == "A+"
        page.get_by_text("Gradebook: sent").wait_for()
        assert _wait_for_scores(base, 1) == [100.0]

        # Before clicking, the student reads what another attempt can do to the grade.
        page.reload()
        expect(page.locator("#new-attempt-effect")).to_have_text(
            "Your best attempt counts: a new attempt can only raise your grade. If it scores lower, the gradebook "
            "keeps 100.0 from attempt 1.")
        page.get_by_role("button", name="Start another attempt").click()
        expect(page.locator(".policy-note")).to_contain_text("This is attempt 2 of 2; it is your last.")
        expect(page.locator(".policy-note")).to_contain_text("Gradebook: A+ (100.0) from attempt 1, sent.")
        _answer(page, WRONG)
        assert page.locator("[data-letter]").inner_text() == "F"
        page.get_by_text("Gradebook: sent").wait_for()

        # The platform's gradebook still holds the better score (the second delivery carried it again).
        assert _wait_for_scores(base, 2) == [100.0, 100.0]
        page.reload()
        expect(page.locator("[data-gradebook]")).to_have_text("Gradebook: A+ (100.0) from attempt 1, sent.")
        expect(page.get_by_role("button", name="Start another attempt")).to_have_count(0)
        assert_accessible(page, "the report card")
        lms_page.goto(f"{base}/gradebook")
        rows = lms_page.locator("tr", has_text="Ada Student")
        expect(rows).to_have_count(2)
        assert all("100.0 / 100" in row for row in rows.all_inner_texts())

        # The instructor sees which grade counts, and can open a student's accommodations.
        lms_page.goto(f"{base}/")
        with lms_page.context.expect_page() as opened:
            lms_page.get_by_role("link", name="Irene Instructor").last.click()
        page = opened.value
        page.get_by_role("heading", name="Results — Orientation, best attempt counts").wait_for()
        expect(page.locator("[data-counted]")).to_have_count(1)
        expect(page.locator("tr", has_text="A+ (100.0)")).to_contain_text("counts")
        ada = page.locator("tr", has_text="Ada Student").first
        expect(page.locator("tr", has_text="Brian Student")).to_contain_text("not started")  # the NRPS roster
        ada.locator("summary").click()
        expect(ada.get_by_label("Extra attempts (0 to 20)")).to_be_visible()
        assert_accessible(page, "the results page")
        page.get_by_role("link", name="#2").click()
        page.get_by_role("heading", name="Grades").wait_for()
        expect(page.locator("#gradebook-now")).to_contain_text("A+ (100.0) from attempt 1, sent")
        expect(page.locator(".grade-detail")).to_contain_text("never sent")
        assert_accessible(page, "the attempt page")
    finally:
        server.stop()
