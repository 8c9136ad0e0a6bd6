"""Claiming a row and recording its outcome: one statement and one commit each, on SQLite and PostgreSQL, and the
claimed row is exactly what the database now holds (no read-back, nothing left pending)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from lti_app.extensions import db
from lti_app.models import Attempt, Submission
from worker.outcome import Outcome
from worker.runner import claim, record


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements (first word) and commits the block sends, in order."""
    seen: list[str] = []

    def on_statement(conn, cursor, statement, *rest):  # type: ignore[no-untyped-def]
        seen.append(statement.split()[0].upper())

    def on_commit(conn):  # type: ignore[no-untyped-def]
        seen.append("COMMIT")

    engine = db.engine
    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "commit", on_commit)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        event.remove(engine, "commit", on_commit)


def _queued_submission(app, seed_launch) -> int:  # type: ignore[no-untyped-def]
    seed_launch(app)
    with app.app_context():
        attempt = db.session.query(Attempt).one()
        row = Submission(attempt_id=attempt.id, kind="run", language="python", source="print(1)\n")
        db.session.add(row)
        db.session.commit()
        return row.id


def test_claim_and_record_are_one_statement_and_one_commit_each(make_app, seed_launch, database_url):
    app = make_app(CR_DATABASE_URL=database_url)
    row_id = _queued_submission(app, seed_launch)
    with app.app_context():
        with statements() as seen:
            row = claim("execute", row_id)
        assert seen == ["UPDATE", "COMMIT"]
        # The claimed row as stored, readable without another query, with nothing pending.
        with statements() as seen:
            assert (row.id, row.status, row.tries, row.kind, row.source) == (row_id, "running", 1, "run", "print(1)\n")
            assert row.started_at is not None and row.heartbeat_at == row.started_at
        assert seen == [] and not db.session.dirty and not db.session.new

        row.result = {"kind": "run", "outcome": "ok"}
        with statements() as seen:
            assert record(row, Outcome.done()) == "done"
        assert seen == ["UPDATE", "COMMIT"]

    with app.app_context():  # what another session reads
        stored = db.session.get(Submission, row_id)
        assert (stored.status, stored.tries, stored.result) == ("done", 1, {"kind": "run", "outcome": "ok"})
        assert stored.finished_at is not None and stored.started_at is not None


def test_a_row_claimed_or_finished_elsewhere_is_not_claimed_again(make_app, seed_launch):
    app = make_app()
    row_id = _queued_submission(app, seed_launch)
    with app.app_context():
        assert claim("execute", row_id) is not None
    with app.app_context():
        assert claim("execute", row_id) is None  # running: another worker has it
        row = db.session.get(Submission, row_id)
        record(row, Outcome.failed("boom"))
    with app.app_context():
        assert claim("execute", row_id) is None  # finished
        assert db.session.get(Submission, row_id).tries == 1


def test_claiming_a_row_the_session_already_holds_updates_that_object(make_app, seed_launch):
    app = make_app()
    row_id = _queued_submission(app, seed_launch)
    with app.app_context():
        held = db.session.get(Submission, row_id)
        assert held.status == "queued"
        claimed = claim("execute", row_id)
        assert claimed is held and held.status == "running" and held.tries == 1


def test_a_row_and_its_enqueueing_are_one_commit(make_app, seed_launch, database_url, redis_db):
    """Insert + enqueue: the row goes in with its job id in the same commit, and the push (to the real Redis) reads
    nothing back from the database."""
    from rq.job import Job

    from lti_app.dispatch import commit_and_enqueue
    from tests.conftest import REDIS_URL

    app = make_app(CR_DATABASE_URL=database_url, CR_QUEUE_MODE="rq", CR_REDIS_URL=REDIS_URL)
    seed_launch(app)
    with app.app_context():
        attempt_id = db.session.query(Attempt).one().id
        row = Submission(attempt_id=attempt_id, kind="run", language="python", source="print(1)\n")
        db.session.add(row)
        with statements() as seen:
            job_id = commit_and_enqueue("execute", row)
        assert seen == ["INSERT", "COMMIT"]
    queued = Job.fetch(job_id, connection=redis_db)
    assert queued.args[0] == "execute"
    with app.app_context():
        stored = db.session.get(Submission, queued.args[1])
        assert stored.job_id == job_id and stored.enqueued_at is not None and stored.status == "queued"


def test_a_row_whose_queue_is_down_stays_queued_for_the_reconciler(make_app, seed_launch):
    from lti_app.dispatch import commit_and_enqueue

    # Nothing listens on port 1: the push fails, as when Redis is down.
    app = make_app(CR_QUEUE_MODE="rq", CR_REDIS_URL="redis://127.0.0.1:1/0")
    seed_launch(app)
    with app.app_context():
        attempt_id = db.session.query(Attempt).one().id
        row = Submission(attempt_id=attempt_id, kind="run", language="python", source="print(1)\n")
        db.session.add(row)
        assert commit_and_enqueue("execute", row) is None
        row_id = row.id
    with app.app_context():
        stored = db.session.get(Submission, row_id)
        assert stored.status == "queued" and stored.source == "print(1)\n"
        # No queue knows its job, and the row says it never reached one: the reconciler's next pass takes it.
        assert stored.job_id is None and stored.enqueued_at is None
