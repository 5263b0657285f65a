"""A conversation on each filing: review comments get the side of their author and may answer another comment

Revision ID: c15a0c0e4f21
Revises: b7e3f19a5c60
Create Date: 2026-12-04 10:00:00

Every comment so far was the regulator's (written on returning a filing), so existing rows get the authority side.
"""
import sqlalchemy as sa
from alembic import op

revision = "c15a0c0e4f21"
down_revision = "b7e3f19a5c60"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("review_comments") as batch:
        batch.add_column(sa.Column("author_side", sa.String(length=20), nullable=False, server_default="authority"))
        batch.add_column(sa.Column("reply_to_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_review_comments_reply_to_id_review_comments"), "review_comments",
                                 ["reply_to_id"], ["id"])
    # The model writes the side itself; the default only served the existing rows.
    with op.batch_alter_table("review_comments") as batch:
        batch.alter_column("author_side", server_default=None)


def downgrade():
    with op.batch_alter_table("review_comments") as batch:
        batch.drop_constraint(batch.f("fk_review_comments_reply_to_id_review_comments"), type_="foreignkey")
        batch.drop_column("reply_to_id")
        batch.drop_column("author_side")
