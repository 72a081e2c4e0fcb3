"""staff work queue: derived due date, breach, waiting-on and next to-do; call tasks

Revision ID: b4d6f8a0c2e3
Revises: a3c5e7f9b1d2
Create Date: 2026-12-02 14:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b4d6f8a0c2e3'
down_revision = 'a3c5e7f9b1d2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cancellation_requests') as batch:
        batch.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('breached', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('waiting_on', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('next_item', sa.String(length=120), nullable=True))
        batch.create_index('ix_cancellation_requests_queue', ['store_code', 'due_at'])
        batch.create_index('ix_cancellation_requests_queue_breached', ['store_code', 'breached', 'due_at'])
        batch.create_index('ix_cancellation_requests_queue_waiting', ['store_code', 'waiting_on', 'due_at'])
        batch.create_index('ix_cancellation_requests_queue_state', ['store_code', 'state', 'due_at'])
        batch.create_index('ix_cancellation_requests_due_at', ['due_at'])
        batch.create_index('ix_cancellation_requests_store_submitted', ['store_code', 'submitted_at'])
    with op.batch_alter_table('cancellation_requests') as batch:
        batch.alter_column('breached', server_default=None)
    # Existing requests get their queue columns from the jobs' next pass, which derives them.
    op.execute(sa.text(
        "UPDATE cancellation_requests SET next_check_at = last_changed_at "
        "WHERE state IN ('in_progress', 'ready', 'completed')"
    ))
    op.create_table(
        'call_tasks',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.String(length=36), nullable=False),
        sa.Column('store_code', sa.String(length=32), nullable=True),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_by', sa.String(length=80), nullable=True),
        sa.Column('outcome', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['request_id'], ['cancellation_requests.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('request_id', 'kind'),
    )
    op.create_index('ix_call_tasks_open', 'call_tasks', ['store_code', 'closed_at', 'priority', 'due_at'])


def downgrade():
    op.drop_index('ix_call_tasks_open', table_name='call_tasks')
    op.drop_table('call_tasks')
    with op.batch_alter_table('cancellation_requests') as batch:
        for name in ('queue', 'queue_breached', 'queue_waiting', 'queue_state', 'due_at', 'store_submitted'):
            batch.drop_index(f'ix_cancellation_requests_{name}')
        for column in ('next_item', 'waiting_on', 'breached', 'due_at'):
            batch.drop_column(column)
