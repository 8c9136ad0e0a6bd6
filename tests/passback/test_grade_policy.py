"""Which grade counts: the attempt policy across attempts (what reaches the dev LMS's gradebook, what a resend
sends, what the student is told before starting another attempt) and the submission policy within one.
(The Difficult Client's real-sandbox case is in tests/phases/difficult_client/test_grade_policy.py.)"""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

from grader.workbench.grade_policy import Scored, new_attempt_effect, pick
from lti_app.dispatch import get_dispatcher
from lti_app.extensions import db
from lti_app.models import Attempt, GradeRow, Passback, Submission, WorkStatus
from lti_app.security import csrf_token
from lti_app.workbench.submissions import counting_submit
from tests.lti.conftest import add_activity
from tests.passback.helpers import ALL_RIGHT, received
from tests.support.browser import forms_in

ONE_RIGHT = {"scores": "rubric", "hidden": "shown", "sandbox": "laptop", "resolution": "force"}  # 25
THREE_RIGHT = {**ALL_RIGHT, "resolution": "force"}  # 75


def _attempt(browser, lms, tool, link_id: str, answers: dict[str, str], student: int = 1) -> str:
    """The student launches (a new attempt when the last one is closed and more are allowed) and answers."""
    user = lms.users[student]
    launched = browser.launch(lms.base_url, user.id, link=link_id)
    assert launched.status_code == 302, launched.text[:300]
    page_url = urljoin(tool.url, launched.headers["Location"])
    page = browser.get(page_url)
    if "Start another attempt" in page.text:
        form = next(f for f in forms_in(page.text) if f["action"].endswith("/attempts"))
        again = browser.post(urljoin(page_url, form["action"]), data=form["fields"], allow_redirects=False)
        assert again.status_code == 303, again.text[:300]
        page = browser.get(page_url)
    assert "Orientation" in page.text, page.text[:300]
    sent = browser.submit_form(page, answers)
    assert sent.status_code == 303, sent.text[:300]
    assert get_dispatcher(tool.app).drain(60)
    return page_url


@pytest.mark.parametrize(("policy", "first", "second", "gradebook", "counted"), [
    ("best", ALL_RIGHT, ONE_RIGHT, [100.0, 100.0], 1),  # a worse attempt never lowers the gradebook
    ("best", ONE_RIGHT, ALL_RIGHT, [25.0, 100.0], 2),
    ("latest", ALL_RIGHT, ONE_RIGHT, [100.0, 25.0], 2),
    ("first", ALL_RIGHT, ONE_RIGHT, [100.0, 100.0], 1),
    ("first", ONE_RIGHT, ALL_RIGHT, [25.0, 25.0], 1),
])
def test_every_delivery_sends_what_the_attempt_policy_counts(tool, make_lms, browser, policy, first, second,
                                                            gradebook, counted):
    lms = make_lms("moodle", tool)
    link_id = add_activity(browser, lms, phase="acknowledge", max_attempts="2", grade_policy=policy)
    assert lms.store.state.links[link_id].custom["grade_policy"] == policy
    student = lms.users[1]
    _attempt(browser, lms, tool, link_id, first)
    report_url = _attempt(browser, lms, tool, link_id, second)
    scores = received(lms, student.id)
    assert [s.payload["scoreGiven"] for s in scores] == gradebook and all(s.status == 200 for s in scores)
    # The comment says which grade it is: the letter of the counted attempt.
    assert scores[-1].payload["comment"].startswith("A+" if gradebook[-1] == 100 else "F")
    report = browser.get(report_url).text
    assert f"from attempt {counted}, sent." in report


def test_resend_sends_the_policys_pick_never_an_older_lower_grade(tool, make_lms, browser):
    lms = make_lms("canvas", tool)
    link_id = add_activity(browser, lms, phase="acknowledge", max_attempts="2")  # best by default
    student = lms.users[1]
    _attempt(browser, lms, tool, link_id, ONE_RIGHT)
    _attempt(browser, lms, tool, link_id, ALL_RIGHT)
    assert [s.payload["scoreGiven"] for s in received(lms, student.id)] == [25.0, 100.0]

    teacher = browser.launch(lms.base_url, lms.users[0].id, link=link_id)
    results_url = urljoin(tool.url, teacher.headers["Location"])
    results = browser.get(results_url).text
    resend_forms = [f for f in forms_in(results) if f["action"].endswith("/resend")]
    assert len(resend_forms) == 2
    old = resend_forms[0]  # the resend button on attempt 1's row (its own grade is 25)
    assert browser.post(urljoin(results_url, old["action"]), data=old["fields"],
                        allow_redirects=False).status_code == 303
    assert get_dispatcher(tool.app).drain(60)
    scores = received(lms, student.id)
    assert [s.payload["scoreGiven"] for s in scores] == [25.0, 100.0, 100.0]
    stamps = [s.payload["timestamp"] for s in scores]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3
    with tool.app.app_context():
        # One delivery per grade plus the resend, each row saying which grade it carried.
        carried = [(p.grade.attempt.number, p.grade.score) for p in db.session.query(Passback).order_by(Passback.id)]
        assert carried == [(1, 25.0), (2, 100.0), (2, 100.0)]
    results = browser.get(results_url).text
    assert results.count("data-counted>counts<") == 1


def _quiz(app, seed_launch, policy: str = "best", max_attempts: str = "2"):
    launch_id = seed_launch(app, custom={"phase": "acknowledge", "max_attempts": max_attempts,
                                         "grade_policy": policy})
    with app.test_request_context():
        token = csrf_token(launch_id)
    return launch_id, token


