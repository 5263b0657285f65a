"""API tokens (hashed, per user) and the stored answers of requests sent with an Idempotency-Key

Revision ID: bac096fbaad3
Revises: 9dfcd9fd1909
Create Date: 2026-11-25 05:51:02.178379

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bac096fbaad3'
down_revision = '9dfcd9fd1909'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_api_tokens_org_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('api_idempotent_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response_body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_api_idempotent_requests_org_id_organisations')),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], name=op.f('fk_api_idempotent_requests_token_id_api_tokens')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_idempotent_requests_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_idempotent_requests')),
    sa.UniqueConstraint('user_id', 'key', name='uq_api_idempotent_requests_user_key')
    )
    with op.batch_alter_table('api_idempotent_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_idempotent_requests_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_idempotent_requests_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('api_idempotent_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_idempotent_requests_user_id'))
        batch_op.drop_index(batch_op.f('ix_api_idempotent_requests_org_id'))

    op.drop_table('api_idempotent_requests')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))
        batch_op.drop_index(batch_op.f('ix_api_tokens_org_id'))

    op.drop_table('api_tokens')
