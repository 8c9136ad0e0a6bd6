"""The picker offers only the options the chosen phase honours (rendered per phase, so it works without
JavaScript), refuses one it does not, and a launch stores and honours every option it was given."""

from __future__ import annotations

import re

import jwt
import pytest

from grader.phases.difficult_client import list_scenarios
from lti_app.extensions import db
from lti_app.models import Activity, Attempt
from tests.support.browser import forms_in

OPTION_FIELDS = ("scenario", "difficulty", "language", "time_limit", "max_attempts", "grade_policy",
                 "submission_policy", "max_submits", "show_answers")


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
    assert _fields(shown.text) == {"scenario", "difficulty", "language", "time_limit", "max_attempts",
                                   "grade_policy", "submission_policy", "max_submits", "show_answers"}
    assert 'value="3"' in shown.text and 'value="Week 2"' in shown.text
    # A pool of clients: each says its own difficulty and language, and only this phase's scenarios are listed.
    ticks = re.findall(r'type="checkbox" id="scenario-([a-z_]+)" name="scenario" value="\1" '
                       r'data-phase="difficult_client"', shown.text)
    assert sorted(ticks) == sorted(m.id for m in list_scenarios() if m.languages)  # those served in a language
    labels = re.findall(r'<label for="scenario-[a-z_]+" class="inline">([^<]+)</label>', shown.text)
    assert "The Angry Bakery Owner (easy · python, javascript, java)" in labels and len(labels) == len(ticks)
    assert "Perfectionist" in " ".join(labels) and all("(" in label for label in labels)
    assert '<option value="after_last" selected>' in shown.text  # answers after the last attempt, by default

    # An option the phase does not use is refused with a sentence saying so; nothing is signed.
    refused = browser.post(action, data={"csrf_token": token, "phase": "difficult_client", "hints": "2"})
    assert refused.status_code == 400
    assert "The Difficult Client does not use the option “hints per attempt”" in refused.text
    quiz = browser.post(action, data={"csrf_token": token, "phase": "acknowledge", "time_limit": "30",
                                      "submission_policy": "latest"})
    assert quiz.status_code == 400 and "does not use the option “time limit”" in quiz.text
    assert "does not use the option “submission grade policy”" in quiz.text
    wrong = browser.post(action, data={"csrf_token": token, "phase": "difficult_client", "grade_policy": "worst"})
    assert wrong.status_code == 400 and "attempt grade policy must be one of best, latest, first" in wrong.text
    wrong = browser.post(action, data={"csrf_token": token, "phase": "difficult_client", "show_answers": "never"})
    assert wrong.status_code == 400 and "when answers are shown must be one of after_last, after_each" in wrong.text

    # The chosen difficulty is how guarded the client is, whichever clients are ticked; the custom parameters carry
    # only the phase's options.
    ok = browser.post(action, data={"csrf_token": token, "phase": "difficult_client",
                                    "scenario": ["perfectionist_startup_founder", "angry_bakery_owner"],
                                    "difficulty": "hard", "time_limit": "40", "max_attempts": "2",
                                    "grade_policy": "latest", "submission_policy": "latest", "max_submits": "4",
                                    "show_answers": "after_each"})
    assert ok.status_code == 200, ok.text[:500]
    assert _custom(ok) == {"phase": "difficult_client", "scenario": "angry_bakery_owner,perfectionist_startup_founder",
                           "difficulty": "hard", "time_limit": "40", "max_attempts": "2", "grade_policy": "latest",
                           "submission_policy": "latest", "max_submits": "4", "show_answers": "after_each"}


def test_the_quiz_is_placed_with_only_its_options(tool, make_lms, browser):
    lms = make_lms("canvas", tool)
    picker = browser.launch(lms.base_url, lms.users[0].id, deep_link=True)
    answer = browser.submit_form(picker, {"phase": "acknowledge", "max_attempts": "2", "grade_policy": "first"})
    assert answer.status_code == 200, answer.text[:500]
    assert _custom(answer) == {"phase": "acknowledge", "max_attempts": "2", "grade_policy": "first"}


@pytest.mark.parametrize(("custom", "expected"), [
    # The Difficult Client: difficulty narrows the pool (every client, none being named); every option is stored.
    ({"phase": "difficult_client", "difficulty": "hard", "time_limit": "15", "max_attempts": "3",
      "grade_policy": "first", "submission_policy": "latest", "language": "java", "show_answers": "after_each"},
     {"scenario": "", "options": {"difficulty": "hard", "language": "java", "time_limit": "15",
                                  "grade_policy": "first", "submission_policy": "latest", "show_answers": "after_each"},
      "max_attempts": 3, "plays": {m.id for m in list_scenarios() if m.difficulty == "hard" and "java" in m.languages},
      "minutes": 15}),
    # The quiz ignores what it does not use (no deadline from a time limit), and a bad policy falls back.
    ({"phase": "acknowledge", "time_limit": "15", "difficulty": "hard", "grade_policy": "worst",
      "max_attempts": "99"},
     {"scenario": "", "options": {}, "max_attempts": 20, "plays": {None}, "minutes": None}),
])
def test_a_launch_stores_and_honours_the_options_its_phase_uses(make_app, seed_launch, custom, expected):
    app = make_app()
    seed_launch(app, custom=custom)
    with app.app_context():
        activity = db.session.query(Activity).one()
        assert (activity.scenario, activity.options, activity.max_attempts) == (
            expected["scenario"], expected["options"], expected["max_attempts"])
        attempt = db.session.query(Attempt).one()
        assert attempt.state.get("scenario_id") in expected["plays"]
        minutes = (attempt.deadline_at - attempt.started_at).total_seconds() / 60 if attempt.deadline_at else None
        assert minutes == expected["minutes"]
