"""The Bug Hunt's page and routes through the app (real queue, real sandbox): the buggy program preloaded, Run
with the real interpreter's errors, Submit with bugs counted and the limit enforced, hints (one per click, none
beyond the allowance), the draft surviving a reload, Finish, the report card and the instructor's section."""

from __future__ import annotations

import html
import re

import pytest

from lti_app.extensions import db
from lti_app.models import Activity, Attempt, Submission
from tests.phases.bug_hunt.web_fixtures import (
    BH_CUSTOM,
    bh_session_fixture,  # noqa: F401  (the bh_session fixture)
    fixing,
)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_page_preloads_the_buggy_program_with_tests_hints_submits_and_finish(bh_session):
    s = bh_session()
    exercise = s.exercise()
    page = s.page()
    assert page.status_code == 200
    text = _text(page)
    textarea = re.search(r'<textarea id="bh-source"[^>]*>(.*?)</textarea>', text, re.S)
    assert textarea is not None and textarea.group(1) == exercise.source
    assert 'data-editor' in textarea.group(0) and 'data-language="python"' in textarea.group(0)
    assert "The Bug Hunt: Invoice total" in text and "program.py (Python)" in text
    visible = [t for t in exercise.tests if not t.hidden]
    assert all(t.name in text for t in visible)
    assert f"{len(visible)} tests shown; {len(exercise.tests) - len(visible)} more are hidden" in text
    assert not any(t.name in text for t in exercise.tests if t.hidden)
    assert "You have 3 hints left." in text and "Take a hint (−10 points)" in text and "costs 10 points" in text
    assert "You have 3 of 3 Submits left in this attempt." in text  # the phase's own default
    assert "Finish and get my report" in text
    for script in ("editor.bundle.js", "jobs.js", "clock.js", "drafts.js", "code.js", "bug_hunt.js"):
        assert script in text
    assert "<script>" not in text  # no inline script: CSP script-src 'self'
    with s.app.app_context():
        activity = db.session.query(Activity).one()
        assert activity.options == {"scenario": "invoice_total", "language": "python"} and activity.scenario == ""


def test_run_shows_the_real_interpreters_error_and_is_never_graded(bh_session):
    s = bh_session()
    exercise = s.exercise()
    (syntax,) = [b for b in exercise.bugs if b.type == "syntax"]
    ran = s.run(exercise.source)["result"]
    assert ran["kind"] == "run" and ran["program"]["outcome"] == "error"
    stderr = ran["program"]["stderr"]
    assert "SyntaxError" in stderr and re.search(rf"line ({syntax.line}|{syntax.line + 1})\b", stderr)
    fixed = fixing(exercise, "syntax", "logic", "runtime", "type")
    test = exercise.tests[0]
    out = s.run(fixed + f"\nprint({exercise.shown_call(test)}, input())\n", stdin="from stdin")["result"]["program"]
    assert out["outcome"] == "ok", out
    assert out["stdout"] == f"{test.expected} from stdin\n".replace('"', "'")
    assert s.attempt_row().status == "open"


def test_submits_count_bugs_fixed_and_the_limit_is_the_servers(bh_session):
    s = bh_session()
    exercise = s.exercise()
    none = s.submit(exercise.source)["result"]
    assert (none["bugs_fixed"], none["bug_count"], none["measure"]) == (0, 4, 0)
    assert none["report"]["load_error"]  # the syntax bug: the program does not load
    queued = s.queue("submit", fixing(exercise, "syntax", "logic"))
    assert queued.status_code == 202
    assert queued.get_json()["submits"] == {"left": 1, "sentence": "You have 1 of 3 Submits left in this attempt."}
    two = s.wait(queued.get_json()["submission"])["result"]
    assert two["bugs_fixed"] == 2 and two["hidden"]["total"] > 0
    assert "Your latest Submit fixed 2 of 4 bugs." in _text(s.page())
    assert s.submit(fixing(exercise, "syntax", "logic", "runtime", "type"))["result"]["bugs_fixed"] == 4
    refused = s.queue("submit", exercise.source)
    assert refused.status_code == 409 and refused.get_json()["error"] == "submit_limit"
    assert refused.get_json()["detail"] == "you have used all 3 Submits of this attempt; Run still works"
    assert s.run(exercise.source)["state"] == "done"  # Run is never limited
    with s.app.app_context():
        assert db.session.query(Submission).filter_by(kind="submit").count() == 3


