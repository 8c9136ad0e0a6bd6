"""Workspaces in the database, on SQLite and PostgreSQL: made once from the seed, replaced only at the revision
read, and deleted by the reconciler a week after their attempt's (latest) grade — never while it is open."""

from __future__ import annotations

from datetime import timedelta

import pytest

from grader.workbench.workspace import Workspace
from lti_app.extensions import db
from lti_app.models import Attempt, GradeRow, WorkspaceRow, utcnow
from lti_app.workbench.workspaces import purge_workspaces, store_workspace, workspace_of, workspace_row
from worker.reconciler import ReconcilerThread


class _Seeds:
    def __init__(self) -> None:
        self.calls = 0

    def workspace_seed(self, attempt: Attempt) -> Workspace:
        self.calls += 1
        return Workspace.from_files({"seed.txt": f"attempt {attempt.id}\n"})


@pytest.fixture
def app(make_app, database_url):  # type: ignore[no-untyped-def]
    return make_app(CR_DATABASE_URL=database_url)


def _attempts(app, seed_launch, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    for i in range(count):
        seed_launch(app, sub=f"learner-{i}", custom={"phase": "acknowledge"})
    with app.app_context():
        return [a.id for a in db.session.query(Attempt).order_by(Attempt.id)]


def test_made_once_from_the_seed_and_replaced_only_at_the_revision_read(app, seed_launch):
    (attempt_id,) = _attempts(app, seed_launch, 1)
    seeds = _Seeds()
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        row = workspace_row(attempt, seeds)
        db.session.commit()
        assert workspace_row(attempt, seeds) is row and seeds.calls == 1 and row.revision == 1
        ws = workspace_of(row)
        assert ws.read("seed.txt") == f"attempt {attempt_id}\n".encode()
        changed = ws.with_file("seed.txt", "changed\n").at("")
        assert store_workspace(row, changed, 1)
        db.session.commit()
        assert not store_workspace(row, changed.with_file("late.txt", "x"), 1)  # a stale revision changes nothing
        db.session.commit()
        stored = db.session.get(WorkspaceRow, attempt_id)
        assert stored.revision == 2 and workspace_of(stored).files() == {"seed.txt": b"changed\n"}


def test_purged_a_week_after_the_latest_grade_of_a_closed_attempt(app, seed_launch):
    ids = _attempts(app, seed_launch, 5)
    now = utcnow()
    grades = {  # attempt -> (status, grade ages in days)
        ids[0]: ("open", [9]),  # still open: kept whatever its grades
        ids[1]: ("closed", [8]),  # graded 8 days ago: deleted
        ids[2]: ("closed", [2]),  # graded 2 days ago: kept
        ids[3]: ("closed", []),  # never graded (grading pending): kept
        ids[4]: ("closed", [10, 1]),  # regraded yesterday: kept a week from the regrade
    }
    with app.app_context():
        for attempt_id, (status, ages) in grades.items():
            attempt = db.session.get(Attempt, attempt_id)
            attempt.status = status
            workspace_row(attempt, _Seeds())
            for age in ages:
                db.session.add(GradeRow(attempt_id=attempt_id, score=50.0, letter="F",
                                        created_at=now - timedelta(days=age)))
        db.session.commit()
        assert purge_workspaces() == 1
        left = {row.attempt_id for row in db.session.query(WorkspaceRow)}
        assert left == {ids[0], ids[2], ids[3], ids[4]}
        assert purge_workspaces(now=now + timedelta(days=5, hours=1)) == 1  # ids[2] (graded 2 days before)
        assert purge_workspaces(now=now + timedelta(days=30)) == 1  # ids[4]; the open and ungraded stay
        assert {row.attempt_id for row in db.session.query(WorkspaceRow)} == {ids[0], ids[3]}


def test_the_reconciler_purges_workspaces_with_the_expired_lti_rows(app, seed_launch):
    (attempt_id,) = _attempts(app, seed_launch, 1)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.status = "closed"
        workspace_row(attempt, _Seeds())
        db.session.add(GradeRow(attempt_id=attempt_id, score=90.0, letter="A", created_at=utcnow() - timedelta(days=8)))
        db.session.commit()
        assert ReconcilerThread(app).purge_if_due() is True
        assert db.session.query(WorkspaceRow).count() == 0
