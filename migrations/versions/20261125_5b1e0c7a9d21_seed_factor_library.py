"""Seed the factor library with version 1 of every factor in app/accounting/reference

Revision ID: 5b1e0c7a9d21
Revises: 31883dd78a15
Create Date: 2026-11-25 03:30:00

The figures and their citations come from shared/reference (copied into app/accounting/reference):
China's default fuel parameters, official grid factors, IPCC GWP sets, the heat factor, stoichiometric
carbonate factors. Later versions are published by the regulator in the app and never replace these rows.
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "5b1e0c7a9d21"
down_revision = "31883dd78a15"
branch_labels = None
depends_on = None

factors = sa.table(
    "emission_factors",
    sa.column("identity", sa.String), sa.column("kind", sa.String), sa.column("code", sa.String), sa.column("series", sa.String),
    sa.column("data_year", sa.Integer), sa.column("version", sa.Integer), sa.column("unit", sa.String),
    sa.column("values", sa.JSON), sa.column("valid_from", sa.Date), sa.column("valid_to", sa.Date),
    sa.column("name_zh", sa.String), sa.column("name_en", sa.String), sa.column("status", sa.String),
    sa.column("source", sa.String), sa.column("published_at", sa.DateTime(timezone=True)),
)


def upgrade():
    from app.accounting.library import seed_factors

    now = datetime.now(timezone.utc)
    op.bulk_insert(factors, [
        {"identity": f"{f.kind}|{f.code}|{f.series or ''}|{f.data_year or ''}", "kind": f.kind, "code": f.code, "series": f.series, "data_year": f.data_year, "version": f.version,
         "unit": f.unit, "values": {k: str(v) for k, v in f.values.items()}, "valid_from": f.valid_from,
         "valid_to": f.valid_to, "name_zh": f.name_zh, "name_en": f.name_en, "status": f.status,
         "source": f.source, "published_at": now}
        for f in seed_factors()
    ])


def downgrade():
    op.execute(factors.delete().where(sa.column("version") == 1))
