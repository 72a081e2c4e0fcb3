"""store details (address, opening hours, phone); a contact for after the cancellation

Revision ID: a3c5e7f9b1d2
Revises: 5d8e2b7c9a41
Create Date: 2026-12-02 14:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'a3c5e7f9b1d2'
down_revision = '5d8e2b7c9a41'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stores') as batch:
        batch.add_column(sa.Column('address', sa.String(length=300), nullable=True))
        batch.add_column(sa.Column('opening_hours', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('phone', sa.String(length=40), nullable=True))
    with op.batch_alter_table('cancellation_requests') as batch:
        batch.add_column(sa.Column('contact', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('cancellation_requests') as batch:
        batch.drop_column('contact')
    with op.batch_alter_table('stores') as batch:
        batch.drop_column('phone')
        batch.drop_column('opening_hours')
        batch.drop_column('address')
