"""calculation methods wired in: a source's method and generating unit, a line's method parameters with their
provenance, a calculation line's method, gas masses and substitutions, a calculation's three regime totals and the
share of its total resting on substituted values; plan sources name methods by the engine's codes

Revision ID: 9e3b5d71c2a4
Revises: 9b3f6d2c8e41
Create Date: 2026-12-03 22:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "9e3b5d71c2a4"
down_revision = "9b3f6d2c8e41"
branch_labels = None
depends_on = None

TONNES = sa.Numeric(30, 10).with_variant(sa.String(32), "sqlite")  # app.core.types.ExactDecimal
SHARE = sa.Numeric(20, 10).with_variant(sa.String(22), "sqlite")
# The monitoring plans' stand-in catalogue named today's methods by category; the engine's registry is the one set.
RENAMED = {"fugitive": "fugitive_gas", "purchased_electricity": "electricity_in",
           "exported_electricity": "electricity_out", "purchased_heat": "heat_in", "exported_heat": "heat_out"}


def _rename(pairs):
    plan_sources = sa.table("plan_sources", sa.column("method", sa.String))
    for old, new in pairs:
        op.execute(plan_sources.update().where(plan_sources.c.method == old).values(method=new))


def upgrade():
    with op.batch_alter_table("emission_sources") as batch:
        batch.add_column(sa.Column("method", sa.String(40), nullable=True))
        batch.add_column(sa.Column("generating_unit", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("filing_lines") as batch:
        batch.add_column(sa.Column("parameters", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("provenance", sa.JSON(), nullable=True))
    with op.batch_alter_table("calculation_lines") as batch:
        batch.add_column(sa.Column("method", sa.String(40), nullable=True))
        batch.add_column(sa.Column("masses", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("substituted", sa.JSON(), nullable=True))
    with op.batch_alter_table("calculations") as batch:
        batch.add_column(sa.Column("ets_tco2e", TONNES, nullable=True))
        batch.add_column(sa.Column("guideline_tco2e", TONNES, nullable=True))
        batch.add_column(sa.Column("inventory_tco2e", TONNES, nullable=True))
        batch.add_column(sa.Column("inventory_market_tco2e", TONNES, nullable=True))
        batch.add_column(sa.Column("regime", sa.String(20), nullable=True))
        batch.add_column(sa.Column("substituted_share", SHARE, nullable=True))
    _rename(RENAMED.items())


def downgrade():
    _rename((new, old) for old, new in RENAMED.items())
    with op.batch_alter_table("calculations") as batch:
        for name in ("substituted_share", "regime", "inventory_market_tco2e", "inventory_tco2e", "guideline_tco2e",
                     "ets_tco2e"):
            batch.drop_column(name)
    with op.batch_alter_table("calculation_lines") as batch:
        for name in ("substituted", "masses", "method"):
            batch.drop_column(name)
    with op.batch_alter_table("filing_lines") as batch:
        batch.drop_column("provenance")
        batch.drop_column("parameters")
    with op.batch_alter_table("emission_sources") as batch:
        batch.drop_column("generating_unit")
        batch.drop_column("method")
