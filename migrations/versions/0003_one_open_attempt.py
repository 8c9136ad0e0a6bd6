"""one open attempt per learner and activity (a partial unique index)

Concurrent first launches by one learner could create two open attempts on one link. The database now
refuses a second one; the code that creates attempts hands the loser of that race the winner's attempt.

Revision ID: 0003_one_open_attempt
Revises: 0002_workbench
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_one_open_attempt"
down_revision = "0002_workbench"
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'open'")


def upgrade():
    # Duplicates made before this revision would stop the index from being built: keep the newest open
    # attempt of each learner and activity (the one they were shown last) and close the older ones, state
    # untouched, so an instructor still sees them on the attempt page.
    op.execute(
        """
        UPDATE attempt SET status = 'closed', closed_at = CURRENT_TIMESTAMP
        WHERE status = 'open' AND EXISTS (
            SELECT 1 FROM attempt AS newer
            WHERE newer.activity_id = attempt.activity_id AND newer.user_id = attempt.user_id
              AND newer.status = 'open' AND newer.id > attempt.id
        )
        """
    )
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.create_index("uq_attempt_one_open", ["activity_id", "user_id"], unique=True,
                              postgresql_where=OPEN, sqlite_where=OPEN)


def downgrade():
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.drop_index("uq_attempt_one_open", postgresql_where=OPEN, sqlite_where=OPEN)
