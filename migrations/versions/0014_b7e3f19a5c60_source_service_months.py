"""Emission sources are expected only in the months they were in service: commissioning and decommissioning months

Revision ID: b7e3f19a5c60
Revises: 8d41c2f07a3b
Create Date: 2026-12-03 16:00:00

A source already in the register was in service from its first filed month, else from the month it was added (in the
city's time, UTC+8), as a new source is by default.
"""
from datetime import date, timedelta, timezone

import sqlalchemy as sa
from alembic import op

revision = "b7e3f19a5c60"
down_revision = "8d41c2f07a3b"
branch_labels = None
depends_on = None

CITY = timezone(timedelta(hours=8))


def _month_of(moment) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(CITY).date().replace(day=1)


def upgrade():
    with op.batch_alter_table("emission_sources") as batch:
        batch.add_column(sa.Column("commissioned_month", sa.Date(), nullable=True))
        batch.add_column(sa.Column("decommissioned_month", sa.Date(), nullable=True))
    sources = sa.table("emission_sources", sa.column("id", sa.Integer),
                       sa.column("created_at", sa.DateTime(timezone=True)), sa.column("commissioned_month", sa.Date))
    lines = sa.table("filing_lines", sa.column("source_id", sa.Integer), sa.column("filing_id", sa.Integer))
    filings = sa.table("filings", sa.column("id", sa.Integer), sa.column("period", sa.Date))
    conn = op.get_bind()
    first_filed = dict(conn.execute(
        sa.select(lines.c.source_id, sa.func.min(filings.c.period))
        .select_from(lines.join(filings, filings.c.id == lines.c.filing_id)).group_by(lines.c.source_id)).all())
    for source_id, created_at in conn.execute(sa.select(sources.c.id, sources.c.created_at)).all():
        first = first_filed.get(source_id)
        if isinstance(first, str):  # SQLite returns MIN() of a date as text
            first = date.fromisoformat(first)
        since = min(first, _month_of(created_at)) if first else _month_of(created_at)
        conn.execute(sources.update().where(sources.c.id == source_id).values(commissioned_month=since))


def downgrade():
    with op.batch_alter_table("emission_sources") as batch:
        batch.drop_column("decommissioned_month")
        batch.drop_column("commissioned_month")
