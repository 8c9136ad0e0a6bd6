"""An attempt gets a bounded number of Submits (the activity option ``max_submits``: 10 by default, 0 for no
limit), so probing the hidden tests costs something. The student sees how many are left; Run stays free."""

from __future__ import annotations

from datetime import timedelta

import pytest

from grader.phases.options import DEFAULT_MAX_SUBMITS
from lti_app.extensions import db
from lti_app.models import Activity, Attempt, Submission
from tests.phases.difficult_client.conftest import DC_CUSTOM
from tests.phases.difficult_client.students import EXPERT, GOOD_CODE


def _unlocked(dc_session, link: str = "link-1", **custom):
    s = dc_session(custom={**DC_CUSTOM, **custom}, resource_link_id=link)
    for text in EXPERT[:4]:
        assert s.say(text).status_code == 200
    return s


def _note(s) -> str:
    page = s.page().get_data(as_text=True)
    start = page.index('class="policy-note"')
    return page[start:page.index("</section>", start)]


def _used(s, count: int, status: str = "done") -> None:
    """Submits already made (rows as the worker leaves them), without running the sandbox each time."""
    attempt_id = s.attempt_row().id
    with s.app.app_context():
        db.session.add_all([Submission(attempt_id=attempt_id, kind="submit", language="python", source=f"# {i}",
                                       status=status) for i in range(count)])
        db.session.commit()


def _submits(s) -> int:
    with s.app.app_context():
        return db.session.query(Submission).filter_by(kind="submit").count()


def test_submits_beyond_the_activitys_limit_are_refused_and_run_stays_free(dc_session):
    s = _unlocked(dc_session, max_submits="2")
    assert 'data-submits-left="2"' in _note(s) and "You have 2 of 2 Submits left in this attempt." in _note(s)
    queued = s.queue("submit", GOOD_CODE).get_json()
    assert queued["submits"] == {"left": 1, "sentence": "You have 1 of 2 Submits left in this attempt."}
    first = s.wait(queued["submission"])
    assert first["state"] == "done"
    assert "You have 1 of 2 Submits left in this attempt." in _note(s)
    assert s.wait(s.queue("submit", GOOD_CODE + "\n").get_json()["submission"])["state"] == "done"
    refused = s.queue("submit", GOOD_CODE + "\n\n")
    assert refused.status_code == 409
    assert refused.get_json() == {"error": "submit_limit", "submits_allowed": 2,
                                  "detail": "you have used all 2 Submits of this attempt; Run still works"}
    assert 'data-submits-left="0"' in _note(s) and "You have used all 2 Submits of this attempt." in _note(s)
    assert s.wait(s.queue("run", GOOD_CODE).get_json()["submission"])["state"] == "done"
    assert _submits(s) == 2


def test_the_default_is_ten_every_submit_counts_and_zero_means_no_limit(dc_session, make_app):
    s = _unlocked(dc_session)  # no max_submits in the placement
    assert DEFAULT_MAX_SUBMITS == 10 and "You have 10 of 10 Submits left" in _note(s)
    _used(s, 6)
    # Even Submits the grader gave up on count: code that breaks grading only for some hidden inputs learns
    # from the failure.
    _used(s, 3, status="failed")
    assert "You have 1 of 10 Submits left" in _note(s)
    assert s.wait(s.queue("submit", GOOD_CODE).get_json()["submission"])["state"] == "done"
    refused = s.queue("submit", GOOD_CODE)
    assert refused.status_code == 409 and refused.get_json()["error"] == "submit_limit"

    unlimited = _unlocked(dc_session, link="link-2", max_submits="0")
    with unlimited.app.app_context():
        assert db.session.query(Activity).filter_by(resource_link_id="link-2").one().options["max_submits"] == "0"
    assert "There is no limit on Submits." in _note(unlimited)
    _used(unlimited, 40)
    assert unlimited.queue("submit", GOOD_CODE).status_code == 202


@pytest.mark.parametrize(("raw", "stored"), [("3", "3"), ("0", "0"), ("100", "100"), ("101", None), ("x", None),
                                              ("-1", None)])
def test_a_launch_stores_a_valid_limit_and_ignores_a_bad_one(dc_session, raw, stored):
    s = dc_session(custom={**DC_CUSTOM, "max_submits": raw})
    with s.app.app_context():
        assert db.session.query(Activity).one().options.get("max_submits") == stored


def test_one_submit_is_said_plainly(dc_session):
    s = _unlocked(dc_session, max_submits="1")
    assert "You have 1 of 1 Submit left in this attempt." in _note(s)
    _used(s, 1)
    assert "You have used the one Submit of this attempt." in _note(s)
    refused = s.queue("submit", GOOD_CODE)
    assert refused.get_json()["detail"] == "you have used the one Submit of this attempt; Run still works"


def test_the_deadline_does_not_submit_beyond_the_limit(dc_session):
    from lti_app.workbench.deadlines import sweep_deadlines

    s = _unlocked(dc_session, max_submits="1", time_limit="20")
    _used(s, 1)
    assert s.client.put(f"/api/a/{s.launch_id}/draft", json={"source": GOOD_CODE + "# later\n", "revision": 1},
                        headers={"X-CSRF-Token": s.csrf}).status_code == 200
    with s.app.app_context():
        attempt = db.session.query(Attempt).one()
        attempt.deadline_at -= timedelta(minutes=21)
        db.session.commit()
        assert sweep_deadlines() == [attempt.id]
    assert _submits(s) == 1


def test_the_orientation_quiz_has_no_submits_and_says_nothing_about_them(make_app, seed_launch):
    app = make_app()
    launch_id = seed_launch(app, custom={"phase": "acknowledge", "max_submits": "3"})
    page = app.test_client().get(f"/a/{launch_id}").get_data(as_text=True)
    assert "Submits" not in page and "data-submits-left" not in page
    with app.app_context():
        assert "max_submits" not in db.session.query(Activity).one().options


def test_the_picker_offers_and_checks_the_limit_for_phases_with_code():
    from lti_app.lti.deep_linking import parse_choice

    choice, errors = parse_choice({"phase": "difficult_client", "max_submits": "5"})
    assert errors == [] and choice is not None and choice.options["max_submits"] == "5"
    choice, errors = parse_choice({"phase": "difficult_client"})
    assert choice is not None and choice.options["max_submits"] == "10"
    choice, errors = parse_choice({"phase": "difficult_client", "max_submits": "0"})
    assert choice is not None and choice.options["max_submits"] == "0"
    for bad in ("101", "-2", "lots"):
        choice, errors = parse_choice({"phase": "difficult_client", "max_submits": bad})
        assert choice is None and any("Submits per attempt" in e for e in errors), (bad, errors)
    choice, errors = parse_choice({"phase": "acknowledge", "max_submits": "5"})
    assert choice is None and any("does not use the option “Submits per attempt”" in e for e in errors)