def test_a_hint_points_at_the_lowest_unfixed_bug_once_per_click_and_costs_points(bh_session):
    s = bh_session(custom={**BH_CUSTOM, "hints": "2"})
    exercise = s.exercise()
    first = s.hint(taken=0)
    assert first.status_code == 200
    body = first.get_json()
    assert body["hint"]["number"] == 1 and body["hint"]["line"] == exercise.bugs[0].line
    assert body["hints_left"] == 1 and body["hints_sentence"] == "You have 1 hint left."
    # The same click again (the page had seen no hint): refused, nothing taken, the hint shown.
    again = s.hint(taken=0)
    assert again.status_code == 409 and again.get_json()["error"] == "hint_already_taken"
    assert again.get_json()["hints"] == body["hints"]
    assert len(s.attempt_row().state["hints"]) == 1
    # A fixed bug is never hinted: the next hint skips what the latest Submit fixed.
    fixed_types = {"syntax", exercise.bugs[1].type}
    s.submit(fixing(exercise, *fixed_types))
    second = s.hint(taken=1).get_json()
    expected = min(b.line for b in exercise.bugs[1:] if b.type not in fixed_types)
    assert second["hint"]["line"] == expected and second["hints_left"] == 0
    page = _text(s.page())
    assert f"Look at line {exercise.bugs[0].line}." in page and f"Look at line {expected}." in page
    assert "You have no hints left." in page and re.search(r'id="bh-hint-button"[^>]*disabled', page)
    none_left = s.hint(taken=2)
    assert none_left.status_code == 409 and none_left.get_json() == {
        "error": "no_hint_left", "detail": "You have used all 2 of your hints.", "hints": second["hints"],
        "hints_left": 0, "hints_sentence": "You have no hints left."}
    assert len(s.attempt_row().state["hints"]) == 2
    assert s.hint(taken="two").get_json()["error"] == "invalid_hints_taken"


def test_an_activity_without_hints_says_so(bh_session):
    s = bh_session(custom={**BH_CUSTOM, "hints": "0"})
    assert "You have no hints left." in _text(s.page())
    refused = s.hint()
    assert refused.status_code == 409 and refused.get_json()["detail"] == "This activity gives no hints."


def test_the_hint_form_works_without_javascript(bh_session):
    s = bh_session(custom={**BH_CUSTOM, "hints": "1"})
    form = {"csrf_token": s.csrf, "hints_taken": "0"}
    taken = s.client.post(f"/api/a/{s.launch_id}/bh/hint", data=form, headers={"Accept": "text/html"})
    assert taken.status_code == 303 and taken.headers["Location"].endswith(f"/a/{s.launch_id}#bh-hints")
    twice = s.client.post(f"/api/a/{s.launch_id}/bh/hint", data=form, headers={"Accept": "text/html"})
    assert twice.status_code == 409 and "text/html" in twice.content_type
    assert "a hint was already taken since this page loaded" in _text(twice) and 'id="bh-source"' in _text(twice)
    form["hints_taken"] = "1"
    none = s.client.post(f"/api/a/{s.launch_id}/bh/hint", data=form, headers={"Accept": "text/html"})
    assert none.status_code == 409 and "You have used all 1 of your hints." in _text(none)
    assert len(s.attempt_row().state["hints"]) == 1
    stale = s.client.post(f"/api/a/{s.launch_id}/bh/hint", data={"hints_taken": "1"}, headers={"Accept": "text/html"})
    assert stale.status_code == 403  # no CSRF token: refused before anything


