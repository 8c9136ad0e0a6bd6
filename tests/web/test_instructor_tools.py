"""The instructor's tools: per-student accommodations (server-enforced extra attempts and extra time), the CSV
export of the results, and a regrade's outcome and history on the attempt page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from lti_app.dispatch import get_dispatcher
from lti_app.extensions import db
from lti_app.models import Accommodation, Attempt, Evaluation, GradeRow, User
from lti_app.security import csrf_token

ALL_RIGHT = {"scores": "rubric", "hidden": "discover", "sandbox": "sandbox", "resolution": "revert"}
ONE_RIGHT = {"scores": "rubric", "hidden": "shown", "sandbox": "laptop", "resolution": "force"}


def _token(app, launch_id: str) -> str:
    with app.test_request_context():
        return csrf_token(launch_id)


def _answer(app, launch_id: str, answers: dict[str, str]) -> None:
    client = app.test_client()
    sent = client.post(f"/a/{launch_id}/acknowledge", data={**answers, "csrf_token": _token(app, launch_id)})
    assert sent.status_code == 303, sent.get_data(as_text=True)[:300]
    assert get_dispatcher(app).drain(30)


def _accommodate(app, teacher: str, sub: str, **values: str):
    form = {"sub": sub, "time_multiplier": "1", "extra_minutes": "0", "extra_attempts": "0", "note": "",
            "csrf_token": _token(app, teacher), **values}
    return app.test_client().post(f"/i/{teacher}/accommodations", data=form)


def test_extra_attempts_let_a_student_start_one_more_and_nothing_else_does(make_app, seed_launch):
    app = make_app()
    custom = {"phase": "acknowledge", "max_attempts": "1"}
    student = seed_launch(app, sub="stu-1", custom=custom)
    teacher = seed_launch(app, role="Instructor", custom=custom)
    client = app.test_client()
    _answer(app, student, ONE_RIGHT)
    report = client.get(f"/a/{student}/report").get_data(as_text=True)
    assert "Start another attempt" not in report and "This activity allows one attempt." in report
    refused = client.post(f"/a/{student}/attempts", data={"csrf_token": _token(app, student)})
    assert refused.status_code == 409 and "no_attempts_left" in refused.get_data(as_text=True)

    saved = _accommodate(app, teacher, "stu-1", extra_attempts="1", note="Approved by the disability office")
    assert saved.status_code == 303 and "saved=" in saved.headers["Location"]
    results = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Accommodations for Test Person saved: +1 attempt." in results and "2 attempts allowed" in results

    report = client.get(f"/a/{student}/report").get_data(as_text=True)
    assert "Start another attempt" in report and "You have used 1 of 2 attempts; 1 is left." in report
    assert client.post(f"/a/{student}/attempts", data={"csrf_token": _token(app, student)}).status_code == 303
    _answer(app, student, ALL_RIGHT)
    # ...and exactly one more: the third is refused again.
    again = client.post(f"/a/{student}/attempts", data={"csrf_token": _token(app, student)})
    assert again.status_code == 409
    with app.app_context():
        assert [a.number for a in db.session.query(Attempt).order_by(Attempt.id)] == [1, 2]


def test_extra_time_moves_the_open_attempts_deadline_and_applies_to_the_next_attempt(make_app, seed_launch):
    app = make_app()
    custom = {"phase": "difficult_client", "scenario": "angry_bakery_owner", "time_limit": "20", "max_attempts": "2"}
    seed_launch(app, sub="stu-2", custom=custom)
    teacher = seed_launch(app, role="Instructor", custom=custom)
    with app.app_context():
        attempt = db.session.query(Attempt).one()
        started, deadline = attempt.started_at, attempt.deadline_at
        assert deadline == started + timedelta(minutes=20)

    assert _accommodate(app, teacher, "stu-2", time_multiplier="1.5", extra_minutes="10").status_code == 303
    with app.app_context():
        attempt = db.session.query(Attempt).one()
        assert attempt.deadline_at == started + timedelta(minutes=40)  # 20 × 1.5 + 10, from when it started
        assert attempt.started_at == started
        row = db.session.query(Accommodation).one()
        assert (row.time_multiplier, row.extra_minutes, row.extra_attempts) == (1.5, 10, 0)
    # Saving again updates the same row (an upsert), and less time moves the deadline back.
    assert _accommodate(app, teacher, "stu-2", time_multiplier="1", extra_minutes="5").status_code == 303
    with app.app_context():
        assert db.session.query(Accommodation).count() == 1
        assert db.session.query(Attempt).one().deadline_at == started + timedelta(minutes=25)


def test_the_accommodation_form_is_csrf_checked_and_bound_to_the_instructors_own_activity(make_app, seed_launch):
    app = make_app()
    seed_launch(app, sub="stu-b", context_id="course-B", resource_link_id="b")
    teacher_a = seed_launch(app, role="Instructor", context_id="course-A", resource_link_id="a")
    teacher_b = seed_launch(app, role="Instructor", context_id="course-B", resource_link_id="b")
    learner = seed_launch(app, sub="stu-b", context_id="course-B", resource_link_id="b")
    client = app.test_client()
    form = {"sub": "stu-b", "extra_attempts": "5"}
    # Another course's instructor cannot reach course B's student, even with a valid token of their own.
    response = client.post(f"/i/{teacher_a}/accommodations", data={**form, "csrf_token": _token(app, teacher_a)})
    assert response.status_code == 404 and "student_unknown" in response.get_data(as_text=True)
    # No token, another launch's token, a learner's launch: refused.
    assert client.post(f"/i/{teacher_b}/accommodations", data=form).status_code == 403
    assert client.post(f"/i/{teacher_b}/accommodations",
                       data={**form, "csrf_token": _token(app, teacher_a)}).status_code == 403
    assert client.post(f"/i/{learner}/accommodations",
                       data={**form, "csrf_token": _token(app, learner)}).status_code == 403
    # A student unknown to this activity, or none at all.
    for sub in ("nobody", ""):
        unknown = client.post(f"/i/{teacher_b}/accommodations", data={**form, "sub": sub,
                                                                      "csrf_token": _token(app, teacher_b)})
        assert unknown.status_code == 404
    with app.app_context():
        assert db.session.query(Accommodation).count() == 0
    assert client.post(f"/i/{teacher_b}/accommodations",
                       data={**form, "csrf_token": _token(app, teacher_b)}).status_code == 303


@pytest.mark.parametrize(("values", "message"), [
    ({"time_multiplier": "9"}, "Time multiplier must be a number from 1 to 4 (got “9”)"),
    ({"time_multiplier": "nan"}, "Time multiplier must be a number from 1 to 4"),
    ({"extra_minutes": "-5"}, "Extra minutes must be a whole number from 0 to 480"),
    ({"extra_minutes": "ten"}, "Extra minutes must be a whole number from 0 to 480 (got “ten”)"),
    ({"extra_attempts": "21"}, "Extra attempts must be a whole number from 0 to 20"),
    ({"note": "x" * 300}, "The note must be at most 255 characters (it has 300)"),
])
def test_bad_accommodation_input_gets_a_clear_error_and_loses_nothing(make_app, seed_launch, values, message):
    app = make_app()
    seed_launch(app, sub="stu-3")
    teacher = seed_launch(app, role="Instructor")
    assert _accommodate(app, teacher, "stu-3", extra_attempts="2", note="kept").status_code == 303
    typed = {"time_multiplier": "1.25", "extra_minutes": "15", "extra_attempts": "3", "note": "typed note", **values}
    response = _accommodate(app, teacher, "stu-3", **typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'role="alert"' in page and message in page
    for name, value in typed.items():  # what was typed is still in the form
        assert f'name="{name}"' in page and (f'value="{value}"' in page or name == "note" and value in page)
    with app.app_context():
        row = db.session.query(Accommodation).one()  # nothing saved from the refused form
        assert (row.time_multiplier, row.extra_minutes, row.extra_attempts, row.note) == (1.0, 0, 2, "kept")


def test_results_export_as_csv_one_row_per_attempt_with_formula_injection_guarded(make_app, seed_launch):
    app = make_app()
    custom = {"phase": "acknowledge", "max_attempts": "2"}
    good = seed_launch(app, sub="stu-good", custom=custom)
    evil = seed_launch(app, sub="=1+2", custom=custom)
    teacher = seed_launch(app, role="Instructor", custom=custom)
    outsider = seed_launch(app, role="Instructor", context_id="course-9", resource_link_id="other", custom=custom)
    _answer(app, good, ONE_RIGHT)
    client = app.test_client()
    assert client.post(f"/a/{good}/attempts", data={"csrf_token": _token(app, good)}).status_code == 303
    _answer(app, good, ALL_RIGHT)
    _answer(app, evil, ALL_RIGHT)
    with app.app_context():
        user = db.session.query(User).filter_by(sub="=1+2").one()
        user.name, user.email = '=HYPERLINK("http://evil.example","click")', "@SUM(A1:A2)"
        db.session.commit()

    response = client.get(f"/i/{teacher}/results.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == ["student name", "email", "sub", "attempt", "status", "score", "letter",
                             "counted by policy", "gradebook state"]
    mine = [(r["sub"], r["attempt"], r["score"], r["letter"], r["counted by policy"], r["status"]) for r in rows]
    assert ("stu-good", "1", "25.0", "F", "no", "closed") in mine
    assert ("stu-good", "2", "100.0", "A+", "yes", "closed") in mine
    assert ("'=1+2", "1", "100.0", "A+", "yes", "closed") in mine
    evil_row = next(r for r in rows if r["sub"] == "'=1+2")
    assert evil_row["student name"].startswith("'=HYPERLINK") and evil_row["email"] == "'@SUM(A1:A2)"
    assert all(not r[c].startswith(("=", "+", "-", "@")) for r in rows for c in ("student name", "email", "sub"))
    assert {r["gradebook state"] for r in rows if r["counted by policy"] == "yes"} == {"failed"}  # no line item
    assert len(rows) == 3

    # Instructors only, and only their own activity's students.
    assert client.get(f"/i/{good}/results.csv").status_code == 403
    other = list(csv.DictReader(io.StringIO(client.get(f"/i/{outsider}/results.csv").get_data(as_text=True))))
    assert other == []
    results = client.get(f"/i/{teacher}").get_data(as_text=True)
    assert f'href="/i/{teacher}/results.csv"' in results


def test_a_regrade_shows_queued_then_its_new_grade_next_to_the_old_and_keeps_the_history(make_app, seed_launch,
                                                                                       monkeypatch):
    app = make_app()
    student = seed_launch(app, sub="stu-4")
    teacher = seed_launch(app, role="Instructor")
    _answer(app, student, ONE_RIGHT)
    with app.app_context():
        attempt = db.session.query(Attempt).one()
        attempt_id = attempt.id
        # The recorded answers change (say, a data fix), so the regrade has a different result to show.
        attempt.state = {"answers": ALL_RIGHT}
        db.session.commit()
    client = app.test_client()
    dispatcher = get_dispatcher(app)
    dispatcher.stop()  # hold the regrade in the queue so the page can show it waiting
    monkeypatch.setattr(dispatcher, "start", lambda: None)
    posted = client.post(f"/i/{teacher}/attempts/{attempt_id}/regrade", data={"csrf_token": _token(app, teacher)})
    assert posted.status_code == 303 and posted.headers["Location"].endswith(f"/attempts/{attempt_id}#regrade")
    page = client.get(f"/i/{teacher}/attempts/{attempt_id}").get_data(as_text=True)
    assert "Regrade: <span data-evaluation>queued</span>" in page and "(position 1 in the queue)" in page
    assert f'data-status-url="/api/i/{teacher}/attempts/{attempt_id}/status"' in page and "status.js" in page
    waiting = client.get(f"/api/i/{teacher}/attempts/{attempt_id}/status").get_json()
    assert waiting["evaluation"]["state"] == "queued" and "grade" not in waiting
    assert client.get(f"/api/i/{student}/attempts/{attempt_id}/status").status_code == 403

    monkeypatch.undo()
    dispatcher.start()
    assert dispatcher.drain(30)
    done = client.get(f"/api/i/{teacher}/attempts/{attempt_id}/status").get_json()
    assert done["evaluation"]["state"] == "done" and done["grade"] == {"score": 100.0, "letter": "A+"}
    page = client.get(f"/i/{teacher}/attempts/{attempt_id}").get_data(as_text=True)
    assert "<span data-regrade-new>A+ (100.0)</span>" in page and "<span data-regrade-old>F (25.0)</span>" in page
    assert "status.js" not in page  # nothing left to wait for
    # Every grade the attempt had, with why it exists and whether the policy counts it now.
    assert page.count('class="grade-detail"') == 2
    assert "regraded by an instructor" in page and "finished by the student" in page
    assert page.index("regraded by an instructor") < page.index("finished by the student")  # newest first
    assert page.count("data-counted>counts for the gradebook<") == 1 and "replaced by a later grade" in page
    with app.app_context():
        assert [g.score for g in db.session.query(GradeRow).order_by(GradeRow.id)] == [25.0, 100.0]
        assert [e.reason for e in db.session.query(Evaluation).order_by(Evaluation.id)] == ["finish", "regrade"]
