"""The reconciler says what a row was before it took it back: a running row is logged as running."""

from __future__ import annotations

import logging
from datetime import timedelta

from lti_app.extensions import db
from lti_app.models import Evaluation, utcnow
from worker.reconciler import reconcile


class _RecordingDispatcher:
    """Takes jobs without running them (the row stays as the reconciler left it)."""

    def __init__(self) -> None:
        self.jobs: list[tuple[str, int]] = []

    def enqueue(self, kind, row, **options):  # type: ignore[no-untyped-def]
        self.jobs.append((kind, row.id))
        return f"{kind}-{row.id}"

    def job_alive(self, job_id):  # type: ignore[no-untyped-def]
        return False


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_a_stale_running_row_is_logged_as_was_running(make_app, seed_launch):
    app = make_app()
    seed_launch(app)
    with app.app_context():
        from lti_app.models import Attempt

        attempt = db.session.query(Attempt).one()
        # What a worker killed mid-job leaves behind: the row RUNNING, its heartbeat gone quiet.
        row = Evaluation(attempt_id=attempt.id, status="running", heartbeat_at=utcnow() - timedelta(seconds=120),
                         tries=1)
        db.session.add(row)
        db.session.commit()
        collect = _Collect()
        logger = logging.getLogger("worker.reconciler")
        logger.addHandler(collect)  # on the logger itself: the migrations' logging set-up replaces root handlers
        try:
            assert reconcile(_RecordingDispatcher(), stale_after=timedelta(seconds=60)) == [("evaluate", row.id)]
        finally:
            logger.removeHandler(collect)
    assert collect.messages == [f"reconciler: re-enqueueing evaluate:{row.id} (was running)"]