def test_bad_input_gets_a_clear_answer_and_changes_nothing(bh_session):
    s = bh_session()
    exercise = s.exercise()
    for response, status, reason in [
        (s.queue("submit", "x = 1\n" * 20_000), 413, "source_too_long"),
        (s.queue("submit", exercise.source + "\x00\x01"), 400, "binary_source"),
        (s.queue("run", "   "), 400, "empty_source"),
        (s.queue("run", "print(1)", stdin="\x07\x00"), 400, "binary_stdin"),
        (s.post(f"/api/a/{s.launch_id}/code/submit", raw=b"\xff\xfe{"), 400, "invalid_encoding"),
        (s.post(f"/api/a/{s.launch_id}/bh/hint", raw=b"[1, 2"), 400, "invalid_json"),
        (s.post(f"/api/a/{s.launch_id}/code/submit", {"source": exercise.source}, headers={"X-CSRF-Token": "x"}),
         403, "csrf_invalid"),
    ]:
        assert response.status_code == status, (reason, response.get_data(as_text=True)[:200])
        assert response.get_json()["error"] == reason and response.get_json()["detail"]
    with s.app.app_context():
        assert db.session.query(Submission).count() == 0
    assert s.attempt_row().state["hints"] == []


def test_the_draft_survives_a_reload_and_nothing_is_accepted_after_finish(bh_session):
    s = bh_session()
    exercise = s.exercise()
    typed = fixing(exercise, "syntax") + "# still looking\n"
    assert s.save_draft(typed, 5).status_code == 200
    assert html.escape("# still looking", quote=False) in s.page().get_data(as_text=True)
    assert s.submit(fixing(exercise, "syntax"))["result"]["bugs_fixed"] == 1
    # The draft, not the last Submit, is what the page restores.
    assert "# still looking" in _text(s.page())
    finished = s.finish()
    assert finished.status_code == 202 and finished.get_json()["report_url"].endswith("/report")
    for response in (s.finish(), s.hint(), s.queue("run", typed), s.queue("submit", typed), s.save_draft(typed, 9)):
        assert response.status_code == 409 and response.get_json()["error"] == "attempt_closed"
    grade = s.graded()
    assert grade.score == 25 and grade.feedback["bugs_fixed"] == 1
    with s.app.app_context():
        assert db.session.get(Attempt, s.attempt_row().id).status == "closed"
        assert db.session.query(Submission).count() == 1


def test_the_deadline_submits_the_last_draft_and_grades_it(bh_session):
    from datetime import timedelta

    from lti_app.models import Evaluation
    from lti_app.workbench.deadlines import sweep_deadlines

    s = bh_session(custom={**BH_CUSTOM, "time_limit": "20"})
    exercise = s.exercise()
    assert "Time limit: 20 minutes." in _text(s.page())
    assert s.save_draft(fixing(exercise, "syntax", "logic"), 3).status_code == 200
    with s.app.app_context():
        attempt = db.session.query(Attempt).one()
        attempt.deadline_at -= timedelta(minutes=21)
        db.session.commit()
        assert sweep_deadlines() == [attempt.id]
    from lti_app.dispatch import get_dispatcher

    assert get_dispatcher(s.app).drain(90)  # the draft's Submit runs...
    with s.app.app_context():
        sweep_deadlines()  # ...then the reconciler's next sweep grades the attempt
    grade = s.graded()
    assert grade.score == 50 and grade.inputs["reason"] == "deadline"
    with s.app.app_context():
        (submit,) = db.session.query(Submission).all()
        assert submit.kind == "submit" and submit.source == fixing(exercise, "syntax", "logic")
        assert db.session.query(Evaluation).one().reason == "deadline"


def test_finish_waits_for_a_running_submit(bh_session):
    s = bh_session()
    exercise = s.exercise()
    slow = "import time\ntime.sleep(1.5)\n" + fixing(exercise, "syntax")
    queued = s.queue("submit", slow)
    assert queued.status_code == 202
    early = s.finish()
    assert early.status_code == 409 and early.get_json()["error"] == "submission_pending"
    s.wait(queued.get_json()["submission"])
    assert s.finish().status_code == 202


