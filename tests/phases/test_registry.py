"""The registry is the one list of phases: a phase registered from a test-only package is offered by the
picker, launched through the dev LMS, graded and passed back; a phase's route refuses another phase's attempt."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

from lti_app.dispatch import get_dispatcher
from lti_app.extensions import db
from lti_app.models import Attempt, Evaluation
from lti_app.phases import all_phases, registry
from tests.lti.conftest import add_activity, plain_link
from tests.support.browser import forms_in


@pytest.fixture
def tiny_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_phases", dict(registry._phases))  # forget it again after the test
    registry.register("tests.phases.tiny_phase.domain", "tests.phases.tiny_phase.web")


def test_the_registry_lists_the_built_phases_in_order():
    assert [p.id for p in all_phases()] == list(registry.PHASE_IDS)
    for phase in all_phases():
        assert phase.adapter.blueprint.name == phase.id  # one name for both halves and the routes


def test_a_phase_added_by_registration_alone_is_placed_launched_and_graded(tiny_registered, make_tool, make_lms,
                                                                           browser):
    tool = make_tool()
    lms = make_lms("moodle", tool)
    picker = browser.launch(lms.base_url, lms.users[0].id, deep_link=True)
    assert 'value="tiny"' in picker.text and "The Tiny Phase" in picker.text

    link_id = add_activity(browser, lms, phase="tiny", title="Tiny")
    student = lms.users[1]
    launched = browser.launch(lms.base_url, student.id, link=link_id)
    assert launched.status_code == 302, launched.text[:300]
    page_url = urljoin(tool.url, launched.headers["Location"])
    page = browser.get(page_url)
    form = next(f for f in forms_in(page.text) if "csrf_token" in f["fields"])
    # The truth never reaches the page; random credentials (CSRF token, launch id) may contain "42" by chance.
    launch_id = page_url.rstrip("/").split("/")[-1]
    visible = page.text.replace(form["fields"]["csrf_token"], "").replace(launch_id, "")
    assert page.status_code == 200 and "The Tiny Phase" in page.text and "42" not in visible
    answered = browser.post(urljoin(page_url, form["action"]),
                            data={"answer": "42", "csrf_token": form["fields"]["csrf_token"]}, allow_redirects=False)
    assert answered.status_code == 303, answered.text[:300]
    assert get_dispatcher(tool.app).drain(60)

    scores = [s for s in lms.store.state.scores if s.user_id == student.id]
    assert [s.status for s in scores] == [200]
    assert scores[0].payload["scoreGiven"] == 100 and scores[0].payload["comment"].startswith("A+")


def test_a_phase_route_refuses_an_attempt_of_another_phase(make_tool, make_lms, browser):
    """The quiz's submit route must not close (and grade) a Difficult Client attempt."""
    tool = make_tool()
    lms = make_lms("canvas", tool)
    link_id = plain_link(lms, phase="difficult_client")
    launched = browser.launch(lms.base_url, lms.users[1].id, link=link_id)
    page_url = urljoin(tool.url, launched.headers["Location"])
    page = browser.get(page_url)
    token = next(f for f in forms_in(page.text) if "csrf_token" in f["fields"])["fields"]["csrf_token"]
    answers = {"scores": "rubric", "hidden": "discover", "sandbox": "sandbox", "resolution": "revert"}
    refused = browser.post(page_url + "/acknowledge", data={**answers, "csrf_token": token}, allow_redirects=False)
    assert refused.status_code == 404 and "attempt_unknown" in refused.text
    with tool.app.app_context():
        attempt = db.session.scalars(db.select(Attempt)).one()
        assert attempt.status == "open" and db.session.scalar(db.select(db.func.count()).select_from(Evaluation)) == 0


def test_an_activity_of_an_unregistered_phase_is_not_offered_and_does_not_launch(make_tool, make_lms, browser):
    tool = make_tool()
    lms = make_lms("moodle", tool)
    picker = browser.launch(lms.base_url, lms.users[0].id, deep_link=True)
    assert 'value="difficult_client"' in picker.text and 'value="retired_phase"' not in picker.text
    link_id = plain_link(lms, phase="retired_phase")
    launched = browser.launch(lms.base_url, lms.users[1].id, link=link_id)
    assert launched.status_code == 409 and "activity_not_configured" in launched.text
