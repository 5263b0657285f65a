"""rollup_generation: one row changed with every rollup write, the key of the city pages' caches

Revision ID: c4d7e9a1b3f5
Revises: 4c7e2a91d5b8
Create Date: 2026-12-10 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "c4d7e9a1b3f5"
down_revision = "4c7e2a91d5b8"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "rollup_generation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.bulk_insert(table, [{"value": 1}])  # through the sequence: later generations are appended after it


def downgrade():
    op.drop_table("rollup_generation")
