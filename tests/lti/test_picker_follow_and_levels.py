"""The picker's options for the Code Crucible: a level (a select), several languages (ticked, stored comma-separated;
only a phase that lets the student choose takes a list), and "after" — the course's Difficult Client activity the
task follows, offered as a select of that course's interviews (deep linking and a bare link set up in place alike),
checked against the course, and stored with the level when the link is first launched. A time limit of 0 stays "no
limit" for a phase with a limit of its own."""

from __future__ import annotations

from urllib.parse import urljoin

import jwt
import pytest

from grader.phases.options import InvalidOption, clean_option, languages_of
from lti_app.extensions import db
from lti_app.models import Activity, Attempt
from tests.lti.conftest import add_activity, bare_link
from tests.support.browser import forms_in

CRUCIBLE = {"phase": "code_crucible"}


def _custom(answer) -> dict[str, str]:
    token = forms_in(answer.text)[0]["fields"]["JWT"]
    claims = jwt.decode(token, options={"verify_signature": False})
    return claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"][0]["custom"]


def test_the_options_themselves():
    assert clean_option("language", " java, python,java ") == "python,java"  # each once, in the catalogue's order
    assert languages_of({"language": "java,python"}) == ["python", "java"] and languages_of({}) == []
    assert clean_option("level", "senior") == "senior" and clean_option("after", " link-7 ") == "link-7"
    for name, value, words in (("language", "python,cobol", "language must be one of"),
                               ("level", "principal", "level must be one of intern, junior, mid, senior"),
                               ("after", "x" * 129, "follows the activity must name an activity of this course"),
                               ("after", "a\nb", "follows the activity must name")):
        with pytest.raises(InvalidOption, match=words):
            clean_option(name, value)


def test_parse_choice_checks_level_languages_and_the_followed_activity(make_app):
    from lti_app.lti.deep_linking import parse_choice

    app = make_app()
    with app.app_context():
        choice, errors = parse_choice({**CRUCIBLE, "language": "javascript,python", "level": "senior"})
        assert errors == [] and choice is not None
        assert (choice.options["language"], choice.options["level"]) == ("python,javascript", "senior")
        assert (choice.options["max_submits"], choice.options["time_limit"]) == ("3", "15")  # the phase's defaults
        choice, _ = parse_choice(dict(CRUCIBLE))
        assert choice is not None and choice.options["level"] == "mid" and "language" not in choice.options
        choice, errors = parse_choice({"phase": "bug_hunt", "language": "python,javascript"})
        assert choice is None and errors == ["The Bug Hunt is played in one language; choose one"]
        choice, errors = parse_choice({"phase": "bug_hunt", "level": "junior"})
        assert choice is None and "does not use the option “level”" in errors[0]
        choice, errors = parse_choice({**CRUCIBLE, "after": "link-of-nothing"}, course=("https://x", "course-1"))
        assert choice is None and errors == ["choose the activity this one follows from the list (an interview of "
                                             "this course)"]


def test_the_picker_lists_the_courses_interviews_and_a_placed_link_keeps_level_and_after(tool, lms, browser):
    interview = add_activity(browser, lms, phase="difficult_client", scenario="angry_bakery_owner",
                             title="Meet the baker")
    unlaunched = add_activity(browser, lms, phase="difficult_client", scenario="angry_bakery_owner",
                              title="Never opened")
    launched = browser.launch(lms.base_url, lms.users[0].id, link=interview)  # the tool learns of the activity
    assert launched.status_code in (302, 303)

    picker = browser.launch(lms.base_url, lms.users[0].id, deep_link=True)
    (form,) = forms_in(picker.text)
    action, token = urljoin(tool.url, form["action"]), form["fields"]["csrf_token"]
    shown = browser.post(action, data={"csrf_token": token, "phase": "code_crucible", "show_options": "1"})
    follows = shown.text.split('id="after"')[1].split("</select>")[0]
    assert f'value="{interview}"' in follows and "Meet the baker" in follows and unlaunched not in follows
    assert 'id="level" name="level"' in shown.text and 'id="language-python" name="language"' in shown.text
    other = browser.post(action, data={"csrf_token": token, "phase": "difficult_client", "show_options": "1"})
    # The interview has a language (its coding task's) but neither a level nor a link to follow.
    assert 'id="after"' not in other.text and 'id="level"' not in other.text and 'name="language"' in other.text

    answer = browser.post(action, data={"csrf_token": token, "phase": "code_crucible", "scenario": "bakery_receipt",
                                        "language": ["java", "python"], "level": "junior", "after": interview,
                                        "time_limit": "0", "title": "Receipts"}, allow_redirects=False)
    assert answer.status_code == 200, answer.text[:500]
    custom = _custom(answer)
    assert (custom["after"], custom["level"], custom["language"], custom["time_limit"]) == \
        (interview, "junior", "python,java", "0")
    back = browser.submit_form(answer)
    link_id = back.headers["Location"].split("created=")[1].split("&")[0]
    browser.launch(lms.base_url, lms.users[1].id, link=link_id)
    with tool.app.app_context():
        activity = db.session.scalar(db.select(Activity).filter_by(resource_link_id=link_id))
        assert {"after": interview, "level": "junior", "language": "python,java",
                "time_limit": "0"}.items() <= activity.options.items()
        attempt = db.session.scalar(db.select(Attempt).filter_by(activity_id=activity.id))
        assert attempt.deadline_at is None  # 0: no limit, not the phase's 15 minutes
        assert attempt.state["languages"] == ["python", "java"] and attempt.state["link"]["played"] is False


def test_a_bare_link_set_up_in_place_offers_the_courses_interviews_but_not_itself(tool, lms, browser):
    interview = add_activity(browser, lms, phase="difficult_client", scenario="angry_bakery_owner",
                             title="Meet the baker")
    browser.launch(lms.base_url, lms.users[0].id, link=interview)
    link_id = bare_link(lms, browser)
    launched = browser.launch(lms.base_url, lms.users[0].id, link=link_id)
    picker = browser.get(urljoin(tool.url, launched.headers["Location"]))
    (form,) = forms_in(picker.text)
    action, token = urljoin(picker.url, form["action"]), form["fields"]["csrf_token"]
    shown = browser.post(action, data={"csrf_token": token, "phase": "code_crucible", "show_options": "1"})
    follows = shown.text.split('id="after"')[1].split("</select>")[0]
    assert f'value="{interview}"' in follows and f'value="{link_id}"' not in follows
    done = browser.post(action, allow_redirects=False, data={"csrf_token": token, "phase": "code_crucible",
                                                             "after": interview, "level": "intern"})
    assert done.status_code == 303, done.text[:500]
    with tool.app.app_context():
        activity = db.session.scalar(db.select(Activity).filter_by(resource_link_id=link_id))
        assert (activity.phase, activity.options["after"], activity.options["level"],
                activity.options["time_limit"]) == ("code_crucible", interview, "intern", "15")
