"""tracking links: hashed tokens that open the customer's tracking page

Revision ID: c8e1f3a5b7d9
Revises: b4d6f8a0c2e3
Create Date: 2026-12-02 20:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c8e1f3a5b7d9'
down_revision = 'b4d6f8a0c2e3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'tracking_links',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('request_id', sa.String(length=36), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['cancellation_requests.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_tracking_links_request_id', 'tracking_links', ['request_id'])


def downgrade():
    op.drop_index('ix_tracking_links_request_id', table_name='tracking_links')
    op.drop_table('tracking_links')
