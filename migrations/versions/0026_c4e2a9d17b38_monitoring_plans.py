"""monitoring plans: per enterprise and year, immutable versions, per source method, tiers, meters and laboratory

Revision ID: c4e2a9d17b38
Revises: e4c1a7b9d305
Create Date: 2026-12-05 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "c4e2a9d17b38"
down_revision = "e4c1a7b9d305"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def _org():
    return sa.Column("org_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False)


def upgrade():
    op.create_table(
        "monitoring_plans",
        sa.Column("id", sa.Integer(), primary_key=True),
        _org(),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.UniqueConstraint("org_id", "year", name="uq_monitoring_plans_org_year"),
    )
    op.create_index("ix_monitoring_plans_org_id", "monitoring_plans", ["org_id"])
    op.create_table(
        "plan_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        _org(),
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey("monitoring_plans.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("change_note", sa.Text(), nullable=True),
        sa.Column("based_on_id", sa.Integer(), sa.ForeignKey("plan_versions.id"), nullable=True),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("submitted_at", UTC, nullable=True),
        sa.Column("approved_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("approved_at", UTC, nullable=True),
        sa.Column("by_notice", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("returned_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("returned_at", UTC, nullable=True),
        sa.Column("return_comment", sa.Text(), nullable=True),
        sa.UniqueConstraint("plan_id", "number", name="uq_plan_versions_plan_number"),
    )
    op.create_index("ix_plan_versions_org_id", "plan_versions", ["org_id"])
    op.create_index("ix_plan_versions_plan_id", "plan_versions", ["plan_id"])
    op.create_index("ix_plan_versions_status", "plan_versions", ["status"])
    op.create_table(
        "plan_sources",
        sa.Column("id", sa.Integer(), primary_key=True),
        _org(),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("plan_versions.id"), nullable=False),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("emission_sources.id"), nullable=False),
        sa.Column("method", sa.String(40), nullable=False),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("lab_name", sa.String(200), nullable=True),
        sa.Column("lab_accreditation", sa.String(60), nullable=True),
        sa.Column("sampling_frequency", sa.String(100), nullable=True),
        sa.Column("lab_standard", sa.String(200), nullable=True),
        sa.Column("responsible_person", sa.String(100), nullable=True),
        sa.Column("backup_source", sa.String(200), nullable=True),
        sa.Column("backup_method", sa.String(300), nullable=True),
        sa.UniqueConstraint("version_id", "source_id", name="uq_plan_sources_version_source"),
    )
    op.create_index("ix_plan_sources_org_id", "plan_sources", ["org_id"])
    op.create_index("ix_plan_sources_version_id", "plan_sources", ["version_id"])
    op.create_index("ix_plan_sources_source_id", "plan_sources", ["source_id"])
    op.create_table(
        "plan_meters",
        sa.Column("id", sa.Integer(), primary_key=True),
        _org(),
        sa.Column("plan_source_id", sa.Integer(), sa.ForeignKey("plan_sources.id"), nullable=False),
        sa.Column("meter_id", sa.String(60), nullable=False),
        sa.Column("meter_type", sa.String(100), nullable=True),
        sa.Column("accuracy_class", sa.String(20), nullable=True),
        sa.Column("calibrated_on", sa.Date(), nullable=True),
        sa.Column("calibration_due", sa.Date(), nullable=True),
    )
    op.create_index("ix_plan_meters_org_id", "plan_meters", ["org_id"])
    op.create_index("ix_plan_meters_plan_source_id", "plan_meters", ["plan_source_id"])


def downgrade():
    for table, columns in (("plan_meters", ("org_id", "plan_source_id")),
                           ("plan_sources", ("org_id", "version_id", "source_id")),
                           ("plan_versions", ("org_id", "plan_id", "status")),
                           ("monitoring_plans", ("org_id",))):
        for column in columns:
            op.drop_index(f"ix_{table}_{column}", table_name=table)
        op.drop_table(table)
