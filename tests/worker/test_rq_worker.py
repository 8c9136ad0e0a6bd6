"""Work through real RQ on real Redis, consumed by a real worker process (``flask worker run``)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest

from lti_app.dispatch import RQDispatcher, commit_and_enqueue, get_dispatcher
from lti_app.extensions import db
from lti_app.grading import request_evaluation
from lti_app.models import Attempt, Evaluation, GradeRow, Passback, utcnow
from tests.conftest import REDIS_URL
from worker.reconciler import reconcile

ANSWERS = {"scores": "rubric", "hidden": "discover", "sandbox": "sandbox", "resolution": "revert"}


def run_worker_burst(database_url: str, tmp_path, timeout: float = 120, mode: str = "--no-fork"
                     ) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CR_DATABASE_URL": database_url,
        "CR_QUEUE_MODE": "rq",
        "CR_REDIS_URL": REDIS_URL,
        "CR_DATA_DIR": str(tmp_path / "worker-data"),
        "CR_SECRET_KEY": "test-secret-key-0123456789",
    }
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "lti_app:create_app()", "worker", "run", "--burst", "--no-reconcile",
         mode],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _answered_attempt(app, seed_launch) -> int:
    seed_launch(app)
    with app.app_context():
        attempt = db.session.query(Attempt).one()
        attempt.state = {"answers": ANSWERS}
        db.session.commit()
        return attempt.id


@pytest.mark.parametrize("mode", ["--no-fork", "--fork"])  # jobs in the worker process, or a work horse per job
def test_evaluation_and_passback_run_in_a_real_rq_worker(make_app, seed_launch, database_url, redis_db, tmp_path,
                                                         mode):
    app = make_app(CR_DATABASE_URL=database_url, CR_QUEUE_MODE="rq", CR_REDIS_URL=REDIS_URL)
    attempt_id = _answered_attempt(app, seed_launch)
    with app.app_context():
        request_evaluation(db.session.get(Attempt, attempt_id))
        evaluation = db.session.query(Evaluation).one()
        assert evaluation.status == "queued" and evaluation.job_id
        assert get_dispatcher().position(evaluation.job_id) == 0

    done = run_worker_burst(database_url, tmp_path, mode=mode)
    assert done.returncode == 0, done.stderr[-2000:]

    with app.app_context():
        grade = db.session.query(GradeRow).one()
        assert (grade.score, grade.letter) == (100.0, "A+")
        assert db.session.query(Evaluation).one().status == "done"
        # The passback was queued by the worker itself and ran in the same burst: no line item → failed.
        passback = db.session.query(Passback).one()
        assert passback.status == "failed" and passback.tries == 1


def test_running_a_job_twice_grades_once(make_app, seed_launch, redis_db, tmp_path):
    app = make_app(CR_QUEUE_MODE="rq", CR_REDIS_URL=REDIS_URL)
    attempt_id = _answered_attempt(app, seed_launch)
    with app.app_context():
        evaluation = request_evaluation(db.session.get(Attempt, attempt_id))
        assert commit_and_enqueue("evaluate", evaluation)  # a duplicate job for the same row
    done = run_worker_burst(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "not claimable" in done.stderr
    with app.app_context():
        assert db.session.query(GradeRow).count() == 1
        assert db.session.query(Passback).count() == 1


def test_work_submitted_while_redis_is_down_is_not_lost(make_app, seed_launch, redis_db, tmp_path):
    # Nothing listens on port 1: every enqueue fails, as when Redis is down.
    app = make_app(CR_QUEUE_MODE="rq", CR_REDIS_URL="redis://127.0.0.1:1/0")
    attempt_id = _answered_attempt(app, seed_launch)
    with app.app_context():
        request_evaluation(db.session.get(Attempt, attempt_id))
        evaluation = db.session.query(Evaluation).one()
        assert evaluation.status == "queued" and evaluation.enqueued_at is None

        # Redis is back: the reconciler finds the row and enqueues it.
        requeued = reconcile(RQDispatcher(REDIS_URL), stale_after=timedelta(seconds=60))
        assert requeued == [("evaluate", evaluation.id)]
    done = run_worker_burst(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    with app.app_context():
        assert db.session.query(GradeRow).one().letter == "A+"


def test_jobs_lost_in_a_redis_restart_are_re_enqueued(make_app, seed_launch, redis_db, tmp_path):
    app = make_app(CR_QUEUE_MODE="rq", CR_REDIS_URL=REDIS_URL)
    attempt_id = _answered_attempt(app, seed_launch)
    with app.app_context():
        evaluation = request_evaluation(db.session.get(Attempt, attempt_id))
        redis_db.flushdb()  # Redis restarted without persistence: the job is gone
        dispatcher = get_dispatcher()
        assert not dispatcher.job_alive(evaluation.job_id)
        # A young row is given time (its job may simply not be visible yet) ...
        assert reconcile(dispatcher, stale_after=timedelta(seconds=60)) == []
        # ... an older one is re-enqueued.
        evaluation.enqueued_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
        assert reconcile(dispatcher, stale_after=timedelta(seconds=60)) == [("evaluate", evaluation.id)]
        assert dispatcher.job_alive(db.session.get(Evaluation, evaluation.id).job_id)
    done = run_worker_burst(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    with app.app_context():
        assert db.session.query(GradeRow).count() == 1


def test_a_running_row_whose_worker_died_is_run_again(make_app, seed_launch, redis_db, tmp_path):
    app = make_app(CR_QUEUE_MODE="rq", CR_REDIS_URL=REDIS_URL)
    attempt_id = _answered_attempt(app, seed_launch)
    with app.app_context():
        evaluation = request_evaluation(db.session.get(Attempt, attempt_id))
        # What a worker killed mid-job leaves behind: the row RUNNING, heartbeat gone quiet.
        evaluation.status = "running"
        evaluation.heartbeat_at = utcnow() - timedelta(seconds=120)
        evaluation.tries = 1
        db.session.commit()
        redis_db.flushdb()
        assert reconcile(get_dispatcher(), stale_after=timedelta(seconds=60)) == [("evaluate", evaluation.id)]
    done = run_worker_burst(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    with app.app_context():
        row = db.session.get(Evaluation, evaluation.id)
        assert row.status == "done" and row.tries == 2
        assert db.session.query(GradeRow).count() == 1


def test_a_queue_position_is_unknown_not_an_error_while_redis_is_down():
    """A page showing a queued row asks for its position; Redis down (after the job was pushed) means 'unknown'."""
    down = RQDispatcher("redis://127.0.0.1:1/0")
    assert down.position("execute-120000000000-0a1b2c3d") is None
    assert down.position(None) is None
