"""The coding task on the web is the scenario's Code Crucible exercise, in the activity's language: a Java activity
shows a Java task and grades a Java Submit, code in another language is refused, a missed constraint stays a hidden
test and the report names it, the gradebook gets one line, and a language the task lacks is refused at placement or
falls back with a note. Real sandbox, real in-process queue."""

from __future__ import annotations

import html

import pytest

from grader.phases.code_crucible import load_task
from lti_app.extensions import db
from tests.phases.difficult_client.students import EXPERT, GOOD_CODE, JAVA_CODE, NO_CUTOFF_CODE, SCENARIO

JAVA = {"phase": "difficult_client", "scenario": SCENARIO, "language": "java", "max_attempts": "2"}
# Every constraint of the bakery but the order cutoff (8 of 10 by weight: just enough to unlock the task).
WITHOUT_CUTOFF = EXPERT[:1] + EXPERT[2:]


def _played(session, messages: list[str]):
    for text in messages:
        assert session.say(text).status_code == 200
    assert session.state()["view"]["coding_task_unlocked"]
    return session


def test_a_java_activity_shows_a_java_task_grades_a_java_submit_and_refuses_other_languages(dc_session):
    s = _played(dc_session(custom=JAVA), EXPERT)
    task = s.state()["view"]["coding_task"]
    assert (task["language"], task["file_name"], task["function"]) == ("java", "Solution.java", "orderableDays")
    page = html.unescape(s.page().get_data(as_text=True))
    assert 'data-language="java"' in page and "public class Solution {" in page  # the starter, in the editor
    assert "orderableDays(3, 9, List.of(5, 4, 6), List.of(6))" in page and "List.of(4, 5)" in page  # Java examples
    assert "Orders close at 2 pm the day before pickup" in page and "public static void main" in page

    wrong = s.queue("submit", GOOD_CODE, language="python")
    assert wrong.status_code == 400 and wrong.get_json()["error"] == "language_not_offered"
    assert "this coding task is in Java, not Python" in wrong.get_json()["detail"]
    examples = s.job(s.queue("examples", JAVA_CODE, language="java"))["result"]
    assert examples["examples"] == {"passed": 2, "total": 2}
    submitted = s.job(s.queue("submit", JAVA_CODE, language="java"))["result"]
    assert submitted["hidden"] == {"passed": 13, "total": 13} and submitted["quality"]["tool"] == "javac -Xlint:all"

    assert s.finish().status_code == 202
    grade = s.graded()
    assert grade.summary == "Difficult Client: 5/5 constraints found, 13/13 hidden tests passed"
    items = {i["item"]: i for i in grade.breakdown}
    assert items["code_correctness"]["points"] == 25 and items["code_quality"]["points"] == 15
    assert grade.feedback["code"]["language"] == "java" and grade.feedback["code"]["missed"] == []
    # A regrade reads the exercise the attempt stored: the same grade.
    assert grade.inputs["code_result"]["language"] == "java"


def test_a_missed_constraint_stays_a_hidden_test_and_the_report_names_it(dc_session):
    s = _played(dc_session(), WITHOUT_CUTOFF)
    cutoff = load_task("pickup_dates").requirement_sentence("order_cutoff", 0)
    task = s.state()["view"]["coding_task"]
    assert cutoff not in task["statement"] and task["hidden_count"] == 13
    assert cutoff not in s.page().get_data(as_text=True)
    result = s.job(s.queue("submit", NO_CUTOFF_CODE))["result"]
    assert 0 < result["hidden"]["passed"] < 13
    failed_tags = {c["tag"] for c in result["report"]["cases"] if c["group"] == "hidden" and not c["passed"]}
    assert "requirement" in failed_tags  # a missed rule's tests say only "requirement", whatever their own tag
    assert all(cutoff not in body for body in s.seen)

    assert s.finish().status_code == 202
    grade = s.graded()
    (missed,) = grade.feedback["code"]["missed"]
    assert missed["topic"] and missed["failed"] and missed["tests"] == [9, 10, 11, 12, 13]
    passed = result["hidden"]["passed"]
    assert grade.summary == f"Difficult Client: 4/5 constraints found, {passed}/13 hidden tests passed"
    report = html.unescape(s.client.get(f"/a/{s.launch_id}/report").get_data(as_text=True))
    line = report.split('data-missed-topic="')[1].split("</li>")[0]
    assert "You never learned" in line and f"hidden tests {', '.join(map(str, missed['failed']))}" in line
    assert "which your code failed" in line


def test_the_picker_refuses_a_language_the_scenarios_task_lacks(monkeypatch):
    import grader.phases.code_crucible as crucible
    from lti_app.lti.deep_linking import parse_choice

    choice, errors = parse_choice({"phase": "difficult_client", "scenario": SCENARIO, "language": "java"})
    assert errors == [] and choice is not None and choice.options["language"] == "java"
    monkeypatch.setattr(crucible, "served_languages",
                        lambda task_id: ("python",) if task_id == "pickup_dates" else ("python", "java"))
    choice, errors = parse_choice({"phase": "difficult_client", "scenario": SCENARIO, "language": "java"})
    assert choice is None and errors and "The Angry Bakery Owner" in errors[0] and "java" in errors[0]


def test_an_activity_placed_in_a_language_the_task_lacks_falls_back_to_python_with_a_note(dc_session, monkeypatch):
    from grader.phases.difficult_client import coding

    monkeypatch.setattr(coding, "served_languages", lambda task_id: ("python", "javascript"))
    s = _played(dc_session(custom=JAVA), EXPERT[:4])
    task = s.state()["view"]["coding_task"]
    assert task["language"] == "python"
    assert task["note"] == "This client's coding task is not available in Java, so you write it in Python."
    assert task["note"] in html.unescape(s.page().get_data(as_text=True))
    assert s.job(s.queue("submit", GOOD_CODE, language="python"))["result"]["hidden"]["passed"] == 13


def test_an_interview_whose_task_is_not_served_does_not_start(make_app, seed_launch, monkeypatch):
    from grader.phases.difficult_client import coding
    from lti_app.errors import Refusal
    from lti_app.models import Attempt

    monkeypatch.setattr(coding, "served_languages", lambda task_id: ())
    app = make_app()
    with pytest.raises(Refusal) as refused:
        seed_launch(app, custom={"phase": "difficult_client", "scenario": SCENARIO})
    assert refused.value.code == 409 and refused.value.reason == "no_exercise"
    assert "pickup_dates) is not a verified Code Crucible task; tell your instructor" in refused.value.detail
    with app.app_context():
        assert db.session.query(Attempt).count() == 0
