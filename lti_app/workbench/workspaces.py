"""The attempts' terminal workspaces in the database (table ``workspaces``): made from the phase's seed on first
use, replaced (revision + 1) by every command or editor save that changes them, deleted a week after the
attempt's grade (the reconciler calls :func:`purge_workspaces`).

The database is the source of truth: a command's new tree is stored in the transaction that records its
result, so a command whose worker died leaves the workspace as it was, and running it again is safe.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from grader.workbench.workspace import Workspace, WorkspaceError
from lti_app.extensions import db
from lti_app.models import Attempt, AttemptStatus, GradeRow, WorkspaceRow, utcnow

log = logging.getLogger(__name__)
# How long a workspace is kept after the attempt's (latest) grade, for the instructor.
KEEP_AFTER_GRADE = timedelta(days=7)


def workspace_row(attempt: Attempt, adapter: Any) -> WorkspaceRow:
    """The attempt's workspace row, made from ``adapter.workspace_seed(attempt)`` when there is none yet (two
    first uses at once make one: the loser of the insert reads the winner's). Not committed here."""
    row = db.session.get(WorkspaceRow, attempt.id)
    if row is not None:
        return row
    seed = adapter.workspace_seed(attempt)
    if not isinstance(seed, Workspace):
        raise TypeError(f"workspace_seed must return a Workspace, not {type(seed).__name__}")
    try:
        with db.session.begin_nested():
            row = WorkspaceRow(attempt_id=attempt.id, archive=seed.archive, cwd=seed.cwd, revision=1,
                               updated_at=utcnow())
            db.session.add(row)
    except IntegrityError:
        row = db.session.get(WorkspaceRow, attempt.id)
        if row is None:
            raise
    return row


def workspace_of(row: WorkspaceRow) -> Workspace:
    """The stored tree (and current directory) as a ``Workspace``."""
    try:
        return Workspace(bytes(row.archive), row.cwd or "")
    except WorkspaceError:  # a directory name the rules no longer accept: the tree still counts
        return Workspace(bytes(row.archive), "")


def store_workspace(row: WorkspaceRow, workspace: Workspace, expected_revision: int) -> bool:
    """Replace the stored tree if it is still at ``expected_revision`` (revision + 1); False when another
    change got there first. Not committed here: the caller commits it with what it records."""
    result = db.session.execute(
        update(WorkspaceRow)
        .where(WorkspaceRow.attempt_id == row.attempt_id, WorkspaceRow.revision == expected_revision)
        .values(archive=workspace.archive, cwd=workspace.cwd, revision=expected_revision + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        db.session.expire(row)
        return True
    return False


def purge_workspaces(now: datetime | None = None, keep: timedelta = KEEP_AFTER_GRADE) -> int:
    """Delete the workspaces of attempts no longer open whose latest grade is older than ``keep``. Returns how
    many were deleted. Nothing runs between commands, so this is the only clean-up a workspace needs."""
    cutoff = (now or utcnow()) - keep
    graded = (select(GradeRow.attempt_id, func.max(GradeRow.created_at).label("graded_at"))
              .group_by(GradeRow.attempt_id).subquery())
    expired = (select(WorkspaceRow.attempt_id)
               .join(Attempt, Attempt.id == WorkspaceRow.attempt_id)
               .join(graded, graded.c.attempt_id == WorkspaceRow.attempt_id)
               .where(Attempt.status != AttemptStatus.OPEN, graded.c.graded_at < cutoff))
    ids = list(db.session.scalars(expired))
    if not ids:
        return 0
    db.session.execute(delete(WorkspaceRow).where(WorkspaceRow.attempt_id.in_(ids)))
    db.session.commit()
    log.info("deleted %s workspace(s) of attempts graded more than %s ago", len(ids), keep)
    return len(ids)
