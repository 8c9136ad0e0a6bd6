"""draft revisions as 64-bit integers

The page numbers a draft save with its clock in milliseconds (about 1.7e12), which a 32-bit INTEGER cannot
hold: PostgreSQL refused every save ("integer out of range") while SQLite, which has no such limit, hid it.

Revision ID: 0005_draft_revision_bigint
Revises: 0004_workspaces
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_draft_revision_bigint"
down_revision = "0004_workspaces"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.alter_column("revision", existing_type=sa.Integer(), type_=sa.BigInteger(),
                              existing_nullable=False)


def downgrade():
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.alter_column("revision", existing_type=sa.BigInteger(), type_=sa.Integer(),
                              existing_nullable=False)
