"""The picker offers only the options the chosen phase honours (rendered per phase, so it works without
JavaScript), refuses one it does not, and a launch stores and honours every option it was given."""

from __future__ import annotations

import re

import jwt
import pytest

from lti_app.extensions import db
from lti_app.models import Activity, Attempt
from tests.support.browser import forms_in

OPTION_FIELDS = ("scenario", "difficulty", "language", "time_limit", "max_attempts", "grade_policy",
                 "submission_policy", "max_submits")


def _fields(page: str) -> set[str]:
    return {name for name in OPTION_FIELDS if f'name="{name}"' in page}


def _custom(answer) -> dict[str, str]:
    token = forms_in(answer.text)[0]["fields"]["JWT"]
    claims = jwt.decode(token, options={"verify_signature": False})
    custom = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"][0]["custom"]
    return {k: v for k, v in custom.items() if k != "activity_key"}


def test_the_picker_shows_only_the_chosen_phases_options_and_refuses_others(tool, make_lms, browser):
    lms = make_lms("moodle", tool)
    picker = browser.launch(lms.base_url, lms.users[0].id, deep_link=True)
    (form,) = forms_in(picker.text)
    action = f"{tool.url}{form['action']}"
    token = form["fields"]["csrf_token"]
    # The first phase (the orientation quiz) by default: attempts and the attempt policy, nothing else.
    assert 'id="phase-options" data-phase="acknowledge"' in picker.text
    assert _fields(picker.text) == {"max_attempts", "grade_policy"}

    # Without JavaScript, "Show this phase's options" renders the picker again for the chosen phase,
    # keeping what was typed.
    shown = browser.post(action, data={"csrf_token": token, "phase": "difficult_client", "max_attempts": "3",
                                       "title": "Week 2", "show_options": "1"})
    assert shown.status_code == 200 and 'data-phase="difficult_client"' in shown.text
    assert _fields(shown.text) == {"scenario", "difficulty", "time_limit", "max_attempts", "grade_policy",
                                   "submission_policy", "max_submits"}  # no language: the scenario decides it
    assert 'value="3"' in shown.text and 'value="Week 2"' in shown.text
    # Each scenario says its own difficulty and language, and only this phase's scenarios are listed.
    labels = re.findall(r'<option value="[a-z_]+" data-phase="difficult_client" *>([^<]+)</option>', shown.text)
    assert "The Angry Bakery Owner (easy · python)" in labels and len(labels) == 4
    assert "Perfectionist" in " ".join(labels) and all("(" in label for label in labels)

    # An option the phase does not use is refused with a sentence saying so; nothing is signed.
    refused = browser.post(action, data={"csrf_token": token, "phase": "difficult_client", "language": "java"})
    assert refused.status_code == 400
    assert "The Difficult Client does not use the option “language”" in refused.text
    quiz = browser.post(action, data={"csrf_token": token, "phase": "acknowledge", "time_limit": "30",
                                      "submission_policy": "latest"})
    assert quiz.status_code == 400 and "does not use the option “time limit”" in quiz.text
    assert "does not use the option “submission grade policy”" in quiz.text
    wrong = browser.post(action, data={"csrf_token": token, "phase": "difficult_client", "grade_policy": "worst"})
    assert wrong.status_code == 400 and "attempt grade policy must be one of best, latest, first" in wrong.text

    # A named scenario keeps its own difficulty; the custom parameters carry only the phase's options.
    ok = browser.post(action, data={"csrf_token": token, "phase": "difficult_client",
                                    "scenario": "angry_bakery_owner", "difficulty": "hard", "time_limit": "40",
                                    "max_attempts": "2", "grade_policy": "latest", "submission_policy": "latest",
                                    "max_submits": "4"})
    assert ok.status_code == 200, ok.text[:500]
    assert _custom(ok) == {"phase": "difficult_client", "scenario": "angry_bakery_owner", "difficulty": "easy",
                           "time_limit": "40", "max_attempts": "2", "grade_policy": "latest",
                           "submission_policy": "latest", "max_submits": "4"}


def test_the_quiz_is_placed_with_only_its_options(tool, make_lms, browser):
    lms = make_lms("canvas", tool)
    picker = browser.launch(lms.base_url, lms.users[0].id, deep_link=True)
    answer = browser.submit_form(picker, {"phase": "acknowledge", "max_attempts": "2", "grade_policy": "first"})
    assert answer.status_code == 200, answer.text[:500]
    assert _custom(answer) == {"phase": "acknowledge", "max_attempts": "2", "grade_policy": "first"}


@pytest.mark.parametrize(("custom", "expected"), [
    # The Difficult Client: difficulty picks the scenario when none is named; every option is stored.
    ({"phase": "difficult_client", "difficulty": "hard", "time_limit": "15", "max_attempts": "3",
      "grade_policy": "first", "submission_policy": "latest", "language": "java"},
     {"scenario": "", "options": {"difficulty": "hard", "time_limit": "15", "grade_policy": "first",
                                  "submission_policy": "latest"}, "max_attempts": 3,
      "plays": "perfectionist_startup_founder", "minutes": 15}),
    # The quiz ignores what it does not use (no deadline from a time limit), and a bad policy falls back.
    ({"phase": "acknowledge", "time_limit": "15", "difficulty": "hard", "grade_policy": "worst",
      "max_attempts": "99"},
     {"scenario": "", "options": {}, "max_attempts": 20, "plays": None, "minutes": None}),
])
def test_a_launch_stores_and_honours_the_options_its_phase_uses(make_app, seed_launch, custom, expected):
    app = make_app()
    seed_launch(app, custom=custom)
    with app.app_context():
        activity = db.session.query(Activity).one()
        assert (activity.scenario, activity.options, activity.max_attempts) == (
            expected["scenario"], expected["options"], expected["max_attempts"])
        attempt = db.session.query(Attempt).one()
        assert attempt.state.get("scenario_id") == expected["plays"]
        minutes = (attempt.deadline_at - attempt.started_at).total_seconds() / 60 if attempt.deadline_at else None
        assert minutes == expected["minutes"]
