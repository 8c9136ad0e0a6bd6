"""workbench: attempt deadlines, drafts, accommodations, Run cancellation

Revision ID: 0002_workbench
Revises: 52a680a72a3b
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_workbench"
down_revision = "52a680a72a3b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline_at", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_attempt_deadline_at"), ["deadline_at"], unique=False)
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancel_requested_at", sa.DateTime(), nullable=True))
    op.create_table(
        "draft",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("stdin", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempt.id"], name=op.f("fk_draft_attempt_id_attempt")),
        sa.PrimaryKeyConstraint("attempt_id", name=op.f("pk_draft")),
    )
    op.create_table(
        "accommodation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("time_multiplier", sa.Double(), nullable=False),
        sa.Column("extra_minutes", sa.Integer(), nullable=False),
        sa.Column("extra_attempts", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=255), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["activity_id"], ["activity.id"], name=op.f("fk_accommodation_activity_id_activity")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_accommodation_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accommodation")),
        sa.UniqueConstraint("activity_id", "user_id", name=op.f("uq_accommodation_activity_id")),
    )


def downgrade():
    op.drop_table("accommodation")
    op.drop_table("draft")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_column("cancel_requested_at")
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attempt_deadline_at"))
        batch_op.drop_column("deadline_at")
