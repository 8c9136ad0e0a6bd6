"""Launch → attempt → grade → AGS score, against lti1p3platform-based Canvas- and Moodle-shaped LMSes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from grader.scoring import band_for
from lti_app.dispatch import get_dispatcher
from lti_app.extensions import db
from lti_app.models import Passback
from tests.passback.helpers import ALL_RIGHT, THREE_RIGHT, complete_orientation, lms_with_faults, received
from worker.reconciler import reconcile


@pytest.fixture
def servers():
    started = []
    yield started
    for server in started:
        server.stop()


def _drain(tool) -> None:
    assert get_dispatcher(tool.app).drain(60)


def _run_due_retries(tool) -> None:
    """What the reconciler thread does every few seconds: make due retries due now and re-enqueue them."""
    with tool.app.app_context():
        for row in db.session.query(Passback).filter_by(status="retry"):
            row.next_attempt_at = row.next_attempt_at - timedelta(minutes=10)
        db.session.commit()
        reconcile(get_dispatcher(tool.app), stale_after=timedelta(seconds=60))
    _drain(tool)


@pytest.mark.parametrize("shape", ["canvas", "moodle"])
def test_grade_arrives_in_the_gradebook_with_letter_and_band(tool, browser, servers, shape):
    lms, _ = lms_with_faults(shape, tool, servers)
    user_id = complete_orientation(browser, lms, tool, THREE_RIGHT)
    _drain(tool)

    [score] = received(lms, user_id)
    assert score.status == 200
    payload = score.payload
    low, high = band_for("C+")
    assert payload["scoreMaximum"] == 100 and low <= payload["scoreGiven"] < high
    assert payload["comment"].startswith("C+ — Orientation: 3 of 4")
    assert (payload["activityProgress"], payload["gradingProgress"]) == ("Completed", "FullyGraded")
    assert datetime.fromisoformat(payload["timestamp"]).tzinfo is not None
    extension = payload.get("https://canvas.instructure.com/lti/submission")
    assert (extension is not None) == (shape == "canvas")

    # The student sees the delivery confirmed.
    with tool.app.app_context():
        assert db.session.query(Passback).one().status == "done"


def test_platform_error_then_success_delivers_exactly_once(tool, browser, servers):
    lms, faults = lms_with_faults("moodle", tool, servers)
    faults.script = [(500, 0.0)]
    user_id = complete_orientation(browser, lms, tool, ALL_RIGHT)
    _drain(tool)
    with tool.app.app_context():
        row = db.session.query(Passback).one()
        assert row.status == "retry" and "500" in row.last_error and row.response_code == 500
    assert received(lms, user_id) == []

    _run_due_retries(tool)
    assert [s.status for s in received(lms, user_id)] == [200]
    assert faults.seen == 2
    with tool.app.app_context():
        row = db.session.query(Passback).one()
        assert (row.status, row.tries, row.response_code) == ("done", 2, 200)


def _stage_conflict(tool, browser, servers, ahead: timedelta):
    """First send fails (503); meanwhile another score for this student lands ``ahead`` of ours."""
    from devlms.state import ReceivedScore

    lms, faults = lms_with_faults("moodle", tool, servers)
    faults.script = [(503, 0.0)]
    user_id = complete_orientation(browser, lms, tool, ALL_RIGHT)
    _drain(tool)
    with tool.app.app_context():
        row = db.session.query(Passback).one()
        assert row.status == "retry"
        ours = row.score_timestamp.replace(tzinfo=UTC)
    line_item = next(iter(lms.store.state.lineitems))
    other = {"timestamp": (ours + ahead).isoformat(), "scoreGiven": 10, "scoreMaximum": 100}
    lms.store.state.scores.append(ReceivedScore(line_item, user_id, other, 200))
    return lms, user_id


def _retry_until_settled(tool, rounds: int = 8) -> None:
    for _ in range(rounds):
        with tool.app.app_context():
            if not db.session.query(Passback).filter_by(status="retry").count():
                return
        _run_due_retries(tool)


def test_moodle_409_for_a_same_second_score_is_resolved_by_a_newer_timestamp(tool, browser, servers):
    lms, user_id = _stage_conflict(tool, browser, servers, ahead=timedelta(seconds=1))
    _retry_until_settled(tool)
    ours = [s for s in received(lms, user_id) if s.payload.get("scoreGiven") != 10]
    assert 409 in [s.status for s in ours] and ours[-1].status == 200
    assert ours[-1].payload["scoreGiven"] == 100.0
    with tool.app.app_context():
        assert db.session.query(Passback).one().status == "done"


def test_moodle_409_against_a_much_newer_score_gives_up_with_a_reason(tool, browser, servers):
    lms, user_id = _stage_conflict(tool, browser, servers, ahead=timedelta(hours=1))
    _retry_until_settled(tool)
    with tool.app.app_context():
        row = db.session.query(Passback).one()
        assert row.status == "failed" and row.response_code == 409 and "409" in row.last_error
        assert row.tries == 6  # bounded: it does not hammer the platform forever
    assert all(s.status == 409 for s in received(lms, user_id) if s.payload.get("scoreGiven") != 10)
