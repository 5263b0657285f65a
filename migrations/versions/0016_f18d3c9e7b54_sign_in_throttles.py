"""Failed sign-ins are throttled per e-mail and address instead of locking the account

Revision ID: f18d3c9e7b54
Revises: c15a0c0e4f21
Create Date: 2026-12-03 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "f18d3c9e7b54"
down_revision = "c15a0c0e4f21"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_in_throttles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sign_in_throttles"),
        sa.UniqueConstraint("email", "address", name="uq_sign_in_throttles_email_address"),
    )


def downgrade():
    op.drop_table("sign_in_throttles")