def test_the_report_card_shows_each_bug_only_after_the_attempt_closed(bh_session):
    s = bh_session()
    exercise = s.exercise()
    s.hint(taken=0)
    s.submit(fixing(exercise, "syntax", "logic", "type"))
    assert s.client.get(f"/a/{s.launch_id}/report").status_code == 303  # open: the page itself
    s.finish()
    grade = s.graded()
    assert grade.score == 65  # 3 × 25 − 10
    report = _text(s.client.get(f"/a/{s.launch_id}/report"))
    assert report.count("data-bug-line=") == 4
    for bug in exercise.bugs:
        row = re.search(rf'<tr data-bug-line="{bug.line}">(.*?)</tr>', report, re.S)
        assert row is not None and f"<td data-bug-type>{bug.type}</td>" in row.group(1)
        assert ('data-bug-fixed="yes"' in row.group(1)) == (bug.type != "runtime")
        assert ('data-bug-hinted="yes"' in row.group(1)) == (bug is exercise.bugs[0])
    assert re.search(r"You fixed 3 of 4 bugs in 1 Submit\s+and used 1 hint\.", report)


def test_the_instructor_sees_the_manifest_each_submit_as_a_diff_and_the_hints(bh_session, seed_launch):
    s = bh_session()
    exercise = s.exercise()
    s.submit(fixing(exercise, "syntax"))
    s.hint(taken=0)
    s.submit(fixing(exercise, "syntax", "logic", "runtime", "type"))
    s.finish()
    s.graded()
    teacher = seed_launch(s.app, role="Instructor", custom=dict(BH_CUSTOM))
    attempt_id = s.attempt_row().id
    page = s.client.get(f"/i/{teacher}/attempts/{attempt_id}")
    assert page.status_code == 200
    text = _text(page)
    assert re.search(r"visible tests \d+ of \d+, hidden tests \d+ of \d+ passed", text)  # the shared list
    section = text[text.index('id="bh-instructor"'):]
    assert section.count("data-manifest-bug=") == 4
    for bug in exercise.bugs:
        assert bug.original in section and bug.description in section and bug.type in section
    submits = re.findall(r'<article class="bh-submit" data-bh-submit="\d+">(.*?)</article>', section, re.S)
    assert len(submits) == 2
    assert "1 of 4 bugs fixed" in submits[0] and "4 of 4 bugs fixed" in submits[1]
    assert "counts for the grade" in submits[1]  # the best Submit (the workbench's default policy)
    (syntax,) = [b for b in exercise.bugs if b.type == "syntax"]
    assert f'<span class="bh-del">-{syntax.injected}</span>' in submits[0]
    assert f'<span class="bh-add">+{syntax.original}</span>' in submits[0]
    assert f"Bug 2 (line {exercise.bugs[1].line}), taken 20" in section  # the first unfixed after Submit 1
    assert "1 of 3 hints taken." in section
    # The student never reaches it.
    assert s.client.get(f"/i/{s.launch_id}/attempts/{attempt_id}").status_code == 403


@pytest.mark.parametrize(("custom", "words"), [
    ({**BH_CUSTOM, "language": "java"}, "The Bug Hunt has no programs in Java"),
    ({**BH_CUSTOM, "scenario": "no_such_program"},
     "No verified Bug Hunt exercise is available for no_such_program in Python"),
])
def test_a_launch_without_a_verified_exercise_gets_a_clear_error(make_app, seed_launch, custom, words):
    from lti_app.errors import Refusal

    app = make_app()
    with pytest.raises(Refusal) as refused:
        seed_launch(app, custom=custom)
    assert refused.value.code == 409 and refused.value.reason == "no_exercise" and words in refused.value.detail
    with app.app_context():
        assert db.session.query(Attempt).count() == 0


def test_seeding_per_student_or_shared_and_a_pool(bh_session, make_app):
    app = make_app()
    pool = "invoice_total,shipping_cost,bakery_queue"
    shared = [bh_session(app, custom={**BH_CUSTOM, "scenario": pool, "seeding": "shared"}, resource_link_id="shared")
              for _ in range(3)]
    assert len({s.attempt_row().state["exercise"]["source"] for s in shared}) == 1
    seeded = [bh_session(app, custom={**BH_CUSTOM, "scenario": pool}, resource_link_id="seeded") for _ in range(6)]
    exercises = [s.exercise() for s in seeded]
    assert {e.program_id for e in exercises} <= set(pool.split(","))
    assert len({(e.program_id, e.seed) for e in exercises}) > 1  # classmates get different exercises
    with app.app_context():
        options = db.session.query(Activity).filter_by(resource_link_id="seeded").one().options
        assert options["scenario"] == pool and "seeding" not in options  # the phase's default: per student
