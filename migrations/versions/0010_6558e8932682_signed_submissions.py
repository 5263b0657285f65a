"""Signed submissions: the frozen copy of record of each submission, and users.may_sign

Revision ID: 6558e8932682
Revises: bac096fbaad3
Create Date: 2026-11-25 06:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6558e8932682'
down_revision = 'bac096fbaad3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('may_sign', sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table('copies_of_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filing_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('receipt_number', sa.String(length=32), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('signer_id', sa.Integer(), nullable=False),
    sa.Column('statement_version', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['filing_id'], ['filings.id'], name=op.f('fk_copies_of_record_filing_id_filings')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_copies_of_record_org_id_organisations')),
    sa.ForeignKeyConstraint(['signer_id'], ['users.id'], name=op.f('fk_copies_of_record_signer_id_users')),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], name=op.f('fk_copies_of_record_token_id_api_tokens')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_copies_of_record')),
    sa.UniqueConstraint('receipt_number', name=op.f('uq_copies_of_record_receipt_number'))
    )
    with op.batch_alter_table('copies_of_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_copies_of_record_filing_id'), ['filing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_copies_of_record_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_copies_of_record_signer_id'), ['signer_id'], unique=False)


def downgrade():
    with op.batch_alter_table('copies_of_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_copies_of_record_signer_id'))
        batch_op.drop_index(batch_op.f('ix_copies_of_record_org_id'))
        batch_op.drop_index(batch_op.f('ix_copies_of_record_filing_id'))

    op.drop_table('copies_of_record')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('may_sign')
