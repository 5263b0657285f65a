"""project_decisions: projects assessed against the path, with the regulator's decision and the answer as given

Revision ID: e5b8a2d4c6f1
Revises: a3f9c1e7d2b4
Create Date: 2026-12-03 21:05:00
"""
import sqlalchemy as sa
from alembic import op

revision = "e5b8a2d4c6f1"
down_revision = "a3f9c1e7d2b4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "project_decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("baseline_month", sa.Date(), nullable=False),
        sa.Column("decision", sa.String(30), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("project_decisions")
