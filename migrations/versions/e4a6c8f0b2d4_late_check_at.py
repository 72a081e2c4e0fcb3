"""requests: late_check_at, when a newly late step waits for the jobs (indexed for sweeps)

Revision ID: e4a6c8f0b2d4
Revises: c7e9a1b3d5f7
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e4a6c8f0b2d4'
down_revision = 'c7e9a1b3d5f7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cancellation_requests') as batch:
        batch.add_column(sa.Column('late_check_at', sa.DateTime(timezone=True), nullable=True))
        batch.create_index('ix_cancellation_requests_late_check_at', ['late_check_at'])
    # Open requests already late are looked at once more (a step already apologised for is not again).
    op.execute(sa.text(
        "UPDATE cancellation_requests SET late_check_at = last_changed_at "
        "WHERE breached AND state IN ('in_progress', 'ready')"
    ))


def downgrade():
    with op.batch_alter_table('cancellation_requests') as batch:
        batch.drop_index('ix_cancellation_requests_late_check_at')
        batch.drop_column('late_check_at')
