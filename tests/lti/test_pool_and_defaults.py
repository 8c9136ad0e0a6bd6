"""Per-phase option defaults, hints and seeding, and a scenario pool: a phase's own defaults fill what the picker
and the activity leave unset, the picker offers hints and seeding only to phases that honour them, and a pool
phase's scenarios are a multi-select stored comma-separated (in the options: a pool outgrows the scenario
column). A test-only phase (tests/phases/pool_phase) stands in for the Bug Hunt."""

from __future__ import annotations

import re

import jwt
import pytest

from lti_app.extensions import db
from lti_app.models import Activity, Attempt, AttemptStatus
from lti_app.phases import registry
from tests.support.browser import forms_in

POOL = {"phase": "pool"}


@pytest.fixture
def pool_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_phases", dict(registry._phases))  # forget it again after the test
    registry.register("tests.phases.pool_phase.domain", "tests.phases.pool_phase.web")


def _custom(answer) -> dict[str, str]:
    token = forms_in(answer.text)[0]["fields"]["JWT"]
    claims = jwt.decode(token, options={"verify_signature": False})
    custom = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"][0]["custom"]
    return {k: v for k, v in custom.items() if k != "activity_key"}


def test_blank_options_take_the_phases_own_defaults_then_the_shared_ones(pool_registered):
    from lti_app.lti.deep_linking import parse_choice

    choice, errors = parse_choice(dict(POOL))
    assert errors == [] and choice is not None
    assert choice.options == {"max_attempts": "1", "submission_policy": "best", "max_submits": "3", "hints": "3",
                              "seeding": "student"}
    choice, _ = parse_choice({**POOL, "max_submits": "0", "hints": "0", "seeding": "shared"})
    assert choice is not None and (choice.options["max_submits"], choice.options["hints"],
                                   choice.options["seeding"]) == ("0", "0", "shared")
    for field, bad, words in (("hints", "11", "hints per attempt must be between 0 and 10"),
                              ("hints", "two", "hints per attempt must be a whole number"),
                              ("seeding", "class", "exercise per student or shared must be one of student, shared")):
        choice, errors = parse_choice({**POOL, field: bad})
        assert choice is None and errors == [words]
    # A phase without its own default keeps the shared one; one that does not honour hints refuses them.
    choice, _ = parse_choice({"phase": "difficult_client"})
    assert choice is not None and choice.options["max_submits"] == "10" and "hints" not in choice.options
    for field in ("hints", "seeding"):
        choice, errors = parse_choice({"phase": "difficult_client", field: "student" if field == "seeding" else "2"})
        assert choice is None and "The Difficult Client does not use the option" in errors[0]


def test_a_pool_is_checked_and_stored_once_each_in_catalogue_order(pool_registered):
    from lti_app.lti.deep_linking import parse_choice, scenarios_for
    from lti_app.phases import get_phase

    assert [s.id for s in scenarios_for(get_phase("pool").info)] == ["alpha", "beta"]  # gamma is served nowhere
    choice, errors = parse_choice({**POOL, "scenario": "beta, alpha,beta"})
    assert errors == [] and choice is not None and choice.options["scenario"] == "alpha,beta"
    choice, _ = parse_choice({**POOL, "scenario": ""})
    assert choice is not None and "scenario" not in choice.options  # none ticked: every program served
    for pool in ("alpha,delta", "gamma"):
        choice, errors = parse_choice({**POOL, "scenario": pool})
        assert choice is None and errors == ["choose programs from the list"]
    choice, errors = parse_choice({**POOL, "scenario": "alpha,beta", "language": "javascript"})
    assert choice is None and errors == ["not available in javascript: Beta; choose another language or other programs"]
    choice, errors = parse_choice({**POOL, "scenario": "alpha", "language": "javascript"})
    assert errors == [] and choice is not None and choice.options["language"] == "javascript"
    choice, errors = parse_choice({**POOL, "language": "java"})
    assert choice is None and errors == ["The Pool Phase has nothing to offer in java yet; choose another language"]
    # The Difficult Client's pool is of clients, and says so.
    choice, errors = parse_choice({"phase": "difficult_client", "scenario": "angry_bakery_owner,bored_professor"})
    assert choice is None and errors == ["choose clients from the list"]
    choice, errors = parse_choice({"phase": "difficult_client",
                                   "scenario": "impatient_restaurant_owner,angry_bakery_owner"})
    assert errors == [] and choice is not None
    assert choice.options["scenario"] == "angry_bakery_owner,impatient_restaurant_owner"


