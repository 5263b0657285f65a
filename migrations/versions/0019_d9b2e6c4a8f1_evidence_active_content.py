"""Evidence PDFs with scripts or automatic actions are flagged

Revision ID: d9b2e6c4a8f1
Revises: c3e8f0a1d6b7
Create Date: 2026-12-03 17:55:00

Files uploaded before are not re-read here: they stay unflagged.
"""
import sqlalchemy as sa
from alembic import op

revision = "d9b2e6c4a8f1"
down_revision = "c3e8f0a1d6b7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("evidence") as batch:
        batch.add_column(sa.Column("active_content", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("evidence") as batch:
        batch.drop_column("active_content")
