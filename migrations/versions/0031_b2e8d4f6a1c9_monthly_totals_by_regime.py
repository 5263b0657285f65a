"""monthly_totals by reporting regime: the ETS, guideline and inventory totals of each enterprise-month

Revision ID: b2e8d4f6a1c9
Revises: 9e3b5d71c2a4
Create Date: 2026-12-03 22:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "b2e8d4f6a1c9"
down_revision = "9e3b5d71c2a4"
branch_labels = None
depends_on = None

TONNES = sa.Numeric(30, 10).with_variant(sa.String(32), "sqlite")  # app.core.types.ExactDecimal
REGIMES = ("ets_tco2e", "guideline_tco2e", "inventory_tco2e")


def upgrade():
    with op.batch_alter_table("monthly_totals") as batch:
        for name in REGIMES:
            batch.add_column(sa.Column(name, TONNES, nullable=True))
    for name in REGIMES:  # the rows there: from their calculation, as `flask rollups rebuild` would write them
        op.execute(f"UPDATE monthly_totals SET {name} = (SELECT c.{name} FROM calculations c "
                   f"WHERE c.id = monthly_totals.calculation_id)")


def downgrade():
    with op.batch_alter_table("monthly_totals") as batch:
        for name in REGIMES:
            batch.drop_column(name)
