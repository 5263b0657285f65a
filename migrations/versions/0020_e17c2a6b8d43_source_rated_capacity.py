"""An emission source may have a rated capacity (per hour or per month, in its unit): a month above it is refused

Revision ID: e17c2a6b8d43
Revises: d9b2e6c4a8f1
Create Date: 2026-12-04 10:00:00

Sources already in the register have none: nothing is refused for them until one is set.
"""
import sqlalchemy as sa
from alembic import op

revision = "e17c2a6b8d43"
down_revision = "d9b2e6c4a8f1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("emission_sources") as batch:
        batch.add_column(sa.Column("rated_capacity", sa.Numeric(24, 6).with_variant(sa.String(26), 'sqlite'), nullable=True))
        batch.add_column(sa.Column("rated_capacity_per", sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table("emission_sources") as batch:
        batch.drop_column("rated_capacity_per")
        batch.drop_column("rated_capacity")
