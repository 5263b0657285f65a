"""Stored evidence bytes get a row per digest, whose lock orders uploads against deletions

Revision ID: a7c41d2e9b05
Revises: f18d3c9e7b54
Create Date: 2026-12-03 17:20:00

Every digest that evidence already names gets its row.
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "a7c41d2e9b05"
down_revision = "f18d3c9e7b54"
branch_labels = None
depends_on = None


def upgrade():
    stored = op.create_table(
        "stored_files",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_stored_files"),
    )
    evidence = sa.table("evidence", sa.column("sha256", sa.String), sa.column("size_bytes", sa.Integer))
    now = datetime.now(timezone.utc)
    rows = op.get_bind().execute(sa.select(evidence.c.sha256, sa.func.max(evidence.c.size_bytes))
                                 .group_by(evidence.c.sha256)).all()
    if rows:
        op.bulk_insert(stored, [{"sha256": d, "size_bytes": size, "last_used_at": now} for d, size in rows])


def downgrade():
    op.drop_table("stored_files")
