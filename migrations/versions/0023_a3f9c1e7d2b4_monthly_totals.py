"""monthly_totals: the effective approved totals per enterprise-month, kept on approval and recalculation

Revision ID: a3f9c1e7d2b4
Revises: b5d0e7f3c912
Create Date: 2026-12-03 21:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "a3f9c1e7d2b4"
down_revision = "b5d0e7f3c912"
branch_labels = None
depends_on = None

TONNES = sa.Numeric(30, 10).with_variant(sa.String(32), "sqlite")  # app.core.types.ExactDecimal


def upgrade():
    op.create_table(
        "monthly_totals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("filing_id", sa.Integer(), sa.ForeignKey("filings.id"), nullable=False),
        sa.Column("calculation_id", sa.Integer(), sa.ForeignKey("calculations.id"), nullable=False),
        sa.Column("scope1_tco2e", TONNES, nullable=False),
        sa.Column("scope2_tco2e", TONNES, nullable=False),
        sa.Column("scope2_market_tco2e", TONNES, nullable=True),
        sa.Column("scope3_tco2e", TONNES, nullable=False),
        sa.Column("exported_tco2e", TONNES, nullable=False),
        sa.Column("total_tco2e", TONNES, nullable=False),
        sa.Column("energy_tce", TONNES, nullable=False),
        sa.Column("output_value_10k_cny", sa.Numeric(24, 6).with_variant(sa.String(26), "sqlite"), nullable=True),
    )
    op.create_index("ix_monthly_totals_org_id", "monthly_totals", ["org_id"])
    op.create_index("ix_monthly_totals_filing_id", "monthly_totals", ["filing_id"])
    op.create_index("ix_monthly_totals_period_org", "monthly_totals", ["period", "org_id"])
    # Existing approved months: the same SQL as `flask rollups rebuild`.
    op.execute(
        "INSERT INTO monthly_totals (org_id, period, filing_id, calculation_id, scope1_tco2e, scope2_tco2e,"
        " scope2_market_tco2e, scope3_tco2e, exported_tco2e, total_tco2e, energy_tce, output_value_10k_cny)"
        " SELECT f.org_id, f.period, f.id, c.id, c.scope1_tco2e, c.scope2_tco2e, c.scope2_market_tco2e,"
        " c.scope3_tco2e, c.exported_tco2e, c.total_tco2e, c.energy_tce, f.output_value_10k_cny"
        " FROM filings f JOIN calculations c ON c.filing_id = f.id AND c.is_current"
        " WHERE f.status = 'approved' AND f.superseded_at IS NULL")


def downgrade():
    op.drop_index("ix_monthly_totals_period_org", table_name="monthly_totals")
    op.drop_index("ix_monthly_totals_filing_id", table_name="monthly_totals")
    op.drop_index("ix_monthly_totals_org_id", table_name="monthly_totals")
    op.drop_table("monthly_totals")
