"""The shared workbench under a real phase: drafts saved and restored, job progress pushed as server-sent
events, Cancel for a running Run, limits named, and the server's clock closing an attempt by itself.

Real sandbox (local bubblewrap), real in-process queue, the database of the ``database_url`` fixture where
it matters (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest

from lti_app.dispatch import get_dispatcher
from lti_app.extensions import db
from lti_app.models import Attempt, Evaluation, GradeRow, Passback, Submission
from tests.phases.difficult_client.conftest import parse_sse
from tests.phases.difficult_client.students import EXPERT, GOOD_CODE

LOOP = "while True:\n    pass\n"


def _unlocked(dc_session, **launch):
    s = dc_session(**launch)
    for text in EXPERT[:4]:
        assert s.say(text).status_code == 200
    return s


def _put_draft(s, source: str, revision: int, stdin: str = ""):
    return s.client.put(f"/api/a/{s.launch_id}/draft", data=json.dumps({"source": source, "stdin": stdin,
                                                                        "revision": revision}),
                        headers={"X-CSRF-Token": s.csrf, "Accept": "application/json"},
                        content_type="application/json")


def test_a_draft_survives_a_reload_and_a_late_save_never_overwrites_a_newer_one(dc_session):
    s = _unlocked(dc_session)
    assert _put_draft(s, "def orderable_days():\n    return 1  # newer\n", 20, stdin="abc").status_code == 200
    stale = _put_draft(s, "old text", 10)
    assert stale.status_code == 409 and stale.get_json() == {
        "error": "stale_draft", "detail": "a newer version of your code is already saved", "revision": 20}
    page = s.page().get_data(as_text=True)
    assert "return 1  # newer" in page and 'data-draft-revision="20"' in page and ">abc</textarea>" in page
    assert s.get(f"/api/a/{s.launch_id}/draft").get_json()["draft"]["revision"] == 20


def test_a_draft_numbered_by_the_page_clock_is_saved_on_every_database(dc_session, make_app, database_url):
    """drafts.js numbers saves with Date.now() (~1.7e12 ms): beyond a 32-bit column, which PostgreSQL refused."""
    s = _unlocked(dc_session, app=make_app(CR_DATABASE_URL=database_url))
    now_ms = int(time.time() * 1000)
    assert _put_draft(s, "def orderable_days():\n    return 2\n", now_ms).status_code == 200
    assert _put_draft(s, "late", now_ms - 5).status_code == 409
    assert s.get(f"/api/a/{s.launch_id}/draft").get_json()["draft"]["revision"] == now_ms


@pytest.mark.parametrize(("payload", "status", "reason"), [
    ({"source": "x", "revision": "3"}, 400, "invalid_revision"),
    ({"source": "x", "revision": True}, 400, "invalid_revision"),
    ({"source": "x", "revision": -1}, 400, "invalid_revision"),
    ({"source": "x\x00y", "revision": 3}, 400, "binary_source"),
    ({"source": "x" * 70_000, "revision": 3}, 413, "source_too_long"),
    ({"source": ["x"], "revision": 3}, 400, "invalid_source"),
])
def test_bad_drafts_are_refused_and_keep_what_was_saved(dc_session, payload, status, reason):
    s = _unlocked(dc_session)
    assert _put_draft(s, "kept", 2).status_code == 200
    response = s.client.put(f"/api/a/{s.launch_id}/draft", data=json.dumps(payload),
                            headers={"X-CSRF-Token": s.csrf}, content_type="application/json")
    assert response.status_code == status and response.get_json()["error"] == reason
    assert s.get(f"/api/a/{s.launch_id}/draft").get_json()["draft"]["source"] == "kept"
    forged = s.client.put(f"/api/a/{s.launch_id}/draft", data=json.dumps({"source": "y", "revision": 9}),
                          content_type="application/json")
    assert forged.status_code == 403


def test_job_progress_is_pushed_as_events_and_ends_with_the_result(dc_session):
    s = _unlocked(dc_session)
    queued = s.queue("run", GOOD_CODE + "\nprint(orderable_days(3, 9, [5, 4, 6], [6]))\n").get_json()["submission"]
    assert queued["limit_seconds"] == 10.0 and queued["events_url"].endswith("/events")
    body = s.client.get(queued["events_url"]).get_data(as_text=True)
    events = parse_sse(body.replace("retry: 1000\n\n", ""))
    name, final = events[-1]
    assert name == "done" and final["state"] == "done" and final["result"]["program"]["stdout"] == "[4, 5]\n"
    assert all(n == "state" for n, _ in events[:-1])
    other = dc_session()
    assert other.client.get(queued["events_url"].replace(s.launch_id, other.launch_id)).status_code == 404


def test_cancel_stops_a_running_loop_and_says_so(dc_session):
    s = _unlocked(dc_session)
    queued = s.queue("run", LOOP).get_json()["submission"]
    deadline = time.monotonic() + 10
    while s.get(queued["url"]).get_json()["submission"]["state"] != "running":
        assert time.monotonic() < deadline, "the run never started"
        time.sleep(0.02)
    started = time.monotonic()
    cancel = s.post(queued["cancel_url"], {})
    assert cancel.status_code == 202 and cancel.get_json()["submission"]["cancel_requested"] is True
    done = s.wait(queued)
    assert done["result"]["outcome"] == "cancelled" and time.monotonic() - started < 5
    again = s.post(queued["cancel_url"], {})
    assert again.status_code == 409 and again.get_json()["error"] == "not_running"
    submit = s.queue("submit", GOOD_CODE).get_json()["submission"]
    assert "cancel_url" not in submit
    s.wait(submit)


def test_a_timeout_names_the_limit_it_hit(dc_session, monkeypatch):
    from grader.sandbox import Limits
    from grader.workbench import code_runs

    monkeypatch.setitem(code_runs.LIMITS, "run", Limits(wall_seconds=1.0, cpu_seconds=1.0))
    s = _unlocked(dc_session)
    done = s.wait(s.queue("run", LOOP).get_json()["submission"])
    assert done["result"]["outcome"] == "timeout" and done["result"]["limit_seconds"] == 1.0


def _attempt(s) -> Attempt:
    return db.session.query(Attempt).one()


def _expire(s, minutes: int = 1) -> None:
    with s.app.app_context():
        attempt = _attempt(s)
        attempt.deadline_at = attempt.started_at - timedelta(minutes=minutes)
        db.session.commit()


def _sweep(s) -> list[int]:
    from lti_app.workbench.deadlines import sweep_deadlines

    with s.app.app_context():
        return sweep_deadlines()


def test_the_deadline_closes_submits_the_last_draft_grades_and_passes_back_with_no_page_open(
        dc_session, database_url, make_app):
    app = make_app(CR_DATABASE_URL=database_url)
    s = _unlocked(dc_session, app=app, custom={"phase": "difficult_client", "scenario": "angry_bakery_owner",
                                                "time_limit": "30"})
    assert _put_draft(s, GOOD_CODE, 5).status_code == 200
    _expire(s)
    refused = s.say("Anything else?")
    assert refused.status_code == 409 and refused.get_json()["error"] == "time_up"
    assert _put_draft(s, "late edit", 6).status_code == 409  # the deadline takes what was saved before it
    (closed,) = _sweep(s)
    assert _sweep(s) == []  # a second sweeper finds nothing to do while the deadline Submit runs
    assert get_dispatcher(app).drain(60)
    assert _sweep(s) == [closed]  # the Submit finished: now it is graded
    assert get_dispatcher(app).drain(60)
    with app.app_context():
        (submit,) = db.session.query(Submission).filter_by(kind="submit").all()
        assert submit.source == GOOD_CODE and submit.result["hidden"]["passed"] == submit.result["hidden"]["total"]
        (evaluation,) = db.session.query(Evaluation).all()
        assert evaluation.reason == "deadline"
        grade = db.session.query(GradeRow).one()
        assert grade.score > 0 and db.session.query(Passback).filter_by(grade_id=grade.id).count() == 1
        assert _attempt(s).status == "closed" and _attempt(s).state["closed_by"] == "deadline"


def test_a_finish_racing_the_deadline_grades_once(dc_session):
    s = _unlocked(dc_session, custom={"phase": "difficult_client", "scenario": "angry_bakery_owner",
                                      "time_limit": "30"})
    _expire(s)
    assert s.finish().status_code == 202
    assert _sweep(s) == []
    assert get_dispatcher(s.app).drain(60)
    with s.app.app_context():
        assert db.session.query(Evaluation).count() == 1 and db.session.query(GradeRow).count() == 1


def test_an_attempt_without_a_time_limit_is_never_swept(dc_session):
    s = _unlocked(dc_session)
    with s.app.app_context():
        assert _attempt(s).deadline_at is None
    assert _sweep(s) == []


def test_extra_time_moves_the_deadline_the_server_enforces(dc_session, make_app):
    from lti_app.models import Accommodation, Activity, User

    app = make_app()
    custom = {"phase": "difficult_client", "scenario": "angry_bakery_owner", "time_limit": "20"}
    first = dc_session(app=app, custom=custom, sub="student-7")  # creates the activity and the user
    with app.app_context():
        attempt = _attempt(first)
        assert (attempt.deadline_at - attempt.started_at) == timedelta(minutes=20)
        user = db.session.get(User, attempt.user_id)
        db.session.add(Accommodation(activity_id=db.session.query(Activity).one().id, user_id=user.id,
                                     time_multiplier=1.5, extra_minutes=5))
        db.session.delete(attempt)
        db.session.commit()
    second = dc_session(app=app, custom=custom, sub="student-7")
    with app.app_context():
        attempt = _attempt(second)
        assert (attempt.deadline_at - attempt.started_at) == timedelta(minutes=35)
    page = second.page().get_data(as_text=True)
    assert "Time limit: 35 minutes (including your extra time)." in page
