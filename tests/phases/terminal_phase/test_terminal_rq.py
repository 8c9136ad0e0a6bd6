"""Commands through real RQ on real Redis, on SQLite and PostgreSQL: the shared execute handler runs them over
the stored workspace and stores the new tree with the result; a command whose worker died runs again from the
workspace as it was; a duplicate job runs nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lti_app.dispatch import commit_and_enqueue, get_dispatcher
from lti_app.extensions import db
from lti_app.models import Attempt, Submission, WorkspaceRow, WorkStatus, utcnow
from lti_app.security import csrf_token
from lti_app.workbench.workspaces import workspace_of
from tests.conftest import REDIS_URL
from worker import rq_entry
from worker.reconciler import reconcile


@pytest.fixture
def rq_app(terminal_registered, make_app, seed_launch, database_url, redis_db, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(rq_entry, "_app", None)  # this test's app for the jobs, forgotten afterwards
    app = make_app(CR_DATABASE_URL=database_url, CR_QUEUE_MODE="rq", CR_REDIS_URL=REDIS_URL)
    launch_id = seed_launch(app, custom={"phase": "terminal_phase"})
    with app.test_request_context():
        token = csrf_token(launch_id)
    return app, launch_id, token


def _burst(app) -> None:  # type: ignore[no-untyped-def]
    """An RQ worker (jobs in this process, as ``flask worker run --no-fork``), until the queues are empty."""
    from redis import Redis
    from rq import Queue, SimpleWorker

    from lti_app.jobs import QUEUE_PRIORITY

    rq_entry.preload(app)
    connection = Redis.from_url(REDIS_URL)
    SimpleWorker([Queue(n, connection=connection) for n in QUEUE_PRIORITY], connection=connection).work(
        burst=True, with_scheduler=False)


def _send(app, launch_id: str, token: str, command: str) -> int:  # type: ignore[no-untyped-def]
    response = app.test_client().post(f"/api/a/{launch_id}/terminal/commands", json={"command": command},
                                      headers={"X-CSRF-Token": token})
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.get_json()["submission"]["id"]


def test_commands_run_in_an_rq_worker_and_the_tree_is_stored_with_the_result(rq_app):
    app, launch_id, token = rq_app
    first = _send(app, launch_id, token, "echo one >> counter.txt; mkdir -p deep && cd deep")
    with app.app_context():
        row = db.session.get(Submission, first)
        assert row.status == WorkStatus.QUEUED and row.job_id and get_dispatcher().job_alive(row.job_id)
        attempt = db.session.query(Attempt).one()
        assert db.session.get(WorkspaceRow, attempt.id).revision == 1  # made from the seed when queued
    _burst(app)
    second = _send(app, launch_id, token, "pwd; cat ../counter.txt")
    _burst(app)
    with app.app_context():
        one, two = db.session.get(Submission, first), db.session.get(Submission, second)
        assert one.status == two.status == WorkStatus.DONE
        assert one.result["cwd"] == "deep" and two.result["started_in"] == "deep"
        assert two.result["output"] == "/tmp/ws/deep\none\n"
        stored = db.session.query(WorkspaceRow).one()
        assert stored.revision == 2 and stored.cwd == "deep"  # the read-only second command stored nothing
        assert workspace_of(stored).read("counter.txt") == b"one\n"


def test_a_command_whose_worker_died_runs_again_from_the_workspace_as_it_was(rq_app, redis_db):
    app, launch_id, token = rq_app
    lost = _send(app, launch_id, token, "echo once >> counter.txt")
    with app.app_context():
        # What a worker killed mid-command leaves: the row RUNNING, heartbeat silent, nothing stored.
        row = db.session.get(Submission, lost)
        row.status, row.tries, row.heartbeat_at = WorkStatus.RUNNING, 1, utcnow() - timedelta(minutes=5)
        db.session.commit()
        redis_db.flushdb()
        assert reconcile(get_dispatcher(), stale_after=timedelta(seconds=60)) == [("execute", lost)]
        assert commit_and_enqueue("execute", db.session.get(Submission, lost))  # a duplicate job as well
    _burst(app)
    with app.app_context():
        row = db.session.get(Submission, lost)
        assert row.status == WorkStatus.DONE and row.tries == 2
        stored = db.session.query(WorkspaceRow).one()
        assert workspace_of(stored).read("counter.txt") == b"once\n" and stored.revision == 2
