"""Notifications by e-mail: each user's choice of topics, and the reminders already sent (never twice)

Revision ID: d16b1e5f7a32
Revises: e17c2a6b8d43
Create Date: 2026-12-04 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "d16b1e5f7a32"
down_revision = "e17c2a6b8d43"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notification_email_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"],
                                name=op.f("fk_notification_email_choices_org_id_organisations")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notification_email_choices_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_email_choices")),
        sa.UniqueConstraint("user_id", "topic", name=op.f("uq_notification_email_choices_user_id")),
    )
    with op.batch_alter_table("notification_email_choices") as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_email_choices_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_email_choices_user_id"), ["user_id"], unique=False)
    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=30), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"], name=op.f("fk_reminders_sent_org_id_organisations")),
        sa.ForeignKeyConstraint(["sent_by_id"], ["users.id"], name=op.f("fk_reminders_sent_sent_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_sent")),
        sa.UniqueConstraint("org_id", "period", "stage", name=op.f("uq_reminders_sent_org_id")),
    )
    with op.batch_alter_table("reminders_sent") as batch_op:
        batch_op.create_index(batch_op.f("ix_reminders_sent_org_id"), ["org_id"], unique=False)


def downgrade():
    with op.batch_alter_table("reminders_sent") as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminders_sent_org_id"))
    op.drop_table("reminders_sent")
    with op.batch_alter_table("notification_email_choices") as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_email_choices_user_id"))
        batch_op.drop_index(batch_op.f("ix_notification_email_choices_org_id"))
    op.drop_table("notification_email_choices")
