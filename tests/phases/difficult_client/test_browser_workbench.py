"""The workbench in a real browser (Debian Chromium through Playwright) against the real app on a live port,
with the embedded worker (in-process queue, reconciler) and the local sandbox: a draft typed with the
keyboard survives a reload, Cancel stops a running loop, and the server closes, submits and grades an
attempt at its deadline whether the page is open or not."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
from flask import Flask

from lti_app.extensions import db
from lti_app.models import Attempt, Evaluation, GradeRow, Submission, utcnow
from tests.phases.difficult_client.students import EXPERT, SCENARIO
from tests.support.chromium import launch
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def live(make_app) -> Iterator[tuple[Flask, LiveServer]]:
    from worker.embedded import start

    app = make_app(CR_RECONCILE_SECONDS="0.3")
    start(app)
    with LiveServer(app) as server:
        yield app, server
    app.extensions["cr_reconciler"].stop()


def _unlocked_launch(app: Flask, server: LiveServer, seed_launch, **custom: str) -> str:
    from lti_app.security import csrf_token

    launch_id = seed_launch(app, custom={"phase": "difficult_client", "scenario": SCENARIO, **custom})
    with app.test_request_context():
        csrf = csrf_token(launch_id)
    for text in EXPERT[:4]:
        requests.post(f"{server.url}/api/a/{launch_id}/dc/messages", json={"message": text},
                      headers={"X-CSRF-Token": csrf}, timeout=30).raise_for_status()
    return launch_id


def _type_in_editor(page, text: str) -> None:  # type: ignore[no-untyped-def]
    editor = page.locator("#dc-code .cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def test_a_typed_draft_survives_a_reload_and_cancel_stops_a_loop(live, seed_launch):
    from playwright.sync_api import expect, sync_playwright

    app, server = live
    launch_id = _unlocked_launch(app, server, seed_launch)
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{server.url}/a/{launch_id}")
        _type_in_editor(page, "def accept_order(a, b, c):\nreturn 'draft kept'")
        expect(page.locator("[data-draft-status]")).to_contain_text("Draft saved")
        page.reload()
        expect(page.locator("#dc-code .cm-content")).to_contain_text("return 'draft kept'")
        assert "return 'draft kept'" in page.locator("#dc-source").input_value()

        _type_in_editor(page, "while True:\npass")
        page.get_by_role("button", name="Run (no grade)").click()
        cancel = page.get_by_role("button", name="Cancel the run")
        expect(page.locator("#cr-job-status")).to_contain_text("of the 10 s limit")
        cancel.click()
        expect(page.locator("#cr-job-status")).to_have_text("Cancelled: your program was stopped.")
        expect(cancel).to_be_hidden()
        expect(page.get_by_role("button", name="Run (no grade)")).to_be_enabled()
        browser.close()
    with app.app_context():
        (run,) = db.session.query(Submission).filter_by(kind="run").all()
        assert run.result["outcome"] == "cancelled" and run.finished_at is not None


def _deadline_in(app: Flask, seconds: float) -> None:
    with app.app_context():
        attempt = db.session.query(Attempt).one()
        attempt.deadline_at = utcnow() + timedelta(seconds=seconds)
        db.session.commit()


def _wait_for_grade(app: Flask, timeout: float = 60) -> GradeRow:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            grade = db.session.query(GradeRow).one_or_none()
            if grade is not None:
                db.session.expunge(grade)
                return grade
        time.sleep(0.2)
    raise AssertionError("the attempt was never graded")


def test_the_deadline_submits_the_last_draft_with_the_page_closed(live, seed_launch):
    from playwright.sync_api import expect, sync_playwright

    app, server = live
    launch_id = _unlocked_launch(app, server, seed_launch, time_limit="30")
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{server.url}/a/{launch_id}")
        expect(page.locator("[data-clock-left]")).to_contain_text("minutes left.")
        _type_in_editor(page, "def accept_order(quantity, days, hour):\nreturn False")
        expect(page.locator("[data-draft-status]")).to_contain_text("Draft saved")
        browser.close()  # the student walks away
    _deadline_in(app, 1)
    grade = _wait_for_grade(app)
    with app.app_context():
        (submit,) = db.session.query(Submission).filter_by(kind="submit").all()
        assert "return False" in submit.source
        assert db.session.query(Evaluation).one().reason == "deadline"
        assert db.session.query(Attempt).one().status == "closed"
    assert grade.score >= 0


# Records, in the tab's sessionStorage (it survives the navigation to the report card), the "Time is up" alert as
# it appeared and whether Send was disabled then (the page disables it in the same task as it raises the alert).
RECORD_TIME_UP = """
new MutationObserver(() => {
  const alert = document.querySelector('[role="alert"]');
  if (!alert || !alert.textContent.includes("Time is up") || sessionStorage.getItem("cr-test-time-up")) return;
  const send = document.getElementById("dc-send");
  sessionStorage.setItem("cr-test-time-up", JSON.stringify({text: alert.textContent,
                                                             send_disabled: send ? send.disabled : null}));
}).observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
"""


def test_an_open_page_counts_down_and_lands_on_the_report_card(live, seed_launch):
    from playwright.sync_api import expect, sync_playwright

    app, server = live
    launch_id = _unlocked_launch(app, server, seed_launch, time_limit="30")
    _deadline_in(app, 4)
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        page.set_default_timeout(30_000)
        page.add_init_script(RECORD_TIME_UP)
        page.goto(f"{server.url}/a/{launch_id}")
        expect(page.locator("[data-clock-left]")).to_contain_text("seconds left.")
        page.wait_for_url("**/report")
        # The alert lives until the page follows the closed attempt to its report card, which on a fast machine is
        # one status request later: it is read from what the page recorded, not raced for.
        shown = page.evaluate("JSON.parse(sessionStorage.getItem('cr-test-time-up') || 'null')")
        browser.close()
    assert shown is not None and "Time is up" in shown["text"] and shown["send_disabled"] is True, shown
    _wait_for_grade(app)
