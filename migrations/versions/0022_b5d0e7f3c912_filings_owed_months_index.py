"""An index on filings (status, org_id, period, superseded_at): the months each enterprise filed, read from the index alone

Revision ID: b5d0e7f3c912
Revises: d16b1e5f7a32
Create Date: 2026-12-03 18:00:00
"""
from alembic import op

revision = "b5d0e7f3c912"
down_revision = "d16b1e5f7a32"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_filings_status_org_period", "filings", ["status", "org_id", "period", "superseded_at"])


def downgrade():
    op.drop_index("ix_filings_status_org_period", table_name="filings")