def test_the_picker_offers_a_pool_hints_and_seeding_only_to_the_phase_that_uses_them(pool_registered, tool,
                                                                                     make_lms, browser):
    lms = make_lms("canvas", tool)
    picker = browser.launch(lms.base_url, lms.users[0].id, deep_link=True)
    (form,) = forms_in(picker.text)
    action, token = f"{tool.url}{form['action']}", form["fields"]["csrf_token"]
    client = browser.post(action, data={"csrf_token": token, "phase": "difficult_client", "show_options": "1"})
    assert 'name="hints"' not in client.text and 'name="seeding"' not in client.text
    assert 'type="checkbox" id="scenario-angry_bakery_owner" name="scenario"' in client.text  # a pool of clients
    assert "Clients to draw from" in client.text and '<select id="scenario"' not in client.text
    assert 'id="max_submits" name="max_submits" type="number" min="0" max="100" value="10"' in client.text

    shown = browser.post(action, data={"csrf_token": token, "phase": "pool", "show_options": "1"})
    assert shown.status_code == 200 and 'data-phase="pool"' in shown.text
    assert 'type="checkbox" id="scenario-alpha" name="scenario" value="alpha"' in shown.text
    assert 'value="beta"' in shown.text and 'value="gamma"' not in shown.text
    assert "Alpha (easy · python, javascript)" in shown.text
    assert 'id="hints" name="hints" type="number" min="0" max="10" value="3"' in shown.text
    assert 'id="max_submits" name="max_submits" type="number" min="0" max="100" value="3"' in shown.text
    assert '<option value="student" selected>' in shown.text and '<option value="shared" >' in shown.text
    languages = shown.text.split('id="language"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\w+)"', languages) == ["python", "javascript"]  # what the programs offer

    # Ticked boxes arrive as one value each and are stored comma-separated; a refused form keeps the ticks.
    refused = browser.post(action, data={"csrf_token": token, "phase": "pool", "scenario": ["beta", "alpha"],
                                         "language": "javascript"})
    assert refused.status_code == 400 and "not available in javascript: Beta" in refused.text
    assert all(f'value="{p}" data-phase="pool" checked' in refused.text for p in ("alpha", "beta"))
    ok = browser.post(action, data={"csrf_token": token, "phase": "pool", "scenario": ["beta", "alpha"],
                                    "hints": "2", "seeding": "shared", "max_submits": "", "max_attempts": "2"})
    assert ok.status_code == 200, ok.text[:500]
    assert _custom(ok) == {"phase": "pool", "scenario": "alpha,beta", "hints": "2", "seeding": "shared",
                           "max_submits": "3", "max_attempts": "2", "submission_policy": "best"}


def test_a_launch_stores_the_pool_and_new_options_and_the_phase_defaults_fill_the_rest(pool_registered, make_app,
                                                                                     seed_launch):
    from lti_app.workbench.submissions import submit_limit

    app = make_app()
    long_pool = ",".join(["alpha", "beta"] * 40)  # longer than the scenario column: kept whole in the options
    seed_launch(app, custom={"phase": "pool", "scenario": long_pool, "hints": "0", "seeding": "shared",
                             "max_attempts": "3"})
    seed_launch(app, custom={"phase": "pool", "hints": "99", "seeding": "everyone"}, resource_link_id="link-2")
    seed_launch(app, custom={"phase": "pool", "max_submits": "5"}, resource_link_id="link-3")
    seed_launch(app, custom={"phase": "pool", "max_submits": "0"}, resource_link_id="link-4")
    seed_launch(app, custom={"phase": "difficult_client", "hints": "2", "seeding": "shared"}, resource_link_id="link-5")
    with app.app_context():
        activities = {a.resource_link_id: a for a in db.session.query(Activity)}
        first = activities["link-1"]
        assert first.scenario == "" and first.options == {"scenario": long_pool, "hints": "0", "seeding": "shared"}
        assert activities["link-2"].options == {}  # bad values fall back to the defaults
        assert activities["link-5"].options == {}  # the Difficult Client honours neither
        limits = {link: submit_limit(db.session.query(Attempt).filter_by(activity_id=a.id).one())
                  for link, a in activities.items()}
        assert limits == {"link-1": 3, "link-2": 3, "link-3": 5, "link-4": None, "link-5": 10}


def test_new_state_learns_the_learner_and_their_attempt_number_and_earlier_states(pool_registered, make_app,
                                                                                 seed_launch):
    app = make_app()
    launch_id = seed_launch(app, custom={"phase": "pool", "scenario": "alpha,beta", "max_attempts": "3"})
    client = app.test_client()
    from lti_app.security import csrf_token

    with app.test_request_context():
        token = csrf_token(launch_id)
    for _ in range(2):
        with app.app_context():
            open_attempt = db.session.query(Attempt).filter_by(status=AttemptStatus.OPEN).one()
            open_attempt.status = AttemptStatus.CLOSED
            db.session.commit()
        started = client.post(f"/a/{launch_id}/attempts", headers={"X-CSRF-Token": token})
        assert started.status_code == 303
    with app.app_context():
        attempts = db.session.query(Attempt).order_by(Attempt.number).all()
        user_id = attempts[0].user_id
        drawn = {n: ["alpha", "beta"][(user_id + n) % 2] for n in (1, 2, 3)}
        assert [a.state for a in attempts] == [
            {"program": drawn[n], "number": n, "previous": [drawn[k] for k in range(1, n)]} for n in (1, 2, 3)]
    assert "Program " in client.get(f"/a/{launch_id}").get_data(as_text=True)
