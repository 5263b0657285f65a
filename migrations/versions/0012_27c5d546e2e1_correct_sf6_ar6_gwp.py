"""Correct the AR6 GWP of SF6: publish 25,200 as a new version (the seed had 24,300, a typing error)

Revision ID: 27c5d546e2e1
Revises: 5a0a6e979f01
Create Date: 2026-11-26 09:00:00

Published the way the regulator publishes a correction in the app: the next version of the factor, valid for every
month the first one was, so the library resolves the new value from now on, while version 1 stays and every stored
calculation keeps the version it used until it is recalculated. Nothing is edited in place.
"""
from datetime import date, datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "27c5d546e2e1"
down_revision = "5a0a6e979f01"
branch_labels = None
depends_on = None

factors = sa.table(
    "emission_factors",
    sa.column("id", sa.Integer), sa.column("identity", sa.String), sa.column("kind", sa.String),
    sa.column("code", sa.String), sa.column("series", sa.String), sa.column("data_year", sa.Integer),
    sa.column("version", sa.Integer), sa.column("unit", sa.String), sa.column("values", sa.JSON),
    sa.column("valid_from", sa.Date), sa.column("valid_to", sa.Date), sa.column("name_zh", sa.String),
    sa.column("name_en", sa.String), sa.column("status", sa.String), sa.column("source", sa.String),
    sa.column("note", sa.Text), sa.column("published_at", sa.DateTime(timezone=True)),
    sa.column("published_by_id", sa.Integer),
)

IDENTITY = "gwp|SF6|AR6|"
GWP = "25200"
SOURCE = "IPCC AR6 WG1 Table 7.15"
NOTE = ("Corrects 24,300, a typing error in the reference table the library was seeded from; "
        "calculations already made keep the version they used until they are recalculated.")


def upgrade():
    conn = op.get_bind()
    latest = conn.execute(
        sa.select(factors.c.version, factors.c["values"], factors.c.unit, factors.c.name_zh, factors.c.name_en)
        .where(factors.c.identity == IDENTITY).order_by(factors.c.version.desc()).limit(1)).first()
    if latest is None or latest.values.get("gwp") == GWP:
        return  # no such factor, or the regulator has already published the correction
    op.bulk_insert(factors, [{
        "identity": IDENTITY, "kind": "gwp", "code": "SF6", "series": "AR6", "data_year": None,
        "version": latest.version + 1, "unit": latest.unit, "values": {"gwp": GWP}, "valid_from": date(2000, 1, 1),
        "valid_to": None, "name_zh": latest.name_zh, "name_en": latest.name_en, "status": "verified",
        "source": SOURCE, "note": NOTE, "published_at": datetime.now(timezone.utc), "published_by_id": None,
    }])


def downgrade():
    op.execute(factors.delete().where(factors.c.identity == IDENTITY, factors.c.source == SOURCE,
                                      factors.c.note == NOTE))
