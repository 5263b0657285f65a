"""Third-party verification: accredited bodies (organisations.accreditation_no), engagements per enterprise-year, findings

Revision ID: 5a0a6e979f01
Revises: 6558e8932682
Create Date: 2026-11-25 06:26:47.635967

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5a0a6e979f01'
down_revision = '6558e8932682'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('verification_engagements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('verifier_org_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('opinion', sa.String(length=30), nullable=True),
    sa.Column('verified_total_tco2e', sa.Numeric(30, 10).with_variant(sa.String(32), 'sqlite'), nullable=True),
    sa.Column('opinion_text', sa.Text(), nullable=True),
    sa.Column('opinion_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opinion_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_total_tco2e', sa.Numeric(30, 10).with_variant(sa.String(32), 'sqlite'), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_back_comment', sa.Text(), nullable=True),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_verification_engagements_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_verification_engagements_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['opinion_by_id'], ['users.id'], name=op.f('fk_verification_engagements_opinion_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_verification_engagements_org_id_organisations')),
    sa.ForeignKeyConstraint(['verifier_org_id'], ['organisations.id'], name=op.f('fk_verification_engagements_verifier_org_id_organisations')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_verification_engagements_withdrawn_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_engagements'))
    )
    with op.batch_alter_table('verification_engagements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_engagements_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_verification_engagements_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_verification_engagements_verifier_org_id'), ['verifier_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_verification_engagements_year'), ['year'], unique=False)

    op.create_table('verification_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('verifier_org_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('severity', sa.String(length=20), nullable=False),
    sa.Column('amount_tco2e', sa.Numeric(30, 10).with_variant(sa.String(32), 'sqlite'), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('raised_by_id', sa.Integer(), nullable=True),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_verification_findings_answered_by_id_users')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_verification_findings_closed_by_id_users')),
    sa.ForeignKeyConstraint(['engagement_id'], ['verification_engagements.id'], name=op.f('fk_verification_findings_engagement_id_verification_engagements')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_verification_findings_org_id_organisations')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['users.id'], name=op.f('fk_verification_findings_raised_by_id_users')),
    sa.ForeignKeyConstraint(['source_id'], ['emission_sources.id'], name=op.f('fk_verification_findings_source_id_emission_sources')),
    sa.ForeignKeyConstraint(['verifier_org_id'], ['organisations.id'], name=op.f('fk_verification_findings_verifier_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_findings'))
    )
    with op.batch_alter_table('verification_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_findings_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_verification_findings_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_verification_findings_verifier_org_id'), ['verifier_org_id'], unique=False)

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accreditation_no', sa.String(length=50), nullable=True))



def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('accreditation_no')

    with op.batch_alter_table('verification_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verification_findings_verifier_org_id'))
        batch_op.drop_index(batch_op.f('ix_verification_findings_org_id'))
        batch_op.drop_index(batch_op.f('ix_verification_findings_engagement_id'))

    op.drop_table('verification_findings')
    with op.batch_alter_table('verification_engagements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verification_engagements_year'))
        batch_op.drop_index(batch_op.f('ix_verification_engagements_verifier_org_id'))
        batch_op.drop_index(batch_op.f('ix_verification_engagements_status'))
        batch_op.drop_index(batch_op.f('ix_verification_engagements_org_id'))

    op.drop_table('verification_engagements')
