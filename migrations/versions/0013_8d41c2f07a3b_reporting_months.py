"""Reporting obligations of an enterprise: its first reporting month and, at closure, its last

Revision ID: 8d41c2f07a3b
Revises: 27c5d546e2e1
Create Date: 2026-12-03 15:50:00

An enterprise owes monthly filings from its first reporting month to its last one (none: still reporting). An
enterprise already registered starts at its first filed month, else at the month after its registration (in the
city's time, UTC+8), as a new registration does.
"""
from datetime import date, timedelta, timezone

import sqlalchemy as sa
from alembic import op

revision = "8d41c2f07a3b"
down_revision = "27c5d546e2e1"
branch_labels = None
depends_on = None

CITY = timezone(timedelta(hours=8))  # Asia/Shanghai has no daylight saving


def _month_after(moment) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    day = moment.astimezone(CITY).date()
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def upgrade():
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("first_reporting_month", sa.Date(), nullable=True))
        batch.add_column(sa.Column("last_reporting_month", sa.Date(), nullable=True))
    orgs = sa.table("organisations", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                    sa.column("created_at", sa.DateTime(timezone=True)),
                    sa.column("first_reporting_month", sa.Date))
    filings = sa.table("filings", sa.column("org_id", sa.Integer), sa.column("period", sa.Date))
    conn = op.get_bind()
    first_filed = dict(conn.execute(sa.select(filings.c.org_id, sa.func.min(filings.c.period))
                                    .group_by(filings.c.org_id)).all())
    for org_id, created_at in conn.execute(sa.select(orgs.c.id, orgs.c.created_at)
                                           .where(orgs.c.kind == "enterprise")).all():
        first = first_filed.get(org_id)
        if isinstance(first, str):  # SQLite returns MIN() of a date as text
            first = date.fromisoformat(first)
        conn.execute(orgs.update().where(orgs.c.id == org_id).values(
            first_reporting_month=first or _month_after(created_at)))


def downgrade():
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("last_reporting_month")
        batch.drop_column("first_reporting_month")
