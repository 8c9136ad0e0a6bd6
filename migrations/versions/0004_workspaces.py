"""workspaces: an attempt's terminal workspace (the tree as a tar.gz, the current directory, a revision)

Commands, checks and editor saves are submission rows (kinds "command", "check", "edit"); the submission
table needs no change for them.

Revision ID: 0004_workspaces
Revises: 0003_one_open_attempt
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_workspaces"
down_revision = "0003_one_open_attempt"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "workspaces",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("archive", sa.LargeBinary(), nullable=False),
        sa.Column("cwd", sa.String(length=1024), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempt.id"], name=op.f("fk_workspaces_attempt_id_attempt")),
        sa.PrimaryKeyConstraint("attempt_id", name=op.f("pk_workspaces")),
    )


def downgrade():
    op.drop_table("workspaces")