def _answer(app, client, launch_id: str, token: str, answers: dict[str, str]) -> None:
    assert client.post(f"/a/{launch_id}/acknowledge", data={**answers, "csrf_token": token}).status_code == 303
    assert get_dispatcher(app).drain(30)


@pytest.mark.parametrize(("policy", "warning"), [
    ("best", "Your best attempt counts: a new attempt can only raise your grade. If it scores lower, the gradebook "
             "keeps 75.0 from attempt 1."),
    ("latest", "Your latest attempt counts: the new attempt's grade replaces 75.0 from attempt 1 in the gradebook, "
               "even if it is lower."),
    ("first", "Only your first attempt counts: a new attempt is practice and does not change the gradebook "
              "(75.0 from attempt 1)."),
])
def test_the_student_is_told_what_counts_and_what_a_new_attempt_can_do_before_starting_it(
        make_app, seed_launch, policy, warning):
    app = make_app()
    launch_id, token = _quiz(app, seed_launch, policy)
    client = app.test_client()
    page = client.get(f"/a/{launch_id}").get_data(as_text=True)
    assert "How your grade counts" in page and f'data-attempt-policy="{policy}"' in page
    assert "This is attempt 1 of 2; you can start 1 more after it." in page
    assert "Submit counts" not in page  # the quiz has no Submits: no submission policy to state
    _answer(app, client, launch_id, token, THREE_RIGHT)
    report = client.get(f"/a/{launch_id}/report").get_data(as_text=True)
    assert warning.replace("'", "&#39;") in report
    assert 'aria-describedby="new-attempt-effect"' in report
    assert "You have used 1 of 2 attempts; 1 is left." in report
    assert "Gradebook: C+ (75.0) from attempt 1" in report
    assert client.post(f"/a/{launch_id}/attempts", data={"csrf_token": token}).status_code == 303
    _answer(app, client, launch_id, token, ALL_RIGHT)
    report = client.get(f"/a/{launch_id}/report").get_data(as_text=True)
    assert "Start another attempt" not in report and "none is left" in report
    counted = {"best": "A+ (100.0) from attempt 2", "latest": "A+ (100.0) from attempt 2",
               "first": "C+ (75.0) from attempt 1"}[policy]
    assert f"Gradebook: {counted}" in report
    status = client.get(f"/api/a/{launch_id}/status").get_json()
    assert status["grade"]["score"] == 100.0  # this attempt's own grade...
    assert status["gradebook"]["attempt"] == (1 if policy == "first" else 2)  # ...and what the gradebook holds


def test_the_domain_policies_and_their_words():
    better_then_worse = [Scored("a1", 90.5, 1), Scored("a2", 3.0, 2)]
    assert pick(better_then_worse, "best").item == "a1"
    assert pick(better_then_worse, "latest").item == "a2"
    assert pick(better_then_worse, "first").item == "a1"
    assert pick([Scored("s1", 6, 10), Scored("s2", 6, 11)], "best").item == "s1"  # ties go to the earlier
    assert pick([], "best") is None
    assert "can only help" in new_attempt_effect("best", None, None)


def _submit(attempt_id: int, passed: int, total: int = 6, status: str = WorkStatus.DONE, kind: str = "submit"):
    row = Submission(attempt_id=attempt_id, kind=kind, language="python", source=f"# passes {passed}",
                     status=status, result={"kind": kind, "hidden": {"passed": passed, "total": total},
                                            "examples": {"passed": 0, "total": 2}} if kind == "submit" else
                     {"kind": "run", "outcome": "ok"})
    db.session.add(row)
    db.session.commit()
    return row.id


@pytest.mark.parametrize(("policy", "counted"), [("best", "six"), ("latest", "broken"), (None, "six")])
def test_within_an_attempt_the_submission_policy_picks_the_submit(make_app, seed_launch, policy, counted):
    app = make_app()
    custom = {"phase": "difficult_client", "scenario": "angry_bakery_owner"}
    if policy:
        custom["submission_policy"] = policy
    seed_launch(app, custom=custom)
    with app.app_context():
        attempt_id = db.session.query(Attempt).one().id
        ids = {"four": _submit(attempt_id, 4), "six": _submit(attempt_id, 6), "again": _submit(attempt_id, 6),
               "broken": _submit(attempt_id, 0)}
        _submit(attempt_id, 6, status=WorkStatus.QUEUED)  # not finished: never counts
        _submit(attempt_id, 0, kind="run")  # Run never counts
        assert counting_submit(attempt_id)["id"] == ids[counted]


def test_a_delivery_queued_before_a_newer_grade_sends_what_the_policy_counts_when_it_runs(make_app, seed_launch):
    """A resend (or a retry) waiting in the queue while a better attempt is graded must not put the older,
    lower grade back: the passback job picks again when it runs, and its row records what it carried."""
    from lti_app.grading import new_passback
    from worker.runner import perform

    app = make_app()
    launch_id, token = _quiz(app, seed_launch, "best")
    client = app.test_client()
    _answer(app, client, launch_id, token, ONE_RIGHT)
    with app.app_context():
        older = db.session.query(GradeRow).one()
        stale = new_passback(older)  # queued for attempt 1's 25 while it was still the best
        db.session.commit()
        stale_id = stale.id
    assert client.post(f"/a/{launch_id}/attempts", data={"csrf_token": token}).status_code == 303
    _answer(app, client, launch_id, token, ALL_RIGHT)
    with app.app_context():
        perform("passback", stale_id)
        row = db.session.get(Passback, stale_id)
        assert (row.grade.attempt.number, row.grade.score) == (2, 100.0)
