"""lab reports per measured parameter of a filing line, and the plan's same-sample rule

Revision ID: f7a3c5e9b1d2
Revises: b2e8d4f6a1c9
Create Date: 2026-12-06 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "f7a3c5e9b1d2"
down_revision = "b2e8d4f6a1c9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lab_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("filing_id", sa.Integer(), sa.ForeignKey("filings.id"), nullable=False),
        sa.Column("filing_line_id", sa.Integer(), sa.ForeignKey("filing_lines.id"), nullable=False),
        sa.Column("parameter", sa.String(40), nullable=False),
        sa.Column("evidence_id", sa.Integer(), sa.ForeignKey("evidence.id"), nullable=False),
        sa.Column("lab_name", sa.String(200), nullable=False),
        sa.Column("accreditation", sa.String(60), nullable=False),
        sa.Column("sample_id", sa.String(60), nullable=False),
        sa.Column("sample_date", sa.Date(), nullable=False),
        sa.UniqueConstraint("filing_line_id", "parameter", name="uq_lab_reports_line_parameter"),
    )
    for column in ("org_id", "filing_id", "filing_line_id", "evidence_id"):
        op.create_index(f"ix_lab_reports_{column}", "lab_reports", [column])
    with op.batch_alter_table("plan_sources") as batch:
        batch.add_column(sa.Column("same_sample", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("plan_sources") as batch:
        batch.drop_column("same_sample")
    for column in ("org_id", "filing_id", "filing_line_id", "evidence_id"):
        op.drop_index(f"ix_lab_reports_{column}", "lab_reports")
    op.drop_table("lab_reports")
