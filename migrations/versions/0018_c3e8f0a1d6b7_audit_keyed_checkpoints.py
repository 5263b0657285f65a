"""The audit trail is keyed (an HMAC per event and on the head, with a key outside the database) and keeps
checkpoints up to which it was verified

Revision ID: c3e8f0a1d6b7
Revises: a7c41d2e9b05
Create Date: 2026-12-03 17:30:00

Events written before have no HMAC: they stay chained, and the check reports them as written before the key.
"""
import sqlalchemy as sa
from alembic import op

revision = "c3e8f0a1d6b7"
down_revision = "a7c41d2e9b05"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("mac", sa.String(64), nullable=True))
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(sa.Column("mac", sa.String(64), nullable=True))
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("mac", sa.String(64), nullable=False),
        sa.Column("whole", sa.Boolean(), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_checkpoints"),
    )


def downgrade():
    op.drop_table("audit_checkpoints")
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("mac")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("mac")
