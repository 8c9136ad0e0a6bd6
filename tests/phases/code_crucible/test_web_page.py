"""The Code Crucible's page and routes through the app (real queue, real sandbox): the statement, signature, level
rules and examples on the page with the starter in the editor; Run with stdin, Run examples (expected vs actual),
Submit (per-test pass/fail with its tag, quality and efficiency bands, the mentor's feedback, no hidden data);
hints; the language switch; Finish, the report card and the instructor's section; and bad input — code too large or
binary, a language not offered, a Submit after the limit or the time, output of megabytes — each a clear message,
nothing lost, the draft surviving a reload."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from lti_app.extensions import db
from lti_app.models import Activity, Attempt, Submission
from tests.phases.code_crucible.web_fixtures import (
    CC_CUSTOM,
    cc_session_fixture,  # noqa: F401  (the cc_session fixture)
    student_file,
)

pytestmark = pytest.mark.usefixtures("linters")


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_page_shows_the_task_and_the_editor_holds_the_starter(cc_session):
    s = cc_session(custom={**CC_CUSTOM, "level": "junior"})
    exercise = s.exercise()
    page = s.page()
    assert page.status_code == 200
    text = _text(page)
    textarea = re.search(r'<textarea id="cc-source"[^>]*>(.*?)</textarea>', text, re.S)
    assert textarea is not None and textarea.group(1) == exercise.starter
    assert 'data-editor' in textarea.group(0) and 'data-language="python"' in textarea.group(0)
    assert "The Code Crucible: Receipts that print offline" in text and "solution.py (Python)" in text
    assert exercise.statement in text and exercise.signature in text
    assert "Junior: every function is a stub to fill in" in text  # the level's rules in a sentence
    for n in range(1, len(exercise.examples) + 1):
        assert f'<tr data-example="{n}">' in text
    assert text.count("data-hidden-test=") == len(exercise.hidden)  # Junior: names and tags, no inputs
    assert "You have 3 of 3 Submits left in this attempt." in text and "Time limit: 15 minutes." in text
    assert "Run examples (no grade)" in text and "Finish and get my report" in text
    assert 'id="cc-language"' not in text  # one language offered: nothing to choose
    for script in ("editor.bundle.js", "jobs.js", "clock.js", "drafts.js", "code.js", "code_crucible.js"):
        assert script in text
    assert "<script>" not in text
    with s.app.app_context():
        activity = db.session.query(Activity).one()
        assert activity.options == {"scenario": TASK_ID, "language": "python", "level": "junior"}


TASK_ID = "bakery_receipt"


def test_run_examples_and_submit_through_the_shared_routes(cc_session):
    s = cc_session()
    exercise = s.exercise()
    ran = s.run(exercise.starter + "\nprint('hello', input())\n", stdin="from stdin")["result"]
    assert ran["kind"] == "run" and ran["program"]["stdout"] == "hello from stdin\n"

    wrong = s.examples(student_file("wrong"))["result"]
    assert wrong["kind"] == "examples" and wrong["examples"] == {"passed": 0, "total": 2}
    case = wrong["report"]["cases"][0]
    assert case["group"] == "example" and case["shown"]["expected"]
    assert case["shown"]["actual"] != case["shown"]["expected"]
    assert all(c["group"] == "example" for c in wrong["report"]["cases"])  # Mid: no hidden test in a Run

    clean = s.submit(student_file("clean"))["result"]
    assert clean["hidden"] == {"passed": 13, "total": 13} and clean["points"]["total"] > 90
    assert clean["quality"]["tool"] and clean["efficiency"]["band_text"] and clean["feedback"]
    hidden = [c for c in clean["report"]["cases"] if c["group"] == "hidden"]
    assert {"empty input", "unicode"} <= {c["tag"] for c in hidden}
    assert all(set(c) <= {"name", "hidden", "passed", "status", "message", "group", "number", "tag"} for c in hidden)
    assert "You have 2 of 3 Submits left in this attempt." in _text(s.page())

    finished = s.finish()
    assert finished.status_code == 202
    grade = s.graded()
    assert grade.score == clean["points"]["total"] and grade.feedback["tests"][0]["tag"] == "empty input"
    report = _text(s.client.get(f"/a/{s.launch_id}/report"))
    assert report.count("data-report-test=") == 13 and 'data-passed="no"' not in report
    assert "Mentor's feedback" in report


def test_hints_cost_points_one_per_click(cc_session):
    s = cc_session()
    first = s.hint(taken=0)
    assert first.status_code == 200 and first.get_json()["hint"]["cost"] == 5
    again = s.hint(taken=0)  # the double click: nothing more taken
    assert again.status_code == 409 and again.get_json()["error"] == "hint_already_taken"
    assert s.hint(taken=1).status_code == 200 and s.hint(taken=2).status_code == 200
    last = s.hint(taken=3)
    assert last.status_code == 409 and last.get_json()["error"] == "no_hint_left"
    assert len(s.attempt_row().state["hints"]) == 3
    assert "You have no hints left." in _text(s.page())


def test_junior_hints_unlock_after_a_failed_run(cc_session):
    s = cc_session(custom={**CC_CUSTOM, "level": "junior"})
    refused = s.hint(taken=0)
    assert refused.status_code == 409 and "unlocks after a failed" in refused.get_json()["detail"]
    s.examples(student_file("wrong"))
    assert s.get(f"/api/a/{s.launch_id}/cc/hints").get_json()["hints_left"] == 1
    assert s.hint(taken=0).get_json()["hint"]["cost"] == 0


def test_several_languages_the_student_switches_before_the_first_submit(cc_session):
    s = cc_session(custom={**CC_CUSTOM, "language": "python,javascript"})
    assert s.exercise().language == "python"
    page = _text(s.page())
    assert 'id="cc-language"' in page and '<option value="javascript"' in page and 'value="java"' not in page
    s.save_draft("def format_receipt(items):\n    return 'mine'\n", 5)
    refused = s.queue("run", "console.log(1)", language="java")
    assert refused.status_code == 400 and refused.get_json()["error"] == "language_not_offered"
    assert "offers Python and JavaScript" in refused.get_json()["detail"]
    mismatch = s.queue("run", "console.log(1)", language="javascript")
    assert mismatch.status_code == 409 and mismatch.get_json()["error"] == "language_mismatch"
    assert s.switch("java").get_json()["error"] == "language_not_offered"

    switched = s.switch("javascript")
    assert switched.status_code == 200, switched.get_data(as_text=True)
    exercise = s.exercise()
    assert exercise.language == "javascript" and exercise.file_name == "solution.js"
    assert switched.get_json()["starter"] == exercise.starter
    page = _text(s.page())
    textarea = re.search(r'<textarea id="cc-source"[^>]*>(.*?)</textarea>', page, re.S)
    assert textarea.group(1) == exercise.starter and 'data-language="javascript"' in textarea.group(0)
    ran = s.run("console.log('js here')", stdin="")["result"]
    assert ran["program"]["stdout"] == "js here\n"
    done = s.submit(student_file("clean", "javascript"))["result"]
    assert done["hidden"]["passed"] == 13
    locked = s.switch("python")
    assert locked.status_code == 409 and locked.get_json()["error"] == "language_locked"
    assert 'id="cc-language-select" name="language" aria-describedby="cc-language-help" disabled' in _text(s.page())


def test_bad_input_is_refused_with_a_sentence_and_nothing_is_lost(cc_session):
    s = cc_session(custom={**CC_CUSTOM, "max_submits": "1"})
    draft = "def format_receipt(items):\n    return 'draft'\n"
    assert s.save_draft(draft, 7).status_code == 200
    binary = s.queue("submit", "def f():\n    return 1\x00\n")
    assert binary.status_code == 400 and "binary" in binary.get_json()["detail"]
    big = s.queue("submit", "# €€€\n" * 6_500)  # under 64k characters, over 64 KiB
    assert big.status_code == 413 and big.get_json()["error"] == "source_too_large"
    assert "too large" in big.get_json()["detail"]
    huge = s.queue("submit", "x" * 70_000)
    assert huge.status_code == 413
    loud = s.run("import sys\nsys.stdout.write('y' * 5_000_000)\n")["result"]
    assert loud["program"]["truncated"] and len(loud["program"]["stdout"]) <= 20_000
    loud_examples = s.examples("def format_receipt(items):\n    print('z' * 5_000_000)\n    return ''\n")
    assert loud_examples["state"] == "done" and len(str(loud_examples["result"])) < 100_000
    with s.app.app_context():
        assert db.session.query(Submission).filter_by(kind="submit").count() == 0  # nothing refused was queued
    s.submit(student_file("partial"))
    over = s.queue("submit", student_file("clean"))
    assert over.status_code == 409 and over.get_json()["error"] == "submit_limit"
    # The draft survives all of it.
    assert re.search(r'<textarea id="cc-source"[^>]*>(.*?)</textarea>', _text(s.page()), re.S).group(1) == draft
    with s.app.app_context():
        attempt = db.session.query(Attempt).one()
        attempt.deadline_at = attempt.started_at - timedelta(seconds=1)
        db.session.commit()
    late = s.queue("run", draft)
    assert late.status_code == 409 and late.get_json()["error"] == "time_up"


def test_the_deadline_submits_the_last_draft_and_grades_it(cc_session):
    from lti_app.dispatch import get_dispatcher
    from lti_app.models import Evaluation
    from lti_app.workbench.deadlines import sweep_deadlines

    s = cc_session()  # the phase's default: 15 minutes
    assert "Time limit: 15 minutes." in _text(s.page())
    assert s.save_draft(student_file("partial"), 3).status_code == 200
    with s.app.app_context():
        attempt = db.session.query(Attempt).one()
        assert (attempt.deadline_at - attempt.started_at) == timedelta(minutes=15)
        attempt.deadline_at -= timedelta(minutes=16)
        db.session.commit()
        assert sweep_deadlines() == [attempt.id]
    assert get_dispatcher(s.app).drain(90)  # the draft's Submit runs...
    with s.app.app_context():
        sweep_deadlines()  # ...then the reconciler's next sweep grades the attempt
    grade = s.graded()
    with s.app.app_context():
        (submit,) = db.session.query(Submission).all()
        assert submit.kind == "submit" and submit.source == student_file("partial")
        assert db.session.query(Evaluation).one().reason == "deadline"
        assert grade.score == submit.result["points"]["total"] and 0 < grade.score < 100


def test_on_postgresql_the_switch_and_the_hints_are_compare_and_swaps(cc_session, make_app, postgres_database):
    s = cc_session(make_app(CR_DATABASE_URL=postgres_database),
                   custom={**CC_CUSTOM, "language": "python,javascript", "level": "mid"})
    assert s.hint(taken=0).status_code == 200 and s.hint(taken=0).get_json()["error"] == "hint_already_taken"
    assert s.switch("javascript").status_code == 200 and s.exercise().language == "javascript"
    assert s.switch("python").status_code == 200 and s.exercise().language == "python"
    assert s.submit(student_file("clean"))["result"]["hidden"]["passed"] == 13
    assert s.switch("javascript").get_json()["error"] == "language_locked"
    assert s.finish().status_code == 202
    grade = s.graded()
    assert grade.inputs["hints"] == 1 and len(grade.feedback["tests"]) == 13
